"""Builders for synthetic reports used by the report tests."""

from __future__ import annotations

RECORD = """<record><row><source_ip>{ip}</source_ip><count>{count}</count>
<policy_evaluated><disposition>{disposition}</disposition><dkim>{dkim}</dkim><spf>fail</spf>
</policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers>
<auth_results><dkim><domain>example.com</domain><selector>s1</selector>
<result>{dkim}</result></dkim><spf><domain>example.com</domain><result>fail</result></spf>
</auth_results></record>
"""


def record(
    ip: str = "192.0.2.1", count: int = 1, disposition: str = "none", dkim: str = "pass"
) -> str:
    """Return one <record> element."""
    return RECORD.format(ip=ip, count=count, disposition=disposition, dkim=dkim)


def report(records: str | None = None, *, head: str = "", root: str = "<feedback>") -> str:
    """Return an aggregate report with ``records`` (one default record when None)."""
    body = record() if records is None else records
    close = "</" + root[1:].split()[0].rstrip(">") + ">"
    return (
        f'<?xml version="1.0"?>\n{root}{head}<version>1.0</version>'
        "<report_metadata><org_name>Reporter</org_name><email>r@reporter.example</email>"
        "<report_id>id-1</report_id><date_range><begin>1700000000</begin>"
        "<end>1700086399</end></date_range></report_metadata>"
        "<policy_published><domain>example.com</domain><adkim>r</adkim><aspf>r</aspf>"
        "<p>reject</p><sp>reject</sp></policy_published>"
        f"{body}{close}"
    )
