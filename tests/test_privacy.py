"""CPR numbers are refused in every spelling, in ids of every kind, and never printed back."""

from __future__ import annotations

import pytest
import yaml

from builders import CPR_DATE as DATE
from builders import CPR_SERIAL as SERIAL
from builders import CPR_SPELLINGS as SPELLINGS
from builders import TINY
from rostering.domain.errors import InputError, InputIssue
from rostering.domain.privacy import looks_like_cpr, mask_cpr
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario

# A date run of 8 digits (year, month, day) and a 4-digit serial, assembled here so the tree holds
# no CPR-shaped literal, is a date stamp, not a birth date: the digits before DDMMYY rule it out.
# Likewise a day or month out of range (31st of month 13, month 99), and 11 digits in a row.
DATE_STAMP = "2024" + "0101" + "-0001"
NO_MONTH, NO_DAY, ELEVEN = "3113" + "70" + SERIAL, "1399" + "70" + SERIAL, "1234567" + "8901"
NOT_CPR = ["e001", "nurse-12", DATE_STAMP, NO_MONTH, NO_DAY, ELEVEN, "A", "vikar-3"]


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_common_spelling_is_caught_and_masked(spelling):
    assert looks_like_cpr(spelling)
    masked = mask_cpr(f"id {spelling} here")
    assert DATE not in masked and SERIAL not in masked and "******-****" in masked


# Named ids: the values themselves would put a date stamp that holds a CPR shape into test ids.
@pytest.mark.parametrize("text", NOT_CPR, ids=[f"not-cpr-{i}" for i in range(len(NOT_CPR))])
def test_ids_that_are_no_birth_date_pass(text):
    assert not looks_like_cpr(text) and mask_cpr(text) == text


def test_an_issue_never_prints_a_cpr_number():
    err = InputError("roster.csv", [InputIssue("row 2", f"unknown employee '{DATE}-{SERIAL}'")])
    assert SERIAL not in err.render() and "******-****" in err.render()


def _scenario(tmp_path, edit) -> InputError:
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


@pytest.mark.parametrize("spelling", ["prefixed", "dot", "cpr-prefix", "underscore"])
def test_scenario_refuses_cpr_in_any_id(tmp_path, spelling):
    ident = SPELLINGS[spelling]

    def edit(data):
        data["employees"][0]["id"] = ident

    err = _scenario(tmp_path, edit)
    assert any("CPR" in issue.message for issue in err.issues), err.render()
    assert SERIAL not in err.render()


def test_roster_refuses_cpr_like_employee_ids_without_echo(tmp_path):
    path = tmp_path / "roster.csv"
    ident = SPELLINGS["prefixed"]
    path.write_text(
        f"employee_id,date,shift_id,start,end\n{ident},2026-03-02,dag,2026-03-02T07:00,2026-03-02T15:00\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_roster(path)
    text = info.value.render()
    assert "CPR" in text and ident not in text and SERIAL not in text
