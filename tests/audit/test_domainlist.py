"""Reading domain lists: plain, CSV, comments, duplicates, IDN, malformed lines."""

from __future__ import annotations

from mailwarden.audit.domainlist import parse_domain_list


def test_plain_list_with_comments_and_duplicates() -> None:
    """Comments and blanks are ignored, duplicates (after normalization) dropped."""
    listing = parse_domain_list(
        ["# survey", "example.com", "", "Example.COM.", "example.net  # trailing comment"]
    )
    assert listing.domains == ("example.com", "example.net")
    assert listing.duplicates == 1
    assert listing.problems == ()


def test_rank_domain_csv_with_header() -> None:
    """A rank,domain CSV with a header row gives the domains in order."""
    listing = parse_domain_list(["rank,domain", "1,example.org", "2,bücher.example"])
    assert listing.domains == ("example.org", "xn--bcher-kva.example")


def test_malformed_lines_reported_with_numbers() -> None:
    """A malformed line is reported with its number and skipped; the rest are kept."""
    listing = parse_domain_list(["example.com", "bad..name", "x" * 64 + ".example", "ok.example"])
    assert listing.domains == ("example.com", "ok.example")
    assert [p.split(":")[0] for p in listing.problems] == ["line 2", "line 3"]
    assert "empty label" in listing.problems[0]
