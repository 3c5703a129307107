"""Re-planning a published roster (`rostering.replan.problem`, `rostering replan`), what a
re-plan covers (`rostering.replan.scope`), agency staff (`vikar_pool`), and `solve --lock/--hint`.

Expected values are reasoned by hand from the default weights (scenario.Weights): a removed
published shift costs 10000 points, an added one 200, each x `late_change_factor` (3) inside the
agreement's change notice (96 h, also for agreement `none`); an hour below `min` costs 1000, below
`target` 100; the cheapest agency hour 300. builders' shifts are dag 07-15 / aften 15-23 /
nat 23-07, paid in full; its default week is Monday 2026-01-05 .. Sunday 2026-01-11. The tiny
scenario's shifts are paid 450 min (dag, aften: 7.5 h) and 480 min (nat: 8 h); its employees
are all on FOA; e03..e07 are ssh, e01 e02 e08 e09 ssa (ssa covers ssh).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import OPTIONS, TINY, build, emp, need, row, run, scenario, worked
from rostering import Assignment, Roster, SolveOptions, build_problem, check_roster, load_scenario, read_roster, solve
from rostering.analysis.replanned import GapsLeft, checked_on, gaps_left
from rostering.analysis.summary import summarize
from rostering.analysis.verify import solve_and_verify
from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.domain.scenario import Absence, AbsenceKind
from rostering.io.crosscheck import crosscheck
from rostering.io.roster_file import write_roster
from rostering.io.validation import scenario_from_data
from rostering.replan.changes import Change, change_list, write_changes
from rostering.replan.problem import NewAbsence, parse_absence, replan_problem, with_absences, with_locks
from rostering.replan.scope import best_labels, left_by_absence, only_the_absence_gaps
from rostering.rules import registry
from rostering.rules.objective import score, total_points, vikar_use

DATA = Path(__file__).resolve().parent / "data"
TINY_OPTIONS = SolveOptions(time_limit=10, seed=1, workers=1)
runner = CliRunner()

D = dt.date.fromisoformat
T = dt.datetime.fromisoformat


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Console output with rich's line wrapping undone."""
    return " ".join(text.split())


def rows_of(roster: Roster) -> set[tuple]:
    """A roster as comparable facts: (employee, date, shift id, start, end); competence left out."""
    return {(a.employee_id, a.date, a.shift_id, a.start, a.end) for a in roster.assignments}


def by_day(roster: Roster) -> dict[tuple[str, dt.date], set[str]]:
    out: dict[tuple[str, dt.date], set[str]] = {}
    for a in roster.assignments:
        out.setdefault((a.employee_id, a.date), set()).add(a.shift_id)
    return out


def changed_days(published: Roster, new: Roster) -> set[tuple[str, dt.date]]:
    """(employee, day) pairs whose shifts differ between the two rosters."""
    old, now = by_day(published), by_day(new)
    return {key for key in set(old) | set(now) if old.get(key) != now.get(key)}


def hard_violations(problem, roster: Roster) -> list:
    """check_roster without the findings the agreement settles by pay (plan.change_notice)."""
    return [v for v in check_roster(problem, roster) if not registry()[v.rule_id].settled_by_pay]


def term_amount(problem, roster: Roster, term: str) -> float:
    return sum(line.amount for line in score(problem, roster) if line.term == term)


def write_csv_roster(path: Path, *lines: str) -> Path:
    path.write_text("employee_id,date,shift_id,start,end\n" + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def write_json(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def published(tiny_roster_csv):
    """The tiny scenario's roster as published (solved once per test run, see conftest)."""
    return read_roster(tiny_roster_csv)


# 1. parse_absence ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "e017:2026-01-13..2026-01-15:sygdom",
            NewAbsence("e017", D("2026-01-13"), D("2026-01-15"), AbsenceKind.sygdom),
        ),
        ("e017:2026-01-13..2026-01-15", NewAbsence("e017", D("2026-01-13"), D("2026-01-15"), AbsenceKind.sygdom)),
        ("e1:2026-01-13", NewAbsence("e1", D("2026-01-13"), D("2026-01-13"), AbsenceKind.sygdom)),  # one day
        ("e1:2026-01-13:kursus", NewAbsence("e1", D("2026-01-13"), D("2026-01-13"), AbsenceKind.kursus)),
        ("e1:2026-01-13..2026-01-13:ferie", NewAbsence("e1", D("2026-01-13"), D("2026-01-13"), AbsenceKind.ferie)),
    ],
)
def test_parse_absence_valid_forms(text, expected):
    assert parse_absence(text) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("e1", "EMPLOYEE:FROM..TO"),  # no date part
        (":2026-01-13", "EMPLOYEE:FROM..TO"),  # no employee
        ("e1:2026-01-13:sygdom:x", "EMPLOYEE:FROM..TO"),  # four parts
        ("e1:2026-13-01", "is not a date"),  # month 13
        ("e1:..2026-01-13", "is not a date"),  # missing FROM
        ("e1:2026-01-13..tomorrow", "is not a date"),
        ("e1:2026-01-13..", "is not a date"),  # a range without its end is not one day
        ("e1:2026-01-15..2026-01-13", "ends (2026-01-13) before it starts (2026-01-15)"),
        ("e1:2026-01-13:flu", "unknown kind 'flu'"),
        ("e1:2026-01-13:", "unknown kind ''"),
    ],
)
def test_parse_absence_bad_input_names_the_option(text, fragment):
    with pytest.raises(InputError) as caught:
        parse_absence(text)
    assert caught.value.file == "--absence"
    rendered = str(caught.value)
    assert rendered.startswith("--absence:") and repr(text) in rendered and fragment in rendered


def test_parse_absence_unknown_kind_lists_the_known_ones():
    with pytest.raises(InputError) as caught:
        parse_absence("e1:2026-01-13:flu")
    assert "known: ferie, sygdom, kursus, barsel, andet" in str(caught.value)


# 2. with_absences ---------------------------------------------------------------------------------------


def _absence_scenario():
    """e1: ferie on Wed, preassigned dag Tue and Thu; e2 untouched."""
    return scenario_from_data(
        scenario(
            [
                emp(
                    "e1",
                    absences=[{"kind": "ferie", "from": "2026-01-07", "to": "2026-01-07"}],
                    preassigned=[{"date": "2026-01-06", "shift": "dag"}, {"date": "2026-01-08", "shift": "dag"}],
                ),
                emp("e2"),
            ]
        )
    )


