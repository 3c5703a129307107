"""Every finding says where it comes from and what it measured (issue: compliance fidelity).

HR reads a finding alone: its source must carry a § where the rule catalogue gives one, or say
plainly that there is none (local practice, scenario data); docs/rules.md lists exactly the
registered rules with those sources.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builders import AFTEN, DAG, NAT, build, check, days_from, emp, row, scenario
from rostering.rules import agreements, registry

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
SAYS_WHERE = re.compile(r"§|no central|no legal")


def test_every_rule_cites_a_paragraph_or_says_there_is_none():
    for rule_id, rule_cls in registry().items():
        assert SAYS_WHERE.search(rule_cls.source) or rule_cls.scope == "agreement", rule_id
        for agreement in agreements().values():
            if rule_id in agreement.rules:
                assert SAYS_WHERE.search(agreement.cite(rule_cls)), (agreement.id, rule_id)


def test_a_rule_with_no_central_rule_never_cites_the_agreement():
    weekend = registry()["weekend.off_frequency"]
    for agreement in agreements().values():
        if weekend.id in agreement.rules:
            assert agreement.cite(weekend) == weekend.source
            assert "79.0" not in agreement.cite(weekend)


def test_dsr_staff_are_not_cited_the_foa_paragraph_for_late_changes():
    notice = registry()["plan.change_notice"]
    assert "§ 7" in agreements()["foa"].cite(notice)
    assert "79.01" not in agreements()["dsr"].cite(notice) and "§ 7" not in agreements()["dsr"].cite(notice)


def test_docs_list_exactly_the_registered_rules_with_their_sources():
    rows = re.findall(r"^\| `([a-z_0-9.]+)` \|(.*)\|$", DOCS.read_text(encoding="utf-8"), re.MULTILINE)
    rows = [(rule_id, cells) for rule_id, cells in rows if cells.count("|") >= 1]  # the tables with a source column
    documented = {rule_id for rule_id, _ in rows}
    assert documented == set(registry())
    for rule_id, cells in rows:
        assert SAYS_WHERE.search(cells.rsplit("|", 1)[-1]), rule_id


@pytest.mark.parametrize("agreement", ["foa", "dsr", "none"])
def test_findings_name_employee_times_measure_and_limit(agreement):
    """A roster breaking many rules at once: every finding carries the employee in its text,
    start and end, measured and limit with a unit."""
    p = build(scenario([emp("e1", agreement=agreement, unavailable=["2026-01-08"])], shifts=[DAG, AFTEN, NAT]))
    rows = [
        row(p, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),  # aften, then dag: 8 h rest
        row(p, "e1", "2026-01-06T07:00", "2026-01-06T15:00"),
        *(
            row(p, "e1", f"{d}T23:00", f"{e}T07:00")
            for d, e in zip(days_from("2026-01-07", 5), days_from("2026-01-08", 5), strict=True)
        ),
    ]
    found = check(p, rows)
    assert {v.rule_id for v in found} >= {"rest.daily", "employee.availability"}
    for v in found:
        assert v.message.startswith("e1: "), v
        assert v.start is not None and v.end is not None and v.start <= v.end, v
        assert v.measured is not None and v.limit is not None and v.unit, v
