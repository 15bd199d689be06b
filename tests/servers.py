"""Real servers for integration tests, started on loopback in a temporary directory."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = ["Dovecot", "dovecot_server", "free_port", "postgres_server", "wait_for_port"]

PG_BIN = Path("/usr/lib/postgresql")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``; raise on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(PG_BIN.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return versions[-1].parent if versions else None


def _as_user() -> list[str]:
    """Run PostgreSQL as ``postgres`` when we are root (initdb refuses root)."""
    if os.geteuid() != 0:
        return []
    pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """Start a private PostgreSQL cluster; yield its URL, or ``None`` when not installed."""
    bindir = _pg_bindir()
    if bindir is None:
        yield None
        return
    prefix = _as_user()
    base = Path(tempfile.mkdtemp(prefix="mw-pg-"))
    if prefix:
        shutil.chown(base, "postgres")
    data, port = base / "data", free_port()
    run = [*prefix]
    subprocess.run(
        [*run, str(bindir / "initdb"), "-D", str(data), "-U", "mw", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base}"
    options += " -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [
            *run,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://mw@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class Dovecot:
    """A running Dovecot: plain/STARTTLS and implicit-TLS ports, its CA file, one test user."""

    port: int
    tls_port: int
    ca_file: Path
    user: str
    password: str
    home: Path


def self_signed(
    folder: Path,
    names: tuple[str, ...] = ("localhost",),
    addresses: tuple[str, ...] = ("127.0.0.1",),
) -> tuple[Path, Path]:
    """Write a self-signed CA certificate for ``names`` and ``addresses``; return (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    alternatives: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alternatives += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alternatives), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


_DOVECOT_CONF = """
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = 1
default_login_user = {login_user}
default_internal_user = {internal_user}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@contextlib.contextmanager
def dovecot_server(user: str = "reports", password: str = "s3cret") -> Iterator[Dovecot | None]:
    """Start a private Dovecot IMAP server; yield it, or ``None`` when not installed."""
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="mw-dovecot-"))
    base.chmod(0o755)
    cert, key = self_signed(base)
    if os.geteuid() == 0:
        mail = pwd.getpwnam("nobody")
        login_user, internal_user = "dovenull", "dovecot"
    else:
        mail = pwd.getpwuid(os.getuid())
        login_user = internal_user = mail.pw_name
    home = base / "home" / user
    (home / "Maildir").mkdir(parents=True)
    for folder in (base / "home", home, home / "Maildir"):
        os.chown(folder, mail.pw_uid, mail.pw_gid) if os.geteuid() == 0 else None
    (base / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n")
    port, tls_port = free_port(), free_port()
    conf = base / "dovecot.conf"
    conf.write_text(
        _DOVECOT_CONF.format(
            base=base,
            cert=cert,
            key=key,
            port=port,
            tls_port=tls_port,
            uid=mail.pw_uid,
            gid=mail.pw_gid,
            login_user=login_user,
            internal_user=internal_user,
        )
    )
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stderr=subprocess.PIPE)
    try:
        wait_for_port(port)
        wait_for_port(tls_port)
        yield Dovecot(port, tls_port, cert, user, password, home)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(base, ignore_errors=True)