def test_with_absences_skips_absent_days_merges_spells_and_drops_preassigned_shifts():
    sc = _absence_scenario()
    # Mon..Fri sick; Wed is already ferie and stays so: two spells Mon-Tue and Thu-Fri.
    new = with_absences(sc, [parse_absence("e1:2026-01-05..2026-01-09")])
    e1, e2 = new.employees
    assert e1.absences == (
        Absence(kind="ferie", start=D("2026-01-07"), end=D("2026-01-07")),
        Absence(kind="sygdom", start=D("2026-01-05"), end=D("2026-01-06")),
        Absence(kind="sygdom", start=D("2026-01-08"), end=D("2026-01-09")),
    )
    assert e1.preassigned == ()  # Tue and Thu are now sick days: she does not work them either
    assert e2 == sc.employees[1]
    assert crosscheck(new) == []  # no overlapping absences were made
    problem = build_problem(new)
    assert problem.employees[0].absent == {
        D("2026-01-05"): "sygdom",
        D("2026-01-06"): "sygdom",
        D("2026-01-07"): "ferie",
        D("2026-01-08"): "sygdom",
        D("2026-01-09"): "sygdom",
    }


def test_with_absences_merges_consecutive_days_of_separate_entries_of_one_kind():
    sc = _absence_scenario()
    new = with_absences(
        sc,
        [
            parse_absence("e2:2026-01-05..2026-01-06"),
            parse_absence("e2:2026-01-07"),
            parse_absence("e2:2026-01-08:kursus"),
        ],
    )
    # Mon-Tue and Wed are one sygdom spell; Thu is another kind, its own absence.
    assert new.employees[1].absences == (
        Absence(kind="sygdom", start=D("2026-01-05"), end=D("2026-01-07")),
        Absence(kind="kursus", start=D("2026-01-08"), end=D("2026-01-08")),
    )


def test_with_absences_drops_days_before_from_day_and_outside_the_horizon():
    sc = _absence_scenario()
    # Sick Mon..Thu, re-planned from Wed: Mon and Tue happened (and Tue's preassigned dag stays);
    # Wed is ferie already, so only Thu is new.
    new = with_absences(sc, [parse_absence("e1:2026-01-05..2026-01-08")], from_day=D("2026-01-07"))
    e1 = new.employees[0]
    assert e1.absences[1:] == (Absence(kind="sygdom", start=D("2026-01-08"), end=D("2026-01-08")),)
    assert [(p.date, p.shift) for p in e1.preassigned] == [(D("2026-01-06"), "dag")]
    # Sat..next Tue: only Sat and Sun are inside the one-week horizon.
    new = with_absences(sc, [parse_absence("e2:2026-01-10..2026-01-13")])
    assert new.employees[1].absences == (Absence(kind="sygdom", start=D("2026-01-10"), end=D("2026-01-11")),)
    # Entirely in the past: the employee is left as she was.
    new = with_absences(sc, [parse_absence("e2:2026-01-05..2026-01-06")], from_day=D("2026-01-07"))
    assert new.employees[1] == sc.employees[1]


def test_with_absences_unknown_employee_is_bad_input():
    with pytest.raises(InputError) as caught:
        with_absences(_absence_scenario(), [parse_absence("e9:2026-01-05")])
    assert caught.value.file == "--absence" and "'e9': unknown employee" in str(caught.value)


# 3. nothing changed: nothing changes ------------------------------------------------------------------------


@pytest.mark.parametrize("today", ["2026-03-30T00:00", "2026-04-01T12:00"])
def test_replan_without_news_keeps_the_published_roster(tiny, published, today):
    problem = replan_problem(tiny, published, T(today), [])
    result = solve(problem, TINY_OPTIONS, hint=published)
    assert result.has_roster
    # The published roster is feasible and costs no change; any change costs >= 200 points and
    # nothing else moved, so the optimum is the published roster itself.
    assert rows_of(result.roster) == rows_of(published)
    assert change_list(problem, published, result.roster) == []


# 4. one sick employee ---------------------------------------------------------------------------------------

TODAY = T("2026-04-01T12:00")  # Wednesday noon
SICK_FIRST, SICK_LAST = D("2026-04-02"), D("2026-04-04")  # Thu..Sat (Skærtorsdag, Langfredag, Saturday)


def _sick_one(published: Roster) -> str:
    """The employee with the most published shifts on the sick days (lowest id on a tie)."""
    counts = {}
    for a in published.assignments:
        if SICK_FIRST <= a.date <= SICK_LAST:
            counts[a.employee_id] = counts.get(a.employee_id, 0) + 1
    return max(sorted(counts), key=counts.get)


@pytest.fixture(scope="module")
def sick_replan(tiny, published):
    sick = _sick_one(published)
    absences = [NewAbsence(sick, SICK_FIRST, SICK_LAST)]
    problem = replan_problem(tiny, published, TODAY, absences)
    result = solve(problem, TINY_OPTIONS, hint=published)
    assert result.has_roster
    return sick, absences, problem, result


def test_sick_replan_keeps_the_frozen_past_exactly(published, sick_replan):
    _, _, _, result = sick_replan
    before = {r for r in rows_of(published) if r[3] < TODAY}
    assert before  # Mon..Wed morning happened
    # (a) every row that started before today is kept, (b) nothing is added before today
    assert {r for r in rows_of(result.roster) if r[3] < TODAY} == before


def test_sick_replan_removes_the_sick_days_and_passes_the_rules(published, sick_replan):
    sick, _, problem, result = sick_replan
    assert sum(1 for a in published.assignments if a.employee_id == sick and SICK_FIRST <= a.date <= SICK_LAST) >= 2
    assert [a for a in result.roster.assignments if a.employee_id == sick and SICK_FIRST <= a.date <= SICK_LAST] == []
    assert hard_violations(problem, result.roster) == []


def test_sick_replan_only_calls_colleagues_in(published, sick_replan):
    """A removed published shift costs 10000 (30000 inside the 96 h notice) and a gap 7.5 h x (1000 +
    100) = 8250, a call-in 600: taking a colleague's shift pays only if it frees her for two gaps,
    which this roster does not offer, so no colleague loses or moves a published shift. Every change
    besides the sick days is a call-in on a day off."""
    sick, _, problem, result = sick_replan
    changed = changed_days(published, result.roster)
    old = by_day(published)
    assert {(e, d) for e, d in changed if e == sick} == {
        (e, d) for (e, d) in old if e == sick and SICK_FIRST <= d <= SICK_LAST
    }
    assert all(key not in old for key in changed if key[0] != sick)
    changes = change_list(problem, published, result.roster)
    assert {(c.employee_id, c.date) for c in changes} == changed
    for c in changes:
        if c.employee_id == sick:
            assert c.new == "" and c.old
        else:
            assert c.old == "" and c.new


def test_sick_days_earn_no_late_change_supplement(sick_replan):
    sick, _, problem, result = sick_replan
    found = [v for v in check_roster(problem, result.roster) if v.rule_id == "plan.change_notice"]
    assert [v.message for v in found if v.employee_id == sick] == []


