"""Curtois & Qu benchmark instances: the reader (rostering.io.curtois) on the bundled Instance1, its
errors on malformed files, the independent evaluator (bench/curtois_eval.py) and the engine's
validator on a roster checked by hand, and a solve of Instance1 to its published optimum (607)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench import curtois_merge
from bench.curtois_eval import evaluate
from builders import TINY
from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.domain.problem import build_problem
from rostering.io.curtois import best_known, is_curtois, read_curtois
from rostering.io.roster_file import read_roster
from rostering.io.scenario_file import load_scenario
from rostering.rules.check import check_roster
from rostering.rules.objective import score

DATA = Path(__file__).resolve().parent / "data" / "curtois"
INSTANCE = DATA / "Instance1.txt"
MONDAY = dt.date(2024, 1, 1)
STAFF_A = "A,D=14,4320,3360,5,2,2,1"
# Instance1's cover rows, day -> requirement (weights 100 under, 1 over on every row)
COVER = [5, 7, 6, 4, 5, 5, 5, 6, 7, 4, 2, 5, 6, 4]
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())


def variant(tmp_path: Path, old: str, new: str | None, name: str = "broken.txt") -> tuple[Path, int]:
    """Instance1 with its one line `old` replaced by `new` (None: deleted), CRLF kept; returns the
    file and the 1-based number of the edited line."""
    lines = INSTANCE.read_bytes().decode("ascii").split("\r\n")
    assert lines.count(old) == 1, old
    number = lines.index(old) + 1
    if new is None:
        del lines[number - 1]
    else:
        lines[number - 1] = new
    path = tmp_path / name
    path.write_bytes("\r\n".join(lines).encode("ascii"))
    return path, number


# ------------------------------------------------------------------ reader


def test_reader_maps_instance1_to_a_scenario():
    s = read_curtois(INSTANCE)
    problem = build_problem(s)
    assert s.name == "Instance1" and s.horizon.start == MONDAY and s.horizon.weeks == 2
    assert problem.days == tuple(MONDAY + dt.timedelta(days=d) for d in range(14))
    assert [e.id for e in s.employees] == list("ABCDEFGH")
    (shift,) = s.shift_types
    assert (shift.id, shift.start, shift.end) == ("D", dt.time(6), dt.time(14))
    assert all(problem.instance(day, "D").paid == 480 for day in problem.days)
    # SECTION_DAYS_OFF: one fixed day off each
    days_off = {"A": 0, "B": 5, "C": 8, "D": 2, "E": 9, "F": 5, "G": 1, "H": 7}
    assert {e.id: e.unavailable for e in s.employees} == {
        emp: (MONDAY + dt.timedelta(days=d),) for emp, d in days_off.items()
    }
    # requests: 21 on (want), 5 off (avoid), each with the file's weight
    wishes = {(e.id, w.date, w.kind.value, w.shift, w.weight) for e in s.employees for w in e.wishes}
    assert len(wishes) == 26
    assert sum(1 for w in wishes if w[2] == "want") == 21
    assert {w for w in wishes if w[0] == "B"} == {
        ("B", MONDAY + dt.timedelta(days=d), "want", "D", 3) for d in range(5)
    }
    assert {w for w in wishes if w[0] == "H" and w[2] == "avoid"} == {
        ("H", dt.date(2024, 1, 3), "avoid", "D", 3),
        ("H", dt.date(2024, 1, 4), "avoid", "D", 3),
    }
    assert ("F", dt.date(2024, 1, 9), "avoid", "D", 3) in wishes
    assert ("C", dt.date(2024, 1, 13), "avoid", "D", 1) in wishes
    # cover: target = max = requirement, no hard minimum, weights per head-shift
    cover = {}
    for entry in s.demand:
        assert (entry.shift, entry.competence, entry.min, entry.target) == ("D", "nurse", 0, entry.max)
        for date in entry.dates:
            assert date not in cover
            cover[date] = entry.target
    assert cover == {MONDAY + dt.timedelta(days=d): need for d, need in enumerate(COVER)}
    w = s.weights
    assert (w.staffing_per, w.understaffed_target, w.overstaffed_max, w.wish) == ("shift", 100, 1, 1)
    assert (w.understaffed_min, w.contract_over, w.contract_under, w.fairness_nights, w.fairness_weekends) == (0,) * 5
    # one group of identical limits: one agreement carrying the instance's limits
    assert {e.agreement for e in s.employees} == set(s.agreements) and len(s.agreements) == 1
    rules = next(iter(s.agreements.values())).rules
    assert rules["hours.total_range"] == {"min_hours": 56, "max_hours": 72}  # 3360 / 4320 minutes
    assert rules["shifts.max_consecutive_days"] == {"max_days": 5}
    assert rules["shifts.min_consecutive_days"] == {"min_days": 2}
    assert rules["days_off.min_consecutive"] == {"min_days": 2}
    assert rules["weekend.max_worked"] == {"max_weekends": 1}
    assert rules["shifts.max_per_type"] == {"max_shifts": {"D": 14}}


def test_start_moves_the_horizon_and_load_scenario_detects_the_format():
    s = read_curtois(INSTANCE, dt.date(2024, 3, 4))
    assert s.horizon.start == dt.date(2024, 3, 4)
    people = {e.id: e for e in s.employees}
    assert people["A"].unavailable == (dt.date(2024, 3, 4),) and people["H"].unavailable == (dt.date(2024, 3, 11),)
    assert dt.date(2024, 3, 5) in next(d for d in s.demand if d.target == 7).dates
    assert is_curtois(INSTANCE.read_text()) and not is_curtois(TINY.read_text())
    assert load_scenario(INSTANCE) == read_curtois(INSTANCE)
    assert load_scenario(INSTANCE, "curtois", dt.date(2024, 3, 4)) == s
    with pytest.raises(InputError):
        load_scenario(INSTANCE, "scenario")
    with pytest.raises(InputError, match="not a Curtois"):
        load_scenario(TINY, "curtois")


def test_best_known_reads_the_readme_beside_the_instance(tmp_path):
    best = best_known(INSTANCE)
    assert (best.lower, best.upper) == (607, 607) and best.source.endswith("README.md")
    assert best_known(Path(shutil.copy(INSTANCE, tmp_path / "Instance1.txt"))) is None  # no README there


# ------------------------------------------------------------------ malformed files

MALFORMED = [
    pytest.param(STAFF_A, "A,D=14,4320,33x0,5,2,2,1", "MinTotalMinutes: '33x0' is not a whole number", id="staff-nan"),
    pytest.param("3,D,4,100,1", "3,D,four,100,1", "Requirement: 'four' is not a whole number", id="cover-nan"),
    pytest.param("C,8", "C,14", "day: 14 is out of range (0..13)", id="day-off-outside"),
    pytest.param("H,9,D,1", "H,14,D,1", "day: 14 is out of range (0..13)", id="request-day-outside"),
    pytest.param("13,D,4,100,1", "14,D,4,100,1", "day: 14 is out of range (0..13)", id="cover-day-outside"),
    pytest.param("5,D,5,100,1", "5,N,5,100,1", "unknown shiftid 'N'", id="cover-unknown-shift"),
    pytest.param(STAFF_A, "A,X=14,4320,3360,5,2,2,1", "MaxShifts: unknown shift 'X'", id="maxshifts-unknown-shift"),
    pytest.param("D,480,", "D,480,N", "ForbiddenNext: unknown shift 'N'", id="forbidden-next-unknown-shift"),
    pytest.param("C,12,D,1", "C,12,E,1", "unknown shiftid 'E'", id="request-unknown-shift"),
    pytest.param("H,9,D,1", "Z,9,D,1", "unknown employeeid 'Z'", id="request-unknown-employee"),
    pytest.param("H,7", "Z,7", "unknown employeeid 'Z'", id="days-off-unknown-employee"),
    pytest.param("H,D=14,4320,3360,5,2,2,1", STAFF_A, "employee 'A' is listed twice", id="duplicate-employee"),
    pytest.param("13,D,4,100,1", "12,D,4,100,1", "day 12 shift D is covered twice", id="duplicate-cover"),
    pytest.param("A,3,D,2", "A,2,D,2", "A day 2 D is requested twice", id="duplicate-request"),
    pytest.param("3,D,4,100,1", "3,D,4,100", "SECTION_COVER: 4 field(s), expected 5", id="cover-width"),
    pytest.param(
        "B,D=14,4320,3360,5,2,2,1", "B,D=14,4320,3360,5,2,2", "SECTION_STAFF: 7 field(s), expected 8", id="staff-width"
    ),
    pytest.param("14", "10", "horizon: 10 days is not a whole number of weeks", id="horizon-not-weeks"),
    pytest.param(
        STAFF_A, "A,D=14,3000,3360,5,2,2,1", "MinTotalMinutes: 3360 exceeds MaxTotalMinutes 3000", id="min-above-max"
    ),
    pytest.param("7,D,6,100,1", "7,D,6,50,1", "weights 50/1 differ from the first row's 100/1", id="cover-weights"),
    pytest.param("SECTION_COVER", "SECTION_COVERS", "unknown section 'SECTION_COVERS'", id="unknown-section"),
]


@pytest.mark.parametrize(("old", "new", "reason"), MALFORMED)
def test_malformed_instance_names_file_line_and_reason(tmp_path, old, new, reason):
    path, line = variant(tmp_path, old, new)
    with pytest.raises(InputError) as info:
        read_curtois(path)
    assert info.value.file == str(path)
    rendered = info.value.render().splitlines()
    assert any(text.strip().startswith(f"{path}:{line}: ") and reason in text for text in rendered), rendered


def test_missing_section_and_start_not_a_monday(tmp_path):
    path, _ = variant(tmp_path, "SECTION_SHIFT_OFF_REQUESTS", None)
    with pytest.raises(InputError) as info:
        read_curtois(path)
    assert f"{path}: section: SECTION_SHIFT_OFF_REQUESTS is missing" in info.value.render()  # no line to name
    with pytest.raises(InputError) as info:
        read_curtois(INSTANCE, dt.date(2024, 1, 2))
    assert str(INSTANCE) in info.value.render() and "2024-01-02 is a Tuesday" in info.value.render()


def test_cli_solve_on_a_broken_instance_exits_2_and_writes_nothing(tmp_path):
    path, line = variant(tmp_path, "C,8", "C,x8")
    out = tmp_path / "out.csv"
    result = invoke("solve", path, "-o", out, "--workers", "1")
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}:" in result.output and "'x8' is not a whole number" in result.output
    assert "Traceback" not in result.output and not out.exists()
    result = invoke("solve", INSTANCE, "-o", out, "--start", "2024-01-03")
    assert result.exit_code == 2 and "Wednesday" in result.output and not out.exists()


def test_a_bad_staff_row_is_named_without_follow_on_errors(tmp_path):
    """Definitions (horizon, shifts, staff) are checked before the rows that use them, so a bad
    staff row is one problem, not also an "unknown employee" in each of its requests."""
    first, line_a = variant(tmp_path, STAFF_A, "A,D=14,4320,33x0,5,2,2,1")
    lines = first.read_bytes().decode("ascii").split("\r\n")
    line_b = lines.index("13,D,4,100,1") + 1
    lines[line_b - 1] = "14,D,4,100,1"
    first.write_bytes("\r\n".join(lines).encode("ascii"))
    with pytest.raises(InputError) as info:
        read_curtois(first)
    assert [issue.line for issue in info.value.issues] == [line_a]
    lines[line_a - 1] = STAFF_A
    first.write_bytes("\r\n".join(lines).encode("ascii"))
    with pytest.raises(InputError) as info:
        read_curtois(first)
    assert [issue.line for issue in info.value.issues] == [line_b]


# ------------------------------------------------------------------ a roster checked by hand

# Days worked (0-based, day 0 = Mon 2024-01-01; weekends are days 5-6 and 12-13), each shift D.
# Every employee: 7..9 shifts (3360..4320 min), runs of work 2..5 and runs off >= 2 unless they
# touch day 0 or 13, at most one weekend, no shift on the fixed day off.
HAND = {
    "A": [1, 2, 3, 4, 7, 8, 9, 10, 11],  # off 0 (fixed); 9 shifts; no weekend
    "B": [0, 1, 2, 3, 4, 7, 8, 9, 10],  # off 5 (fixed); 9; no weekend
    "C": [0, 1, 2, 3, 4, 10, 11, 12, 13],  # off 8 (fixed); 9; weekend 2
    "D": [3, 4, 5, 6, 7, 10, 11],  # off 2 (fixed); 7; weekend 1
    "E": [2, 3, 4, 5, 6, 10, 11],  # off 9 (fixed); 7; weekend 1
    "F": [0, 1, 2, 3, 4, 10, 11, 12, 13],  # off 5 (fixed); 9; weekend 2
    "G": [2, 3, 4, 5, 6, 9, 10, 11],  # off 1 (fixed); 8; weekend 1
    "H": [0, 1, 2, 3, 9, 10, 11, 12, 13],  # off 7 (fixed); 9; weekend 2
}
# Cover, day: staffed/required -> penalty (100 per head under, 1 per head over)
#   0: 4/5 -> 100   1: 5/7 -> 200   2: 7/6 -> 1     3: 8/4 -> 4     4: 7/5 -> 2
#   5: 3/5 -> 200   6: 3/5 -> 200   7: 3/6 -> 300   8: 2/7 -> 500   9: 4/4 -> 0
#  10: 8/2 -> 6    11: 7/5 -> 2    12: 3/6 -> 300  13: 3/4 -> 100
#   under 1900 + over 15 = 1915
# Requests broken: C works 12 and 13 (off-requests, weight 1 each) = 2; D is off on 8 and 9
# (on-requests, weight 2 each) = 4; H works 2 and 3 (off-requests, weight 3 each) = 6; all others
# kept: 12.  Objective 1915 + 12 = 1927.
HAND_COVER, HAND_REQUESTS = 1915, 12


def write_plan(path: Path, plan: dict[str, list[int]], start: dt.date = MONDAY, extra: tuple[str, ...] = ()) -> Path:
    rows = ["employee_id,date,shift_id,start,end"]
    for emp, days in plan.items():
        for d in days:
            day = start + dt.timedelta(days=d)
            rows.append(f"{emp},{day},D,{day}T06:00,{day}T14:00")
    path.write_text("\n".join([*rows, *extra]) + "\n", encoding="utf-8")
    return path


def engine_findings(instance: Path, roster: Path) -> set[tuple[str, str]]:
    problem = build_problem(read_curtois(instance))
    return {(v.rule_id, v.employee_id) for v in check_roster(problem, read_roster(roster))}


def engine_objective(instance: Path, roster: Path) -> float:
    return sum(line.points for line in score(build_problem(read_curtois(instance)), read_roster(roster)))


def test_hand_roster_objective_matches_evaluator_and_engine(tmp_path):
    roster = write_plan(tmp_path / "hand.csv", HAND)
    result = evaluate(str(INSTANCE), str(roster))
    assert (result.objective, result.cover_penalty, result.request_penalty) == (1927, HAND_COVER, HAND_REQUESTS)
    assert result.violations == []
    assert engine_findings(INSTANCE, roster) == set()
    assert engine_objective(INSTANCE, roster) == 1927
    checked = invoke("validate", INSTANCE, roster, "-f", "json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["violations"] == []


def test_short_blocks_touching_the_horizon_edge_are_allowed(tmp_path):
    # C ends on a 1-day block (day 13), D starts with one (day 0), H ends with 1 day off (day 13)
    plan = {
        **HAND,
        "C": [0, 1, 2, 3, 4, 9, 10, 13],
        "D": [0, 3, 4, 5, 6, 7, 10, 11],
        "H": [0, 1, 2, 3, 8, 9, 10, 11, 12],
    }
    roster = write_plan(tmp_path / "edges.csv", plan)
    result = evaluate(str(INSTANCE), str(roster))
    assert result.violations == [] and engine_findings(INSTANCE, roster) == set()
    # by hand against HAND: day 0 -100 (D), day 8 -100 (H), day 12 +100 (C), day 13 +100 (H), day 9
    # +1 and day 11 -1 (C); C's off-request on 12 kept (-1), H's on-request on 13 broken (+1): net 0
    assert result.objective == engine_objective(INSTANCE, roster) == 1927


BREACHES = [
    # name, employee's new days (or None), instance edit (or None), extra CSV row, evaluator text, rule id
    (
        "day-off",
        ("A", [0, 1, 2, 3, 4, 7, 8, 9, 10]),
        None,
        None,
        "A day 0: works on a fixed day off",
        "employee.availability",
    ),
    (
        "six-in-a-row",
        ("G", [2, 3, 4, 5, 6, 7, 10, 11]),
        None,
        None,
        "G: 6 consecutive shifts from day 2, max 5",
        "shifts.max_consecutive_days",
    ),
    (
        "one-day-work-block",
        ("B", [0, 1, 2, 3, 4, 7, 10, 11]),
        None,
        None,
        "B: 1 consecutive shifts from day 7, min 2",
        "shifts.min_consecutive_days",
    ),
    (
        "one-day-off-block",
        ("A", [1, 2, 3, 4, 6, 7, 8, 9]),
        None,
        None,
        "A: 1 days off from day 5, min 2",
        "days_off.min_consecutive",
    ),
    (
        "two-weekends",
        ("E", [2, 3, 4, 5, 6, 10, 11, 12, 13]),
        None,
        None,
        "E: 2 weekends worked, max 1",
        "weekend.max_worked",
    ),
    ("too-few-minutes", ("D", [3, 4, 5, 6, 7]), None, None, "D: 2400 minutes, allowed 3360..4320", "hours.total_range"),
    (
        "too-many-minutes",
        ("B", [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]),
        None,
        None,
        "B: 4800 minutes, allowed 3360..4320",
        "hours.total_range",
    ),
    (
        "two-shifts-one-day",
        None,
        None,
        "D,2024-01-04,D,2024-01-04T15:00,2024-01-04T23:00",
        "D day 3: 2 shifts (at most one)",
        "shifts.max_per_day",
    ),
    ("max-per-type", None, (STAFF_A, "A,D=8,4320,3360,5,2,2,1"), None, "A: 9 D shifts, max 8", "shifts.max_per_type"),
]


@pytest.mark.parametrize(
    ("change", "edit", "extra", "expected", "rule_id"), [pytest.param(*b[1:], id=b[0]) for b in BREACHES]
)
def test_each_breach_is_flagged_by_evaluator_and_engine(tmp_path, change, edit, extra, expected, rule_id):
    plan = dict(HAND)
    if change is not None:
        plan[change[0]] = change[1]
    instance = variant(tmp_path, *edit, name="Instance1.txt")[0] if edit else INSTANCE
    roster = write_plan(tmp_path / "broken.csv", plan, extra=(extra,) if extra else ())
    result = evaluate(str(instance), str(roster))
    assert result.violations == [expected]
    employee = expected[0]
    assert engine_findings(instance, roster) == {(rule_id, employee)}
    checked = invoke("validate", instance, roster, "-f", "json")
    assert checked.exit_code == 1, checked.output
    assert {(v["rule_id"], v["employee_id"]) for v in json.loads(checked.output)["violations"]} == {(rule_id, employee)}


def test_forbidden_succession_is_flagged_by_both(tmp_path):
    instance, _ = variant(tmp_path, "D,480,", "D,480,D", name="Instance1.txt")  # D may not follow D
    roster = write_plan(tmp_path / "hand.csv", HAND)
    result = evaluate(str(instance), str(roster))
    assert result.violations and all("D followed by D" in v for v in result.violations)
    assert engine_findings(instance, roster) == {("shifts.forbidden_succession", e) for e in HAND}


def test_minus_zero_requirement_reads_as_zero(tmp_path):
    instance, _ = variant(tmp_path, "10,D,2,100,1", "10,D,-0,100,1", name="Instance1.txt")
    demand = {d: entry.target for entry in read_curtois(instance).demand for d in entry.dates}
    assert demand[dt.date(2024, 1, 11)] == 0
    roster = write_plan(tmp_path / "hand.csv", HAND)
    result = evaluate(str(instance), str(roster))
    assert result.objective == 1927 + 2  # day 10: 8 staffed, 8 over instead of 6
    assert engine_objective(instance, roster) == 1929


# ------------------------------------------------------------------ solve to the optimum


def test_solve_instance1_reaches_the_published_optimum(tmp_path):
    out = tmp_path / "r.csv"
    result = invoke("solve", INSTANCE, "-o", out, "--time-limit", "20", "--workers", "1", "--seed", "1")
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Instance objective 607 " in text and "best known 607" in text
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and {r["shift_id"] for r in rows} == {"D"}
    check = evaluate(str(INSTANCE), str(out))
    assert (check.objective, check.violations) == (607, [])


def test_input_format_and_start_options(tmp_path):
    out = tmp_path / "r.csv"
    result = invoke(
        "solve",
        INSTANCE,
        "-o",
        out,
        "--input-format",
        "curtois",
        "--start",
        "2024-03-04",
        "--time-limit",
        "20",
        "--workers",
        "1",
        "--seed",
        "1",
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert "Instance objective 607 " in flat(result.output)
    with out.open(newline="") as handle:
        dates = {r["date"] for r in csv.DictReader(handle)}
    assert min(dates) >= "2024-03-04" and max(dates) <= "2024-03-17"
    check = evaluate(str(INSTANCE), str(out), dt.date(2024, 3, 4))
    assert (check.objective, check.violations) == (607, [])
    other = tmp_path / "other.csv"
    result = invoke("solve", INSTANCE, "-o", other, "--input-format", "scenario")
    assert result.exit_code == 2 and str(INSTANCE) in result.output and not other.exists()


def test_two_instances_side_by_side_score_the_sum_of_both(tmp_path):
    """bench/curtois_merge.py: Instance1 beside itself reads as one instance of 16 employees and two
    shift types, and the hand roster worked by both halves scores twice its 1927 in the evaluator
    and the engine alike, every hard rule kept (each half's staff may not work the other's shift)."""
    merged = tmp_path / "merged.txt"
    assert curtois_merge.main([str(INSTANCE), str(INSTANCE), "-o", str(merged)]) == 0
    problem = build_problem(read_curtois(merged))
    assert (len(problem.employees), len(problem.shift_types)) == (16, 2)
    rows = ["employee_id,date,shift_id,start,end"]
    for prefix, shift in (("", "D"), ("Z", "xD")):
        for emp, days in HAND.items():
            for day in (MONDAY + dt.timedelta(days=d) for d in days):
                rows.append(f"{prefix}{emp},{day},{shift},{day}T06:00,{day}T14:00")
    roster = tmp_path / "both.csv"
    roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = evaluate(str(merged), str(roster))
    assert (result.objective, result.violations) == (2 * 1927, [])
    assert engine_findings(merged, roster) == set()
    assert engine_objective(merged, roster) == 2 * 1927
    crossed = roster.read_text(encoding="utf-8").replace("ZA,2024-01-02,xD", "ZA,2024-01-02,D")
    roster.write_text(crossed, encoding="utf-8")
    assert ("shifts.max_per_type", "ZA") in engine_findings(merged, roster)
    assert evaluate(str(merged), str(roster)).violations != []
