"""Global options shared by every command, accepted before or after the subcommand."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from mailwarden.dns import CachingResolver, Resolver

__all__ = ["FiniteFloatRange", "Settings", "global_options", "pass_settings"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Settings:
    """Values of the global options, merged from before and after the subcommand."""

    nameservers: list[str] = field(default_factory=list)
    zones: list[str] = field(default_factory=list)
    live: bool = False
    timeout: float = 2.0
    json: bool = False
    _resolver: Resolver | None = None

    def resolver(self) -> Resolver:
        """Return the resolver these options ask for (built once).

        With zones: the zones only, or zones overlaid on live DNS with ``--live``. Without:
        the nameservers given, or the system's. Raises ``ZoneError`` / ``ConfigError`` /
        ``DnsError`` for unusable options.
        """
        if self._resolver is None:
            self._resolver = self._build_resolver()
        return self._resolver

    def _build_resolver(self) -> Resolver:
        from mailwarden.dns import OverlayResolver, ZoneResolver  # loaded when used

        if self.zones:
            zones = ZoneResolver.from_zone_files(*self.zones)
            if not self.live:
                return zones
            return OverlayResolver(zones, self._live_resolver())
        return self._live_resolver()

    def _live_resolver(self) -> Resolver:
        from mailwarden.dns import DnsResolver

        return CachingResolver(DnsResolver(self.nameservers or None, timeout=self.timeout))


class FiniteFloatRange(click.FloatRange):
    """A ``click.FloatRange`` that also refuses ``nan`` and ``inf``, which float() accepts and
    which pass any range check (``nan < min`` is false) and break timers later."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Return the number; fail (exit 2) when it is not finite or out of range."""
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def _settings(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def _append(attr: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value:
            getattr(_settings(ctx), attr).extend(value)

    return callback


def _given(attr: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """Store a value only when given, so a later default cannot undo an earlier choice."""

    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value is not None and value is not False:
            setattr(_settings(ctx), attr, value)

    return callback


def global_options(func: F) -> F:
    """Add ``--nameserver --zone --live --timeout --json`` to a group or command."""
    options = [
        click.option(
            "--nameserver",
            "-n",
            multiple=True,
            metavar="HOST[:PORT]",
            expose_value=False,
            callback=_append("nameservers"),
            help="Nameserver to query (repeatable); default: the system's.",
        ),
        click.option(
            "--zone",
            "-z",
            multiple=True,
            metavar="FILE",
            expose_value=False,
            callback=_append("zones"),
            help="Zone file to answer from (repeatable); resolution is then offline.",
        ),
        click.option(
            "--live",
            is_flag=True,
            expose_value=False,
            callback=_given("live"),
            help="With --zone: use live DNS for names outside the zones.",
        ),
        click.option(
            "--timeout",
            type=FiniteFloatRange(min=0.01),
            default=None,
            expose_value=False,
            callback=_given("timeout"),
            help="Seconds to wait for each DNS answer [default: 2].",
        ),
        click.option(
            "--json",
            "json_output",
            is_flag=True,
            expose_value=False,
            callback=_given("json"),
            help="Print JSON for machines instead of text.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def pass_settings(func: F) -> F:
    """Pass the merged ``Settings`` as the first argument of a command."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(func, _settings(ctx), *args, **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    wrapper.__module__ = func.__module__
    return wrapper  # type: ignore[return-value]