def test_sick_replan_objective_equals_the_recomputed_score(sick_replan):
    """_post_changes and _score_changes price the same changes (at the optimum, slack is tight)."""
    _, _, problem, result = sick_replan
    assert result.status == "OPTIMAL"
    assert sum(line.points for line in score(problem, result.roster)) == pytest.approx(result.objective, abs=0.01)


def test_sick_replan_changes_less_than_a_full_resolve(tiny, published, sick_replan):
    """Solving the scenario-with-absence from scratch knows nothing of the published roster, so it
    re-shuffles the whole week (35 changed employee-days against 5 when this was written); the
    re-plan changes only the sick days and the call-ins."""
    sick, absences, _, result = sick_replan
    fresh = solve(build_problem(with_absences(tiny, absences)), TINY_OPTIONS)
    assert fresh.has_roster
    replanned, resolved = changed_days(published, result.roster), changed_days(published, fresh.roster)
    assert len(replanned) < len(resolved)
    lost = [a for a in published.assignments if a.employee_id == sick and SICK_FIRST <= a.date <= SICK_LAST]
    assert len(replanned) <= 2 * len(lost)  # her sick days plus at most one call-in per shift she lost


@pytest.mark.parametrize(
    "monday, called_in",
    [
        ("aften", False),  # Mon 15-23 then Tue 07-15: 8 h rest < 11 h; the locked late shift forbids it
        ("dag", True),  # Mon 07-15 then Tue 07-15: 16 h rest; e1 is called in
    ],
)
def test_rest_rules_hold_across_the_frozen_boundary(monday, called_in):
    """e2 is sick on Tuesday; at 05:00 only e1 could cover the dag. Covering (200 x 3 = 600 points)
    is much cheaper than 8 h below min (8000), so only the rest after e1's worked Monday shift,
    which lies in the frozen past, can stop it."""
    sc = scenario_from_data(scenario([emp("e1"), emp("e2")], demand=[need("dag", "2026-01-06")]))
    problem0 = build_problem(sc)
    monday_times = {"aften": ("2026-01-05T15:00", "2026-01-05T23:00"), "dag": ("2026-01-05T07:00", "2026-01-05T15:00")}
    published = Roster(
        (row(problem0, "e1", *monday_times[monday]), row(problem0, "e2", "2026-01-06T07:00", "2026-01-06T15:00"))
    )
    problem = replan_problem(sc, published, T("2026-01-06T05:00"), [parse_absence("e2:2026-01-06")])
    result = solve(problem, OPTIONS, hint=published)
    assert result.has_roster
    expected = [("2026-01-05", monday), *([("2026-01-06", "dag")] if called_in else [])]
    assert worked(result, "e1") == expected
    assert worked(result, "e2") == []
    assert hard_violations(problem, result.roster) == []
    assert term_amount(problem, result.roster, "understaffed_min") == (0 if called_in else 8)


def test_sick_during_a_worked_shift_still_replans(tiny, published):
    first = min(
        (a for a in published.assignments if a.date == D("2026-03-31") and a.shift_id == "aften"),
        key=lambda a: a.employee_id,
    )
    who = first.employee_id
    today = first.start + dt.timedelta(hours=1)  # 16:00, one hour into her shift
    problem = replan_problem(tiny, published, today, [parse_absence(f"{who}:2026-03-31..2026-04-01")])
    result = solve(problem, TINY_OPTIONS, hint=published)
    assert result.has_roster, result.conflicts
    mine = {(a.date, a.shift_id) for a in result.roster.assignments if a.employee_id == who}
    assert (first.date, first.shift_id) in mine  # it happened
    assert not any(day == D("2026-04-01") for day, _ in mine)


# 5. agency staff (vikar_pool) ------------------------------------------------------------------------------

POOL_TODAY = T("2026-03-31T06:30")
POOL_ABSENCE = "e03:2026-03-31..2026-04-01"
BILLIG = "  - {id: billig, competences: [ssa], hourly_cost: 410, people: 2}\n"
DYR = "  - {id: dyr, competences: [ssa], hourly_cost: 620, people: 2}\n"


