"""Scenario loading: every broken file is rejected with an InputError that names the file, the
line and the field path, and nothing is silently dropped.

The fixtures in tests/data/broken/ each differ from tests/data/valid_base.yaml by one defect (the
first line of each says which). Expected line numbers are found independently of the engine, by
searching the fixture's text for the line that holds the defect.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from builders import TINY
from rostering import InputError, build_problem, load_scenario
from rostering.io.validation import scenario_from_data

DATA = Path(__file__).parent / "data"
BROKEN = DATA / "broken"


def line_of(path: Path, needle: str) -> int:
    """1-based number of the one non-comment line of `path` that contains `needle` (or, for a
    needle starting with "^", that starts with the rest of it)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [
        n
        for n, line in enumerate(lines, start=1)
        if not line.startswith("#") and (line.startswith(needle[1:]) if needle.startswith("^") else needle in line)
    ]
    assert len(hits) == 1, f"fixture {path.name}: {needle!r} found on lines {hits}"
    return hits[0]


def load_error(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return info.value


def assert_issue(err: InputError, path: Path, where: str, line: int | None, message: str) -> None:
    """The rendered message holds `file:line: where: message...` for one issue, exactly so."""
    at = f"{path}:{line}" if line is not None else str(path)
    rendered = str(err)
    expected = f"{at}: {where}: "
    matching = [row.strip() for row in rendered.splitlines() if row.strip().startswith(expected)]
    assert matching, f"no issue rendered as {expected!r}...; got:\n{rendered}"
    assert any(message in row for row in matching), f"{message!r} not in {matching}"


# --------------------------------------------------------------------------- one defect per file

# (fixture, field path as rendered, text on the line at fault, message fragment)
SINGLE = [
    ("unknown_key_top.yaml", "weight", "weight: {wish: 2}", "unknown key"),
    ("unknown_key_nested.yaml", "employees[1] (e02).overrides.no_night", "no_night", "unknown key"),
    (
        "unknown_competence.yaml",
        "employees[0] (e01).competences[0]",
        "[sss]",
        "unknown competence 'sss'; known: ssa, ssh",
    ),
    (
        "unknown_competence_covers.yaml",
        "competences[1] (ssa).covers[1]",
        "sygeplejerske",
        "unknown competence 'sygeplejerske'",
    ),
    ("unknown_shift_demand.yaml", "demand[1].shift", "shift: aften", "unknown shift type 'aften'; known: dag, nat"),
    (
        "unknown_shift_preassigned.yaml",
        "employees[0] (e01).preassigned[0].shift",
        "shift: aften",
        "unknown shift type 'aften'",
    ),
    (
        "unknown_agreement.yaml",
        "employees[1] (e02).agreement",
        "agreement: kl",
        "unknown agreement 'kl'; known: dsr, foa",
    ),
    ("unknown_rule.yaml", "rules.rest.dayly", "rest.dayly", "unknown rule 'rest.dayly'; known: "),
    ("unknown_rule_param.yaml", "rules.rest.daily.min_hour", "min_hour", "unknown parameter"),
    ("unknown_rule_param_agreement.yaml", "agreements.foa.rules.rest.weekly.hourz", "hourz", "unknown parameter"),
    ("shift_zero_length.yaml", "shift_types[1] (nat)", 'end: "23:00"', "start and end are equal"),
    (
        "shift_paid_too_long.yaml",
        "shift_types[0] (dag)",
        "paid_minutes: 500",
        "paid_minutes 500 exceeds the shift length 480",
    ),
    (
        "horizon_not_monday.yaml",
        "horizon.start",
        "horizon:",
        "2026-03-31 is a Tuesday; the horizon must start on a Monday",
    ),
    ("horizon_weeks_0.yaml", "horizon.weeks", "weeks: 0", "greater than or equal to 1"),
    ("horizon_weeks_53.yaml", "horizon.weeks", "weeks: 53", "less than or equal to 52"),
    (
        "absence_reversed.yaml",
        "employees[1] (e02).absences[0]",
        "kind: ferie",
        "'to' (2026-04-01) is before 'from' (2026-04-02)",
    ),
    (
        "absence_overlap.yaml",
        "employees[1] (e02).absences[1]",
        "kind: sygdom",
        "overlaps absences[0] (ferie 2026-04-01..2026-04-02)",
    ),
    ("duplicate_employee.yaml", "employees[2].id", "contract_hours: 20", "duplicate id 'e01' (also employees[0])"),
    (
        "preassigned_outside.yaml",
        "employees[0] (e01).preassigned[0].date",
        "2026-04-06",
        "2026-04-06 is outside the horizon 2026-03-30..2026-04-05",
    ),
    (
        "wish_outside.yaml",
        "employees[0] (e01).wishes[0].date",
        "2026-03-29",
        "2026-03-29 is outside the horizon 2026-03-30..2026-04-05",
    ),
    ("demand_target_below_min.yaml", "demand[0]", "min: 3, target: 2", "target 2 is below min 3"),
    (
        "demand_twice.yaml",
        "demand[2]",
        "days: [weekend]",
        "demand for dag/ssh on 2026-04-04 is also given by demand[0]",
    ),
    (
        "demand_dates_twice.yaml",
        "demand[3]",
        "2026-04-03, 2026-04-01",
        "demand for nat/ssh on 2026-04-01 is also given by demand[2]",
    ),
    ("demand_holiday_mixed.yaml", "demand[2].days", "holiday, sat", "'holiday' cannot be mixed with other day keys"),
    ("visit_hours_max_too_low.yaml", "demand[2].max", "visit_hours", "max 4 is below the 5 staff the visit hours need"),
    ("yaml_syntax.yaml", "(syntax)", "[ssa, contract_hours", "not valid YAML"),
    ("yaml_tab_indent.yaml", "(syntax)", "\tcontract_hours", "not valid YAML"),
    ("unknown_competence.json", "employees[1] (e02).competences[1]", '"sosu"', "unknown competence 'sosu'"),
    ("horizon_weeks_0.json", "horizon.weeks", '"weeks": 0', "greater than or equal to 1"),
    ("syntax.json", "column 3", '^  "competences": [', "not valid JSON"),
]


@pytest.mark.parametrize("name, where, needle, message", SINGLE, ids=[case[0] for case in SINGLE])
def test_broken_file_names_file_line_and_path(name, where, needle, message):
    path = BROKEN / name
    err = load_error(path)
    assert err.file == str(path)
    assert len(err.issues) == 1, err.render()
    assert_issue(err, path, where, line_of(path, needle), message)
    assert err.issues[0].where == where
    assert err.issues[0].line == line_of(path, needle)


def test_valid_base_loads():
    """The base the broken fixtures are made from is itself valid, so each fixture has one defect."""
    scenario = load_scenario(DATA / "valid_base.yaml")
    assert [e.id for e in scenario.employees] == ["e01", "e02"]
    assert len(scenario.demand) == 2


def test_typo_in_required_section_reports_both_missing_and_unknown():
    path = BROKEN / "unknown_key_required_typo.yaml"
    err = load_error(path)
    assert len(err.issues) == 2, err.render()
    # The missing section is reported at the start of the top-level mapping (line 2, after the comment).
    assert_issue(err, path, "shift_types", line_of(path, "name: Fixture"), "required field is missing")
    # The unknown key is reported at the line where the key is written.
    key_line = line_of(path, "shift_type:")
    issue = next(i for i in err.issues if i.where == "shift_type")
    assert issue.line in (key_line, key_line + 1) and "unknown key" in issue.message


@pytest.mark.parametrize(
    "name, where, needle",
    [
        ("unknown_key_required_typo.yaml", "shift_type", "shift_type:"),
        ("unknown_rule_block.yaml", "rules.rest.dayly", "rest.dayly:"),
    ],
)
def test_unknown_key_is_reported_at_the_key_line(name, where, needle):
    path = BROKEN / name
    err = load_error(path)
    issue = next(i for i in err.issues if i.where == where)
    assert issue.line == line_of(path, needle)


def test_typo_in_absence_key_reports_unknown_key_and_missing_field():
    path = BROKEN / "unknown_key_absence.yaml"
    err = load_error(path)
    line = line_of(path, "until:")
    assert len(err.issues) == 2, err.render()
    assert_issue(err, path, "employees[1] (e02).absences[0].until", line, "unknown key")
    assert_issue(err, path, "employees[1] (e02).absences[0].to", line, "required field is missing")


def test_every_field_problem_is_reported_not_just_the_first():
    path = BROKEN / "several_problems.yaml"
    err = load_error(path)
    assert len(err.issues) == 3, err.render()
    assert err.render().splitlines()[0] == f"{path}: 3 problem(s)"
    assert_issue(err, path, "horizon.weeks", line_of(path, "weeks: 0"), "greater than or equal to 1")
    assert_issue(err, path, "employees[1] (e02).overrides.no_night", line_of(path, "no_night"), "unknown key")
    assert_issue(err, path, "demand[0]", line_of(path, "min: 3, target: 2"), "target 2 is below min 3")


def test_every_cross_reference_problem_is_reported():
    path = BROKEN / "several_crosscheck_problems.yaml"
    err = load_error(path)
    assert len(err.issues) == 3, err.render()
    assert_issue(err, path, "employees[0] (e01).competences[0]", line_of(path, "[sss]"), "unknown competence 'sss'")
    assert_issue(err, path, "demand[1].shift", line_of(path, "shift: aften"), "unknown shift type 'aften'")
    assert_issue(err, path, "rules.rest.dayly", line_of(path, "rest.dayly"), "unknown rule 'rest.dayly'")


# Fake CPR-shaped ids, assembled at run time so no CPR-like string is stored in the tree.
FAKE_CPR = "".join(["0101", "70", "1234"])
FAKE_CPR_DASH = "".join(["0101", "70", "-", "1234"])


def _cpr_scenario(tmp_path, ident: str, quoted: bool = True):
    value = f'"{ident}"' if quoted else ident
    path = tmp_path / "cpr.yaml"
    path.write_text((DATA / "valid_base.yaml").read_text().replace("id: e01,", f"id: {value},"), encoding="utf-8")
    return path


@pytest.mark.parametrize("ident", [FAKE_CPR, FAKE_CPR_DASH], ids=["digits", "dashed"])  # ids: no CPR in test names
def test_cpr_like_employee_id_is_rejected_and_not_echoed(tmp_path, ident):
    path = _cpr_scenario(tmp_path, ident)
    err = load_error(path)
    assert len(err.issues) == 1, err.render()
    issue = err.issues[0]
    assert issue.where == "employees[0].id"
    assert issue.line == line_of(path, "contract_hours: 37")
    assert "looks like a CPR number" in issue.message
    assert ident not in err.render()


def test_unquoted_cpr_like_id_is_rejected_too(tmp_path):
    """Unquoted, YAML reads the digits as an (octal) integer; it must still not load."""
    path = _cpr_scenario(tmp_path, FAKE_CPR, quoted=False)
    err = load_error(path)
    assert err.issues[0].where.startswith("employees[0]")
    assert err.issues[0].line == 11


def test_top_level_list_is_rejected():
    path = BROKEN / "top_level_list.yaml"
    err = load_error(path)
    assert len(err.issues) == 1
    assert f"{path}: (top level): expected a mapping of scenario fields" in str(err)


def test_empty_file_is_rejected():
    path = BROKEN / "empty.yaml"
    err = load_error(path)
    assert f"{path}: (top level): expected a mapping" in str(err)


def test_missing_file_is_an_input_error(tmp_path):
    path = tmp_path / "nope.yaml"
    err = load_error(path)
    assert err.file == str(path)
    assert len(err.issues) == 1
    assert err.issues[0].where == "file"
    assert "cannot read" in err.issues[0].message
    assert str(path) in str(err)


def test_in_memory_data_without_text_has_no_line_numbers():
    data = yaml.safe_load((BROKEN / "unknown_competence.yaml").read_text())
    with pytest.raises(InputError) as info:
        scenario_from_data(data)
    assert info.value.file == "<scenario>"
    assert info.value.issues[0].line is None
    assert "<scenario>: employees[0] (e01).competences[0]: unknown competence 'sss'" in str(info.value)


def test_in_memory_top_level_list():
    with pytest.raises(InputError, match=r"\(top level\): expected a mapping"):
        scenario_from_data([{"name": "x"}], file="list.yaml")


# --------------------------------------------------------------------------- silent misreads (engine bugs)


def test_every_overlapping_absence_is_reported():
    path = BROKEN / "absence_overlap_nested.yaml"
    err = load_error(path)
    wheres = sorted(issue.where for issue in err.issues)
    assert wheres == ["employees[1] (e02).absences[1]", "employees[1] (e02).absences[2]"], err.render()
    assert_issue(err, path, "employees[1] (e02).absences[2]", line_of(path, "kind: sygdom"), "overlaps absences[0]")


def test_nested_overlap_file_is_at_least_rejected():
    """Whatever the bug above, the file does not load."""
    path = BROKEN / "absence_overlap_nested.yaml"
    err = load_error(path)
    assert_issue(err, path, "employees[1] (e02).absences[1]", line_of(path, "kind: kursus"), "overlaps absences[0]")


@pytest.mark.parametrize(
    "name, index, ident, needle, start, end",
    [
        ("time_unquoted.yaml", 0, "dag", "id: dag", dt.time(7), dt.time(15)),
        ("time_unquoted_both.yaml", 2, "mellem", "id: mellem", dt.time(13), dt.time(21)),
    ],
)
def test_unquoted_clock_times_are_read_as_written_or_rejected(name, index, ident, needle, start, end):
    path = BROKEN / name
    try:
        scenario = load_scenario(path)
    except InputError as err:  # acceptable fix: reject with the place named
        assert_issue(err, path, f"shift_types[{index}] ({ident})", line_of(path, needle), "")
        return
    shift = scenario.shift_types[index]  # the other acceptable fix: read 15:00 as 15:00
    assert (shift.start, shift.end) == (start, end)
    assert shift.start.tzinfo is None and shift.end.tzinfo is None
    build_problem(scenario)


@pytest.mark.parametrize(
    "name, needle",
    [
        ("duplicate_key.yaml", "competence: ssa, days: [all]"),
        ("duplicate_key.json", '"contract_hours": 3,'),
    ],
)
def test_duplicate_keys_are_rejected(name, needle):
    path = BROKEN / name
    err = load_error(path)
    assert "duplicate" in err.render()
    # Reported at (or right above) the second occurrence.
    assert any(issue.line in (line_of(path, needle) - 1, line_of(path, needle)) for issue in err.issues), err.render()


# --------------------------------------------------------------------------- JSON equals YAML


def test_valid_json_scenario_loads_the_same_as_yaml(tmp_path):
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    assert load_scenario(path) == load_scenario(TINY)


def test_json_cross_reference_error_has_json_line(tmp_path):
    data = yaml.safe_load(TINY.read_text(encoding="utf-8"))
    data["employees"][2]["competences"] = ["ssh", "nurse"]
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")
    err = load_error(path)
    assert len(err.issues) == 1
    assert_issue(err, path, "employees[2] (e03).competences[1]", line_of(path, '"nurse"'), "unknown competence 'nurse'")


# --------------------------------------------------------------------------- demand resolution


def _base_data() -> dict:
    return yaml.safe_load((DATA / "valid_base.yaml").read_text(encoding="utf-8"))


def _cells(problem, shift: str, competence: str) -> dict[dt.date, tuple[int, int, int | None]]:
    out = {}
    for (day, shift_id, comp), cell in problem.demand.items():
        if (shift_id, comp) == (shift, competence):
            out[problem.days[day]] = (cell.min, cell.target, cell.max)
    return out


@pytest.mark.parametrize("reverse", [False, True], ids=["weekday-first", "dates-first"])
def test_demand_precedence_dates_over_holiday_over_weekday(reverse):
    """Week 14 of 2026: Skærtorsdag Thu 2 Apr, Langfredag Fri 3 Apr, Påskedag Sun 5 Apr."""
    data = _base_data()
    entries = [
        {"shift": "dag", "competence": "ssa", "days": ["weekdays"], "min": 1, "target": 1},
        {"shift": "dag", "competence": "ssa", "days": ["weekend"], "min": 4, "target": 4, "max": 6},
        {"shift": "dag", "competence": "ssa", "days": ["holiday"], "min": 2, "target": 2},
        {
            "shift": "dag",
            "competence": "ssa",
            "dates": [dt.date(2026, 4, 3), dt.date(2026, 3, 31)],
            "min": 3,
            "target": 5,
        },
    ]
    data["demand"] = list(reversed(entries)) if reverse else entries
    problem = build_problem(scenario_from_data(data))
    assert set(problem.holidays) == {dt.date(2026, 4, 2), dt.date(2026, 4, 3), dt.date(2026, 4, 5)}
    d = dt.date
    assert _cells(problem, "dag", "ssa") == {
        d(2026, 3, 30): (1, 1, None),  # Monday: weekday entry
        d(2026, 3, 31): (3, 5, None),  # plain Tuesday named by date: dates entry
        d(2026, 4, 1): (1, 1, None),
        d(2026, 4, 2): (2, 2, None),  # Skærtorsdag: holiday beats 'weekdays'
        d(2026, 4, 3): (3, 5, None),  # Langfredag named by date: dates beat holiday
        d(2026, 4, 4): (4, 4, 6),  # Saturday: weekend entry
        d(2026, 4, 5): (2, 2, None),  # Påskedag, a Sunday: holiday beats 'weekend'
    }


def test_same_level_overlap_of_sat_and_all_is_an_error():
    """Weekday keys are one level: 'sat' next to 'all' for one shift and competence is rejected."""
    data = _base_data()
    data["demand"] = [
        {"shift": "dag", "competence": "ssa", "days": ["all"], "min": 1},
        {"shift": "dag", "competence": "ssa", "days": ["sat"], "min": 4},
    ]
    with pytest.raises(InputError, match=r"demand\[1\]: demand for dag/ssa on 2026-04-04 is also given by demand\[0\]"):
        scenario_from_data(data)


def test_demand_without_target_uses_min_and_missing_cells_are_absent():
    data = _base_data()
    problem = build_problem(scenario_from_data(data))
    cells = _cells(problem, "nat", "ssh")
    assert len(cells) == 7 and set(cells.values()) == {(1, 1, None)}
    assert _cells(problem, "dag", "ssh") == {day: (1, 2, None) for day in problem.days}
    assert _cells(problem, "dag", "ssa") == {}


def _home_care(visit_hours: float, shift: dict, home_care: dict | None = None, **extra) -> dict:
    data = _base_data()
    data["shift_types"] = [shift]
    data["demand"] = [{"shift": shift["id"], "competence": "ssh", "days": ["all"], "visit_hours": visit_hours, **extra}]
    if home_care is not None:
        data["home_care"] = home_care
    return data


@pytest.mark.parametrize(
    "visit_hours, shift, home_care, expected",
    [
        # 7.5 paid hours; min at 75 %: 22.5 / 5.625 = 4 exactly -> 4; target at 70 %: 22.5 / 5.25 = 4.29 -> 5
        (22.5, {"id": "dag", "start": "07:00", "end": "15:00", "paid_minutes": 450}, None, (4, 5)),
        # 8 h (no paid_minutes): 12 / 6 = 2 exactly -> 2; 12 / 5.6 = 2.14 -> 3
        (12, {"id": "dag", "start": "07:00", "end": "15:00"}, None, (2, 3)),
        # 30 / 5.625 = 5.33 -> 6; 30 / 5.25 = 5.71 -> 6
        (30, {"id": "dag", "start": "07:00", "end": "15:00", "paid_minutes": 450}, None, (6, 6)),
        # evening 15-23 with 30 min break, own leveringsgrad 50 % / 60 %: 18 / 4.5 = 4 -> 4; 18 / 3.75 = 4.8 -> 5
        (
            18,
            {"id": "aften", "start": "15:00", "end": "23:00", "paid_minutes": 450},
            {"target_leveringsgrad": 0.5, "max_leveringsgrad": 0.6},
            (4, 5),
        ),
        # a small number of hours still needs one person: 1 / 6 -> 1
        (1, {"id": "dag", "start": "07:00", "end": "15:00"}, None, (1, 1)),
    ],
)
def test_home_care_visit_hours_become_head_counts(visit_hours, shift, home_care, expected):
    problem = build_problem(scenario_from_data(_home_care(visit_hours, shift, home_care)))
    cells = _cells(problem, shift["id"], "ssh")
    assert set(cells) == set(problem.days)
    assert set(cells.values()) == {(*expected, None)}


def test_home_care_max_at_exactly_the_target_is_accepted():
    shift = {"id": "dag", "start": "07:00", "end": "15:00", "paid_minutes": 450}
    problem = build_problem(scenario_from_data(_home_care(22.5, shift, max=5)))
    assert set(_cells(problem, "dag", "ssh").values()) == {(4, 5, 5)}
    with pytest.raises(InputError, match=r"demand\[0\]\.max: max 4 is below the 5 staff"):
        scenario_from_data(_home_care(22.5, shift, max=4))


def test_visit_hours_and_head_counts_together_are_rejected():
    data = _base_data()
    data["demand"][0] = {**data["demand"][0], "visit_hours": 10}
    with pytest.raises(InputError, match=r"demand\[0\]: give either visit_hours or min/target, not both"):
        scenario_from_data(data)


def test_scenario_from_data_does_not_mutate_its_input():
    data = _base_data()
    before = copy.deepcopy(data)
    scenario_from_data(data)
    assert data == before


def test_agreement_terms_are_validated_with_their_path():
    data = yaml.safe_load((Path(__file__).parent / "data" / "valid_base.yaml").read_text(encoding="utf-8"))
    data["agreements"] = {"foa": {"terms": {"normperiode_weeks": 0, "fridoegn_hourz": 32}}}
    with pytest.raises(InputError) as caught:
        scenario_from_data(data, "s.yaml")
    text = str(caught.value)
    assert "agreements.foa.terms.normperiode_weeks: Input should be greater than or equal to 1" in text
    assert "agreements.foa.terms.fridoegn_hourz: unknown parameter" in text


def test_unknown_agreement_names_the_known_ones():
    data = yaml.safe_load((Path(__file__).parent / "data" / "valid_base.yaml").read_text(encoding="utf-8"))
    data["employees"][0]["agreement"] = "hk"
    with pytest.raises(InputError, match=r"unknown agreement 'hk'; known: dsr, foa, none"):
        scenario_from_data(data, "s.yaml")