def _tiny_with_pool(folder: Path, *supplies: str) -> Path:
    path = folder / f"tiny_pool_{len(supplies)}.yaml"
    path.write_text(TINY.read_text(encoding="utf-8") + "vikar_pool:\n" + "".join(supplies), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pool_published(tiny):
    """A tiny roster, optimal with e03 on aften on 31 Mar and 1 Apr, kept as a file: the hand values
    below rest on its shape (which colleague could be called in), and of several optimal rosters the
    solver's path picks one. A check of the file: within every rule, and as good as a fresh solve."""
    roster = read_roster(DATA / "tiny_pool_published.csv")
    problem = build_problem(tiny)
    assert hard_violations(problem, roster) == []
    pins = Roster(tuple(row(problem, "e03", f"{day}T15:00", f"{day}T23:00") for day in ("2026-03-31", "2026-04-01")))
    pinned = with_locks(problem, pins, "pins")
    result = solve(pinned, TINY_OPTIONS)
    assert result.status == "OPTIMAL" and total_points(pinned, roster) == pytest.approx(result.objective)
    return roster


def _e03_gap(published: Roster) -> list[Assignment]:
    """e03's published shifts on the sick days; the test's hand values assume two aften (7.5 h each)."""
    rows = [a for a in published.assignments if a.employee_id == "e03" and D("2026-03-31") <= a.date <= D("2026-04-01")]
    assert [a.shift_id for a in rows] == ["aften", "aften"], "precondition from the published fixture"
    return rows


def test_without_a_pool_the_gap_stays_understaffed(tiny, pool_published):
    _e03_gap(pool_published)
    problem = replan_problem(tiny, pool_published, POOL_TODAY, [parse_absence(POOL_ABSENCE)])
    result = solve(problem, TINY_OPTIONS, hint=pool_published)
    assert result.has_roster
    # No own employee can be called in for either aften under the rules (a call-in would cost
    # 200 x 3 = 600 against 8250 a gap), and moving a colleague would cost 10000 x 3 per shift taken:
    # 2 shifts x 7.5 h stay below min.
    assert term_amount(problem, result.roster, "understaffed_min") == pytest.approx(15.0)
    assert vikar_use(problem, result.roster.worked(problem)) == (0, 0)


def test_pool_books_the_cheaper_agency_and_reports_hours_and_kr(tmp_path, pool_published):
    _e03_gap(pool_published)
    sc = load_scenario(_tiny_with_pool(tmp_path, DYR, BILLIG))
    problem = replan_problem(sc, pool_published, POOL_TODAY, [parse_absence(POOL_ABSENCE)])
    assert [s.id for s in problem.employees][-4:] == ["dyr-1", "dyr-2", "billig-1", "billig-2"]
    result = solve(problem, TINY_OPTIONS, hint=pool_published)
    assert result.has_roster
    worked_ = result.roster.worked(problem)
    vikars = {s.id for s in problem.employees if s.is_vikar}
    vikar_rows = [a for a in result.roster.assignments if a.employee_id in vikars]
    # Both aften shifts go to the agency at 300 points/h (billig) rather than round(300 x 620 / 410) =
    # 454 (dyr) or 8250 points a shift below min and target.
    assert sorted((a.date, a.shift_id) for a in vikar_rows) == [(D("2026-03-31"), "aften"), (D("2026-04-01"), "aften")]
    assert {a.employee_id.rsplit("-", 1)[0] for a in vikar_rows} == {"billig"}
    assert term_amount(problem, result.roster, "understaffed_min") == 0
    assert vikar_use(problem, worked_) == (15.0, 6150.0)  # 2 x 7.5 h x 410 kr
    vikar_lines = [line for line in score(problem, result.roster) if line.term == "vikar"]
    assert sum(line.points for line in vikar_lines) == pytest.approx(15 * 300)
    summary = summarize(problem, result, [])
    assert (summary.vikar_hours, summary.vikar_cost) == (15.0, 6150.0)
    # Each agency's hours at its own rate: one aften each -> 7.5 x 410 + 7.5 x 620 = 3075 + 4650 kr.
    mixed = Roster(
        (
            row(problem, "billig-2", "2026-03-31T15:00", "2026-03-31T23:00"),
            row(problem, "dyr-1", "2026-04-01T15:00", "2026-04-01T23:00"),
        )
    )
    assert vikar_use(problem, mixed.worked(problem)) == (15.0, 7725.0)
    assert {line.key: line.points for line in score(problem, mixed) if line.term == "vikar"} == {
        "billig-2": 7.5 * 300,
        "dyr-1": 7.5 * 454,
    }
    assert hard_violations(problem, result.roster) == []
    # Change list: the bookings are listed, never as late changes (a booking is not a varsling),
    # while e03's cancelled shifts are inside the 96 h notice.
    changes = change_list(problem, pool_published, result.roster)
    assert {(c.employee_id.split("-")[0], c.date, c.old, c.new, c.inside_notice) for c in changes} == {
        ("billig", D("2026-03-31"), "", "aften", False),
        ("billig", D("2026-04-01"), "", "aften", False),
        ("e03", D("2026-03-31"), "aften", "", True),
        ("e03", D("2026-04-01"), "aften", "", True),
    }


def test_replan_cli_summary_shows_the_agency_staff(tmp_path, pool_published):
    _e03_gap(pool_published)
    sc = _tiny_with_pool(tmp_path, BILLIG)
    roster = tmp_path / "pool_published.csv"
    write_roster(roster, pool_published)
    out = tmp_path / "new.csv"
    result = invoke(
        "replan",
        sc,
        roster,
        "-o",
        out,
        "--absence",
        POOL_ABSENCE,
        "--today",
        "2026-03-31T06:30",
        "-t",
        10,
        "--workers",
        1,
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert "agency staff (vikar) │ 15.0 h, 6,150 kr" in flat(result.output)


def _pool_data(pool, employees=None):
    return scenario(employees or [emp("e1")], vikar_pool=pool)


@pytest.mark.parametrize(
    "pool, employees, where, message",
    [
        (
            [{"id": "v", "competences": ["ssh", "sygeplejerske"], "hourly_cost": 400}],
            None,
            "vikar_pool[0] (v).competences[1]",
            "unknown competence 'sygeplejerske'; known: ssa, ssh",
        ),
        (
            [{"id": "v", "competences": ["ssh"], "hourly_cost": 400, "agreement": "bureau"}],
            None,
            "vikar_pool[0] (v).agreement",
            "unknown agreement 'bureau'",
        ),
        (
            [
                {"id": "v", "competences": ["ssh"], "hourly_cost": 400},
                {"id": "v", "competences": ["ssa"], "hourly_cost": 500},
            ],
            None,
            "vikar_pool[1].id",
            "duplicate id 'v' (also vikar_pool[0])",
        ),
        (
            [{"id": "vikar", "competences": ["ssh"], "hourly_cost": 400}],
            [emp("e1"), emp("vikar-1")],
            "vikar_pool[0].id",
            "the pool's people are named vikar-1.., which clashes with employee 'vikar-1'",
        ),
        (
            [{"id": "vikar", "competences": ["ssh"], "hourly_cost": 400, "people": 3}],
            [emp("e1"), emp("vikar-3")],
            "vikar_pool[0].id",
            "clashes with employee 'vikar-3'",
        ),
    ],
)
def test_vikar_pool_crosscheck(pool, employees, where, message):
    with pytest.raises(InputError) as caught:
        scenario_from_data(_pool_data(pool, employees))
    assert [(i.where, message in i.message) for i in caught.value.issues] == [(where, True)]


def test_vikar_pool_without_a_clash_loads_and_adds_numbered_people():
    # vikar-3 is not one of a 2-person pool's names (vikar-1, vikar-2).
    sc = scenario_from_data(
        _pool_data(
            [{"id": "vikar", "competences": ["ssh"], "hourly_cost": 400, "people": 2}], [emp("e1"), emp("vikar-3")]
        )
    )
    staff = build_problem(sc).employees
    assert [(s.id, s.is_vikar, s.vikar_cost) for s in staff] == [
        ("e1", False, None),
        ("vikar-3", False, None),
        ("vikar-1", True, 400),
        ("vikar-2", True, 400),
    ]


def test_vikar_pool_error_in_a_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "pool.yaml"
    path.write_text(
        TINY.read_text(encoding="utf-8") + "vikar_pool:\n  - {id: v, competences: [nurse], hourly_cost: 400}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    line = len(TINY.read_text(encoding="utf-8").splitlines()) + 2
    assert f"{path}:{line}: vikar_pool[0] (v).competences[0]: unknown competence 'nurse'" in str(caught.value)


def _vikar_scenario(agreement: str):
    """e1 is sick all week; the agency's one person (agreement none, the default) is asked for
    Mon aften (15-23) and Tue dag (07-15): 8 h apart, so the law (rest.daily, 11 h) allows one."""
    return scenario(
        [emp("e1", agreement=agreement, absences=[{"kind": "sygdom", "from": "2026-01-05", "to": "2026-01-11"}])],
        demand=[need("aften", "2026-01-05"), need("dag", "2026-01-06")],
        vikar_pool=[{"id": "v", "competences": ["ssh"], "hourly_cost": 400}],
    )


def test_vikar_is_bound_by_the_law_when_staff_share_the_agreement():
    result = run(build(_vikar_scenario("none")))
    assert result.has_roster
    assert len(worked(result, "v-1")) == 1  # one shift, the other stays below min


def test_vikar_is_bound_by_the_law_when_staff_are_on_an_agreement():
    result = run(build(_vikar_scenario("foa")))
    assert result.has_roster
    assert len(worked(result, "v-1")) == 1


def test_checker_applies_the_law_to_a_vikar_when_staff_are_on_an_agreement():
    problem = build(_vikar_scenario("foa"))
    rows = Roster(
        (
            row(problem, "v-1", "2026-01-05T15:00", "2026-01-05T23:00"),
            row(problem, "v-1", "2026-01-06T07:00", "2026-01-06T15:00"),
        )
    )
    assert [v.rule_id for v in check_roster(problem, rows)] == ["rest.daily"]


# 6. weights of changes -------------------------------------------------------------------------------------


def test_changes_inside_the_notice_cost_late_change_factor_times_more():
    """Re-planned from Mon 07:00; the notice is 96 h (until Fri 07:00, exclusive)."""
    sc = scenario_from_data(scenario([emp("e1"), emp("e2")], weights={"late_change_factor": 4}))
    p0 = build_problem(sc)
    published = Roster(
        (
            row(p0, "e1", "2026-01-06T07:00", "2026-01-06T15:00"),  # Tue, 24 h ahead
            row(p0, "e1", "2026-01-08T07:00", "2026-01-08T15:00"),  # Thu: e1 falls sick
            row(p0, "e1", "2026-01-10T07:00", "2026-01-10T15:00"),
        )
    )  # Sat, 120 h ahead
    problem = replan_problem(sc, published, T("2026-01-05T07:00"), [parse_absence("e1:2026-01-08")])
    new = Roster(
        (
            row(problem, "e2", "2026-01-07T07:00", "2026-01-07T15:00"),  # Wed, 48 h: inside
            row(problem, "e2", "2026-01-09T07:00", "2026-01-09T15:00"),  # Fri, exactly 96 h: outside
            row(problem, "e2", "2026-01-11T07:00", "2026-01-11T15:00"),
        )
    )  # Sun, 144 h: outside
    lines = {
        (line.term, line.key): line.points
        for line in score(problem, new)
        if line.term in ("shift_removed", "shift_added")
    }
    assert lines == {
        ("shift_removed", "e1 dag 2026-01-06"): 10000 * 4,
        ("shift_removed", "e1 dag 2026-01-10"): 10000,
        # Thu's removal is the absence's doing, not the re-plan's: not priced
        ("shift_added", "e2 dag 2026-01-07"): 200 * 4,
        ("shift_added", "e2 dag 2026-01-09"): 200,
        ("shift_added", "e2 dag 2026-01-11"): 200,
    }
    notice = {(c.employee_id, c.date.isoformat()): c.inside_notice for c in change_list(problem, published, new)}
    assert notice == {
        ("e1", "2026-01-06"): True,
        ("e1", "2026-01-08"): True,
        ("e1", "2026-01-10"): False,
        ("e2", "2026-01-07"): True,
        ("e2", "2026-01-09"): False,
        ("e2", "2026-01-11"): False,
    }


def test_the_frozen_past_is_neither_priced_nor_listed():
    """Re-planned from Mon 12:00: Mon's dag (07-15) started before, so a roster without it shows no
    change and no removal (in a real re-plan the lock keeps it anyway)."""
    sc = scenario_from_data(scenario([emp("e1")]))
    p0 = build_problem(sc)
    published = Roster(
        (row(p0, "e1", "2026-01-05T07:00", "2026-01-05T15:00"), row(p0, "e1", "2026-01-06T07:00", "2026-01-06T15:00"))
    )
    problem = replan_problem(sc, published, T("2026-01-05T12:00"), [])
    new = Roster((row(problem, "e1", "2026-01-06T07:00", "2026-01-06T15:00"),))
    assert change_list(problem, published, new) == []
    assert [line for line in score(problem, new) if line.term in ("shift_removed", "shift_added")] == []
    assert problem.employees[0].preassigned == ((D("2026-01-05"), "dag"),)  # locked


def test_the_notice_is_the_employees_agreement_term():
    """With a 24 h notice for agreement none, Tue 07:00 (24 h ahead) is no longer inside it."""
    sc = scenario_from_data(scenario([emp("e1")], agreements={"none": {"terms": {"change_notice_hours": 24}}}))
    p0 = build_problem(sc)
    published = Roster(
        (
            row(p0, "e1", "2026-01-05T15:00", "2026-01-05T23:00"),  # Mon, 8 h ahead
            row(p0, "e1", "2026-01-06T07:00", "2026-01-06T15:00"),
        )
    )  # Tue, 24 h ahead
    problem = replan_problem(sc, published, T("2026-01-05T07:00"), [])
    lines = {line.key: line.points for line in score(problem, Roster(())) if line.term == "shift_removed"}
    assert lines == {"e1 aften 2026-01-05": 30000, "e1 dag 2026-01-06": 10000}


def test_the_solver_prefers_calling_in_to_moving_a_colleague():
    """e2 sick Wed; e1 has Wed off and e3 works Wed aften. Moving e3 to the dag would cost a removal
    (10000 x 3) plus an addition; calling e1 in costs 200 x 3. Both aften and dag stay covered."""
    sc = scenario_from_data(
        scenario([emp("e1"), emp("e2"), emp("e3")], demand=[need("dag", "2026-01-07"), need("aften", "2026-01-07")])
    )
    p0 = build_problem(sc)
    published = Roster(
        (row(p0, "e2", "2026-01-07T07:00", "2026-01-07T15:00"), row(p0, "e3", "2026-01-07T15:00", "2026-01-07T23:00"))
    )
    problem = replan_problem(sc, published, T("2026-01-06T12:00"), [parse_absence("e2:2026-01-07")])
    result = solve(problem, OPTIONS, hint=published)
    assert worked(result) == [("2026-01-07", "dag"), ("2026-01-07", "aften")]
    assert worked(result, "e1") == [("2026-01-07", "dag")]
    assert [(c.employee_id, c.old, c.new, c.inside_notice) for c in change_list(problem, published, result.roster)] == [
        ("e1", "", "dag", True),
        ("e2", "dag", "", True),
    ]


# 7. solve --lock / --hint ----------------------------------------------------------------------------------


def _lock_scenario(folder: Path) -> Path:
    """Two employees, a dag each weekday; no demand for nights."""
    return write_json(folder / "sc.json", scenario([emp("e1"), emp("e2")], demand=[need("dag", days=["weekdays"])]))


def test_solve_lock_keeps_the_locked_rows(tmp_path):
    sc = _lock_scenario(tmp_path)
    # A nat has no demand: only the lock can put e2 on it. And e1 on Thu's dag.
    lock = write_csv_roster(tmp_path / "locked.csv", "e2,2026-01-07,nat,23:00,07:00", "e1,2026-01-08,dag,07:00,15:00")
    out = tmp_path / "roster.csv"
    result = invoke("solve", sc, "-o", out, "--lock", lock, "-t", 10, "--workers", 1, "-q")
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as handle:
        rows = {(r["employee_id"], r["date"], r["shift_id"]) for r in csv.DictReader(handle)}
    assert {("e2", "2026-01-07", "nat"), ("e1", "2026-01-08", "dag")} <= rows
    assert ("e2", "2026-01-08", "dag") not in rows  # 23-07 then 07-15: no rest at all
    assert {(d, s) for _, d, s in rows if s == "dag"} == {(f"2026-01-0{n}", "dag") for n in range(5, 10)}


@pytest.mark.parametrize(
    "line, fragment",
    [
        (
            "e1,2026-01-07,dag,08:00,16:00",
            (
                "column shift_id: dag 2026-01-07 is not one of the scenario's shifts at "
                "these times; only those can be locked"
            ),
        ),
        ("e1,2026-01-07,sen,17:00,21:00", "column shift_id: sen 2026-01-07 is not one of the scenario's shifts"),
        ("e1,2026-02-07,dag,07:00,15:00", "column shift_id: dag 2026-02-07 is not one of the scenario's shifts"),
        ("e9,2026-01-07,dag,07:00,15:00", "column employee_id: unknown employee 'e9'"),
    ],
)
def test_solve_lock_that_is_no_scenario_shift_is_bad_input(tmp_path, line, fragment):
    sc = _lock_scenario(tmp_path)
    lock = write_csv_roster(tmp_path / "locked.csv", "e2,2026-01-05,dag,07:00,15:00", line)
    out = tmp_path / "roster.csv"
    result = invoke("solve", sc, "-o", out, "--lock", lock, "-t", 10, "--workers", 1, "-q")
    assert result.exit_code == 2, result.output
    assert f"{lock}: row 3: {fragment}" in flat(result.output)
    assert "row 2" not in result.output  # the good row is not reported
    assert "Traceback" not in result.output and not out.exists()


def test_solve_hint_runs_and_gives_a_valid_roster(tmp_path):
    sc = _lock_scenario(tmp_path)
    first = tmp_path / "first.csv"
    assert invoke("solve", sc, "-o", first, "-t", 10, "--workers", 1, "-q").exit_code == 0
    out = tmp_path / "hinted.csv"
    result = invoke("solve", sc, "-o", out, "--hint", first, "-t", 10, "--workers", 1, "-q")
    assert result.exit_code == 0, result.output
    problem = build_problem(load_scenario(sc))
    roster = read_roster(out)
    assert check_roster(problem, roster) == []
    # Every weekday's dag is covered (contract hours pull both employees towards 37 h: no min gap).
    assert {a.date.isoformat() for a in roster.assignments if a.shift_id == "dag"} == {
        f"2026-01-0{n}" for n in range(5, 10)
    }


def _nord():
    """hjemmepleje_nord and the compliant roster the web view's tests start from."""
    root = Path(__file__).resolve().parent.parent
    return (
        build_problem(load_scenario(root / "scenarios" / "hjemmepleje_nord.yaml")),
        read_roster(root / "tests" / "data" / "web" / "hjemmepleje_nord.csv"),
    )


def test_a_hint_is_where_a_short_solve_starts_on_a_real_plan():
    """hjemmepleje_nord (60 employees, 4 weeks) from a compliant roster of 2,827 points (2,720
    before Sundays worked cost a point each): with only the shifts hinted, CP-SAT gave up
    completing the hint, and a 4 s solve found no roster at all (10 s: 11,967 points). Completed
    first, the hint is the search's first roster."""
    problem, hint = _nord()
    assert check_roster(problem, hint) == [] and total_points(problem, hint) == 2827
    result = solve(problem, SolveOptions(time_limit=4, seed=1, workers=2), hint=hint)
    assert result.has_roster and check_roster(problem, result.roster) == []
    assert total_points(problem, result.roster) <= 2827
    assert result.wall_time <= 4 + 1


def test_a_hint_that_breaks_a_lock_is_repaired_by_the_search():
    """A hint that a lock contradicts (the employee locked on another shift that day) cannot be
    completed with its shifts fixed: the search goes on from it as CP-SAT repairs it."""
    problem, hint = _nord()
    first = hint.assignments[0]
    other = next(r for r in hint.assignments if r.employee_id == first.employee_id and r.shift_id != first.shift_id)
    shift = problem.instance(first.date, other.shift_id)
    lock = Assignment(first.employee_id, first.date, other.shift_id, shift.start_local, shift.end_local)
    problem = with_locks(problem, Roster((lock,)), "locks")
    result = solve(problem, SolveOptions(time_limit=8, seed=1, workers=2), hint=hint)
    assert result.has_roster and check_roster(problem, result.roster) == []
    assert {
        (r.date, r.shift_id)
        for r in result.roster.assignments
        if r.employee_id == first.employee_id and r.date == first.date
    } == {(first.date, other.shift_id)}


def test_solve_hint_with_an_unknown_employee_is_bad_input(tmp_path):
    sc = _lock_scenario(tmp_path)
    hint = write_csv_roster(tmp_path / "hint.csv", "e1,2026-01-05,dag,07:00,15:00", "e9,2026-01-06,dag,07:00,15:00")
    out = tmp_path / "roster.csv"
    result = invoke("solve", sc, "-o", out, "--hint", hint, "-t", 10, "--workers", 1, "-q")
    assert result.exit_code == 2
    assert f"{hint}: row 3: column employee_id: unknown employee 'e9'" in flat(result.output)
    assert not out.exists()


# 8. rostering replan ---------------------------------------------------------------------------------------


@pytest.fixture()
def published_csv(tmp_path, published) -> Path:
    path = tmp_path / "published.csv"
    write_roster(path, published)
    return path


def _replan(published_csv: Path, out: Path, *extra: object):
    return invoke("replan", TINY, published_csv, "-o", out, "-t", 10, "--workers", 1, "-q", *extra)


def test_replan_cli_writes_roster_and_change_list(tmp_path, published, published_csv):
    sick = _sick_one(published)
    out = tmp_path / "new.csv"
    result = _replan(
        published_csv,
        out,
        "--absence",
        f"{sick}:{SICK_FIRST}..{SICK_LAST}",
        "--today",
        TODAY.isoformat(timespec="minutes"),
    )
    assert result.exit_code == 0, result.output
    changes_path = tmp_path / "new_changes.csv"
    text = changes_path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "employee_id,date,old,new,inside_notice"
    records = list(csv.DictReader(text.splitlines()))
    assert records and all(r["inside_notice"] in ("yes", "no") for r in records)
    # The sick days start 27 h or more after Wed 12:00; Thu 15:00 is inside 96 h, so at least one "yes".
    sick_rows = [r for r in records if r["employee_id"] == sick]
    assert {r["date"] for r in sick_rows} == {
        a.date.isoformat() for a in published.assignments if a.employee_id == sick and SICK_FIRST <= a.date <= SICK_LAST
    }
    assert all(r["new"] == "" for r in sick_rows) and any(r["inside_notice"] == "yes" for r in sick_rows)
    new = read_roster(out)
    assert {(r["employee_id"], r["date"]) for r in records} == {
        (e, d.isoformat()) for e, d in changed_days(published, new)
    }
    output = flat(result.output)
    assert f"{len(records)} change(s)" in output and f"change list written to {changes_path}" in output
    assert sorted(os.listdir(tmp_path)) == ["new.csv", "new_changes.csv", "published.csv"]  # no temp files


def test_replan_cli_changes_as_json(tmp_path, published, published_csv):
    sick = _sick_one(published)
    out = tmp_path / "new.json"
    target = tmp_path / "x.json"
    result = _replan(
        published_csv,
        out,
        "--absence",
        f"{sick}:{SICK_FIRST}..{SICK_LAST}:kursus",
        "--today",
        "2026-04-01T12:00",
        "--changes",
        target,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data and set(data[0]) == {"employee_id", "date", "old", "new", "inside_notice"}
    assert all(isinstance(c["inside_notice"], bool) for c in data)
    assert any(c["employee_id"] == sick and c["new"] == "" for c in data)
    roster = json.loads(out.read_text(encoding="utf-8"))
    assert roster["summary"]["violations"] == 0
    assert sorted(os.listdir(tmp_path)) == ["new.json", "published.csv", "x.json"]  # no temp, no default CSV


def test_replan_cli_without_news_has_no_changes(tmp_path, published_csv):
    out = tmp_path / "new.csv"
    result = _replan(published_csv, out, "--today", "2026-04-01T12:00")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new_changes.csv").read_text(encoding="utf-8") == "employee_id,date,old,new,inside_notice\n"
    assert "0 change(s), 0 inside the notice period" in flat(result.output)


@pytest.mark.parametrize(
    "extra, fragments",
    [
        (("--today", "tomorrow"), ["--today", "'tomorrow' is not a local ISO date-time"]),
        (("--today", "2026-04-01T12:00+01:00"), ["--today", "+01:00"]),  # not the zone's offset that day
        (("--today", "2026-04-01T12:00", "--absence", "e99:2026-04-02"), ["--absence", "'e99': unknown employee"]),
        (
            ("--today", "2026-04-01T12:00", "--absence", "e01:2026-04-03..2026-04-02"),
            ["--absence", "ends (2026-04-02)"],
        ),
        (("--today", "2026-04-01T12:00", "--absence", "e01:2026-04-02:flu"), ["--absence", "unknown kind 'flu'"]),
    ],
)
def test_replan_cli_bad_input_exits_2(tmp_path, published_csv, extra, fragments):
    out = tmp_path / "new.csv"
    result = _replan(published_csv, out, *extra)
    assert result.exit_code == 2, result.output
    for fragment in fragments:
        assert fragment in flat(result.output)
    assert "Traceback" not in result.output
    assert sorted(os.listdir(tmp_path)) == ["published.csv"]


def test_replan_cli_published_row_that_cannot_be_locked_is_bad_input(tmp_path):
    """A worked row before --today must be a scenario shift at its times to be locked."""
    published = write_csv_roster(tmp_path / "published.csv", "e01,2026-03-30,dag,08:00,16:00")
    out = tmp_path / "new.csv"
    result = _replan(published, out, "--today", "2026-04-01T12:00")
    assert result.exit_code == 2
    assert f"{published}: row 2: column shift_id: dag 2026-03-30 is not one of the scenario's shifts" in flat(
        result.output
    )
    assert not out.exists()


def test_write_changes_csv_and_json(tmp_path):
    changes = [Change("e1", D("2026-01-06"), "dag", "", True), Change("e2", D("2026-01-07"), "", "aften+nat", False)]
    write_changes(tmp_path / "c.csv", changes)
    assert (tmp_path / "c.csv").read_text(encoding="utf-8") == (
        "employee_id,date,old,new,inside_notice\ne1,2026-01-06,dag,,yes\ne2,2026-01-07,,aften+nat,no\n"
    )
    write_changes(tmp_path / "c.JSON", changes)
    assert json.loads((tmp_path / "c.JSON").read_text(encoding="utf-8")) == [
        {"employee_id": "e1", "date": "2026-01-06", "old": "dag", "new": "", "inside_notice": True},
        {"employee_id": "e2", "date": "2026-01-07", "old": "", "new": "aften+nat", "inside_notice": False},
    ]
    assert sorted(os.listdir(tmp_path)) == ["c.JSON", "c.csv"]


# 9. what a re-plan covers: the absence's gaps, or every gap (--fill-other-gaps) ---------------------------

SCOPE_TODAY = T("2026-01-06T05:00")


def _scope_case():
    """e1 works Tuesday's dag and falls ill that morning; Thursday's dag has been empty since the
    roster was published. Covering Tuesday (a call-in, 200 x 3 inside the notice) is the re-plan's
    job; Thursday's old gap is not, unless asked: filling it costs another call-in."""
    sc = scenario_from_data(
        scenario([emp("e1"), emp("e2")], demand=[need("dag", "2026-01-06"), need("dag", "2026-01-08")])
    )
    problem0 = build_problem(sc)
    published = Roster((row(problem0, "e1", "2026-01-06T07:00", "2026-01-06T15:00", competence="ssh"),))
    problem = replan_problem(sc, published, SCOPE_TODAY, [parse_absence("e1:2026-01-06")])
    return problem, published


def test_only_the_absence_gaps_caps_demand_at_the_published_heads():
    problem, published = _scope_case()
    scoped = only_the_absence_gaps(problem, published)
    tuesday, thursday = (problem.day_index[D(d)] for d in ("2026-01-06", "2026-01-08"))
    assert problem.demand[(thursday, "dag", "ssh")].min == 1
    assert scoped.demand[(thursday, "dag", "ssh")] == replace(problem.demand[(thursday, "dag", "ssh")], min=0, target=0)
    assert scoped.demand[(tuesday, "dag", "ssh")] == problem.demand[(tuesday, "dag", "ssh")]  # her head counts
    assert only_the_absence_gaps(problem, Roster(())).demand[(tuesday, "dag", "ssh")].target == 0


def test_left_by_absence_takes_only_her_shifts_from_today():
    problem, published = _scope_case()
    assert left_by_absence(problem, published).assignments == ()
    earlier = replace(problem, frozen_until=problem.timeline.minute(T("2026-01-06T08:00")))  # she began it
    assert left_by_absence(earlier, published) == published


@pytest.mark.parametrize("fill", [False, True])
def test_a_replan_covers_the_absence_and_fills_old_gaps_only_when_asked(fill):
    problem, published = _scope_case()
    solved_on = problem if fill else only_the_absence_gaps(problem, published)
    verified = checked_on(problem, solve_and_verify(solved_on, OPTIONS, hint=published))
    assert verified.result.status == "OPTIMAL"
    changes = {
        (c.employee_id, str(c.date), c.old, c.new) for c in change_list(problem, published, verified.result.roster)
    }
    covered = {("e1", "2026-01-06", "dag", ""), ("e2", "2026-01-06", "", "dag")}
    thursday = {(e, "2026-01-08", "", "dag") for e in ("e1", "e2")}
    assert covered <= changes and len(changes & thursday) == (1 if fill else 0) and len(changes) == 2 + fill
    # The summary tells the real scenario: Thursday's 8 h below min show when they stay.
    assert verified.problem is problem and verified.blocking == ()
    assert sum(c.under_min_hours for c in verified.summary.coverage) == (0 if fill else 8)
    assert verified.summary.objective == pytest.approx(total_points(problem, verified.result.roster))
    assert gaps_left(problem, published, verified.result.roster) == GapsLeft(absence=0, other=0 if fill else 1)


def test_gaps_left_counts_the_absence_gap_still_open():
    problem, published = _scope_case()
    assert gaps_left(problem, published, Roster(())) == GapsLeft(absence=1, other=1)


SOLBAKKEN = Path(__file__).resolve().parent.parent / "scenarios" / "plejehjem_solbakken.yaml"
#: `rostering solve scenarios/plejehjem_solbakken.yaml -t 6 --seed 1 --workers 1`: a short solve's
#: roster, 174,492 points, 97.5 h below min in 8 slots: old gaps a re-plan could fill.
SOLBAKKEN_6S = DATA / "replan" / "plejehjem_solbakken_6s.csv"
LOST = D("2026-05-05")  # e007's aften that Tuesday: the issue's one lost shift


@pytest.fixture(scope="module")
def solbakken_replan():
    published = read_roster(SOLBAKKEN_6S)
    problem = replan_problem(
        load_scenario(SOLBAKKEN), published, T("2026-05-05T00:00"), [parse_absence("e007:2026-05-05")]
    )
    return problem, published


def _solbakken_changes(solbakken_replan, fill: bool):
    problem, published = solbakken_replan
    solved_on = problem if fill else only_the_absence_gaps(problem, published)
    verified = checked_on(problem, solve_and_verify(solved_on, TINY_OPTIONS, hint=published))
    assert verified.result.has_roster and verified.blocking == ()
    return verified, change_list(problem, published, verified.result.roster)


def test_solbakken_one_lost_shift_changes_a_few_cells_that_day(solbakken_replan):
    """Issue 43: one lost shift re-planned with every gap priced changed 18 cells for 11 people,
    some 11 days later. Here (seed 1, one worker) it changed 12 cells for 7 people up to 10 days
    away; covering only the absence's gap: 2 cells, that day."""
    problem, published = solbakken_replan
    verified, changes = _solbakken_changes(solbakken_replan, fill=False)
    assert ("e007", LOST, "aften", "") in {(c.employee_id, c.date, c.old, c.new) for c in changes}
    assert len(changes) <= 3 and len({c.employee_id for c in changes}) <= 3
    assert all(abs((c.date - LOST).days) <= 1 for c in changes)
    gaps = gaps_left(problem, published, verified.result.roster)
    assert gaps.absence == 0 and gaps.other > 0  # the old gaps stay, and the summary still shows them
    # Measured on the real problem, no worse than the roster the absence leaves (scope's docstring).
    assert verified.summary.objective <= total_points(problem, left_by_absence(problem, published))
    assert sum(c.under_min_hours for c in verified.summary.coverage) >= 7.5 * gaps.other


def test_solbakken_fill_other_gaps_changes_more_and_leaves_fewer_hours_below_target(solbakken_replan):
    """Filling the old gaps too: 12 changes for 6 people, 427.5 h below target against 503.5 h
    (seed 1, one worker); below min both end at 82.5 h (the scoped roster's heads relabelled)."""
    scoped, scoped_changes = _solbakken_changes(solbakken_replan, fill=False)
    filled, filled_changes = _solbakken_changes(solbakken_replan, fill=True)
    assert len(filled_changes) > len(scoped_changes)
    below = [sum(c.under_target_hours for c in v.summary.coverage) for v in (scoped, filled)]
    assert below[1] < below[0]


def test_replan_cli_leaves_other_gaps_and_says_how_many(tmp_path):
    out = tmp_path / "new.csv"
    common = ("replan", SOLBAKKEN, SOLBAKKEN_6S, "-o", out, "-a", "e007:2026-05-05", "--today", "2026-05-05T00:00")
    result = invoke(*common, "-t", 10, "--workers", 1, "-q")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "No slot the absences emptied stays short" in text and "--fill-other-gaps fills them" in text
    other = int(text.split(" other understaffed slot(s) left as they were")[0].rsplit(" ", 1)[1])
    assert other > 0
    assert len((tmp_path / "new_changes.csv").read_text(encoding="utf-8").splitlines()) - 1 <= 3

    result = invoke(*common, "--fill-other-gaps", "-t", 10, "--workers", 1, "-q")
    assert result.exit_code == 0, result.output
    assert "other understaffed slot(s) remain" in flat(result.output)
    assert len((tmp_path / "new_changes.csv").read_text(encoding="utf-8").splitlines()) - 1 > 3


def test_best_labels_counts_each_head_where_the_demand_needs_it(solbakken_replan):
    """Relabelling moves no shift and never scores worse; a roster whose heads all count for
    their lowest competence (nurses as ssh, ...) gets its below-min points back."""
    problem, published = solbakken_replan
    lowest = {"sygeplejerske": "ssh", "ssa": "ssh"}
    skewed = Roster(tuple(replace(r, competence=lowest.get(r.competence, r.competence)) for r in published.assignments))
    relabelled = best_labels(problem, skewed)
    assert [(r.employee_id, r.date, r.shift_id) for r in relabelled.assignments] == [
        (r.employee_id, r.date, r.shift_id) for r in skewed.assignments
    ]
    points = [total_points(problem, r) for r in (published, skewed, relabelled)]
    assert points[2] < points[1] and points[2] <= points[0]
    assert total_points(problem, best_labels(problem, relabelled)) == points[2]  # optimal: nothing left to gain
    assert "employee.competence" not in {v.rule_id for v in check_roster(problem, relabelled)}
