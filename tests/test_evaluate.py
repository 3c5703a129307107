"""Batch what-if evaluation: the `--vary` axes (`rostering.batch.variants`), one run (`run_one`), the batch
(`run_batch`: determinism, resume, failures, the Dask backend) and `rostering evaluate` end to end.

Expected numbers are computed by hand from the scenarios built here. builders' shifts are the
classic dag 07-15 / aften 15-23 / nat 23-07, paid in full (8 h a head); the default week is Monday
2026-01-05 .. Sunday 2026-01-11. The bundled tiny scenario (scenarios/tiny) has 9 employees:
first competence ssh: e03 e04 e05 e06 e07 (5), ssa: e01 (37 h) e02 (32 h) e08 (30 h) e09 (28 h).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from builders import TINY, emp, need, scenario, shift
from rostering import Assignment, Roster, build_problem, load_scenario, read_roster
from rostering.analysis.coverage import coverage_totals
from rostering.batch.evaluate import RUNS_DIR, RunSpec, run_batch, run_one, run_specs
from rostering.batch.variants import (
    Axis,
    change_staff,
    parse_axis,
    rng_for,
    sample_sickness,
    scale_demand,
    variant_grid,
    variant_label,
    with_sickness,
)
from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.domain.scenario import AbsenceKind
from rostering.io.validation import scenario_from_data

runner = CliRunner()

MON = dt.date(2026, 1, 5)


def day(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Console output with rich's line wrapping undone."""
    return " ".join(text.split())


def timeless(frame: pd.DataFrame) -> pd.DataFrame:
    """A runs table without the machine-dependent column."""
    return frame.drop(columns=["wall_time"], errors="ignore")


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


@pytest.fixture(scope="module")
def tiny_roster_path(tiny_roster_csv) -> Path:
    return tiny_roster_csv


@pytest.fixture(scope="module")
def tiny_roster(tiny_roster_path):
    return read_roster(tiny_roster_path)


# ================================================================================ axes and the grid


def test_parse_axis_values():
    assert parse_axis("sickness=0.05,0.10") == Axis("sickness", (0.05, 0.1))
    assert parse_axis("staff.ssh=-2,0,+2") == Axis("staff.ssh", (-2.0, 0.0, 2.0))
    assert parse_axis(" spell = 1, 5") == Axis("spell", (1.0, 5.0))  # spaces are fine
    assert parse_axis("demand.ssa=1,1.05") == Axis("demand.ssa", (1.0, 1.05))
    assert parse_axis("sickness=0") == Axis("sickness", (0.0,))  # 0 is a valid probability


def test_variant_grid_is_the_cartesian_product_in_the_order_given():
    axes = [parse_axis("sickness=0.05,0.1"), parse_axis("staff.ssh=-1,0,+1"), parse_axis("demand=1,1.05")]
    grid = variant_grid(axes)
    assert len(grid) == 2 * 3 * 2
    # the first axis varies slowest, the last fastest; each variant's keys in axis order
    assert grid[:4] == [
        {"sickness": 0.05, "staff.ssh": -1.0, "demand": 1.0},
        {"sickness": 0.05, "staff.ssh": -1.0, "demand": 1.05},
        {"sickness": 0.05, "staff.ssh": 0.0, "demand": 1.0},
        {"sickness": 0.05, "staff.ssh": 0.0, "demand": 1.05},
    ]
    assert grid[-1] == {"sickness": 0.1, "staff.ssh": 1.0, "demand": 1.05}
    assert all(list(v) == ["sickness", "staff.ssh", "demand"] for v in grid)
    assert len({variant_label(v) for v in grid}) == 12  # every label distinct
    assert variant_label(grid[-1]) == "sickness=0.1,staff.ssh=+1,demand=1.05"


def test_no_axes_is_one_base_variant():
    assert variant_grid([]) == [{}]
    assert variant_label({}) == "base"


@pytest.mark.parametrize(
    "text, message",
    [
        ("foo=1", "unknown axis 'foo'"),
        ("staff=1", "unknown axis 'staff'"),  # staff needs a competence
        ("sickness", "write name=value"),
        ("sickness=", "write name=value"),
        ("sickness=abc", "'abc' is not a number"),
        ("sickness=0.1,,0.2", "'' is not a number"),
        ("sickness=1", "must be a probability in [0, 1)"),
        ("sickness=1.5", "must be a probability in [0, 1)"),
        ("sickness=-0.1", "must be a probability in [0, 1)"),
        ("spell=0.5", "must be 1 to 365 days"),
        ("spell=1099511627776", "must be 1 to 365 days"),
        ("staff.ssh=+1099511627776", "at most 1000 either way"),
        ("demand=1e12", "must lie in [0, 100]"),
        ("staff.ssh=1.5", "must be a whole number of employees"),
        ("demand=-1", "must lie in [0, 100]"),
        ("demand=1,1", "a value is given twice"),
        ("staff.ssh=2,+2", "a value is given twice"),
    ],
)
def test_bad_axis_is_input_error(text, message):
    with pytest.raises(InputError) as caught:
        parse_axis(text)
    assert caught.value.file == "--vary"
    assert message in caught.value.render()
    assert repr(text) in caught.value.render()  # names what the user wrote


def test_axis_given_twice_is_input_error():
    with pytest.raises(InputError) as caught:
        variant_grid([parse_axis("sickness=0.1"), parse_axis("spell=2"), parse_axis("sickness=0.2")])
    assert caught.value.file == "--vary"
    assert "sickness: axis given twice" in caught.value.render()


@pytest.mark.parametrize("text", ["staff.ssh=inf", "staff.ssh=nan", "demand=nan", "demand=inf", "spell=nan"])
def test_non_finite_axis_value_is_input_error(text):
    with pytest.raises(InputError):
        parse_axis(text)


@pytest.mark.parametrize(
    "vary",
    [
        ["sickness=2"],
        ["bogus=1"],
        ["staff.ssh=0.5"],
        ["sickness=0.1", "sickness=0.2"],
        ["demand.nurse=1.1"],  # the tiny plan has no competence 'nurse'
        ["staff.ssh=-1000"],  # more than hold ssh first
    ],
)
def test_cli_bad_vary_exit_2(tmp_path, vary):
    out = tmp_path / "ev"
    args = [a for v in vary for a in ("--vary", v)]
    result = invoke("evaluate", TINY, "-o", out, *args, "-w", 1)
    assert result.exit_code == 2, result.output
    assert "--vary" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # refused before anything was written


def test_cli_infinite_staff_change_exit_2(tmp_path):
    result = invoke("evaluate", TINY, "-o", tmp_path / "ev", "--vary", "staff.ssh=inf", "-w", 1)
    assert result.exit_code == 2 and "--vary" in result.output


# ========================================================================================== staff


def first_competence(sc) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in sc.employees:
        out.setdefault(e.competences[0], []).append(e.id)
    return out


def test_change_staff_removes_holders_of_the_competence(tiny):
    changed = change_staff(tiny, {"staff.ssh": -2.0}, random.Random(1))
    before, after = first_competence(tiny), first_competence(changed)
    assert len(changed.employees) == 9 - 2
    assert len(after["ssh"]) == 5 - 2 and set(after["ssh"]) < set(before["ssh"])
    assert after["ssa"] == before["ssa"]  # other competences untouched
    # the survivors are unchanged objects (absences, wishes, preassigned kept)
    kept = {e.id: e for e in tiny.employees}
    assert all(e == kept[e.id] for e in changed.employees)
    # chosen with the generator: same seed, same choice
    again = change_staff(tiny, {"staff.ssh": -2.0}, random.Random(1))
    assert [e.id for e in again.employees] == [e.id for e in changed.employees]
    assert len(tiny.employees) == 9  # the input scenario is not modified


def test_change_staff_adds_copies_of_the_median_holder(tiny):
    changed = change_staff(tiny, {"staff.ssa": 2.0}, random.Random(1))
    assert len(changed.employees) == 9 + 2
    extras = changed.employees[-2:]
    assert [e.id for e in extras] == ["extra-ssa-1", "extra-ssa-2"]
    # ssa holders sorted by (hours, id): e09 28, e08 30, e02 32, e01 37 -> element 4 // 2 = 2: e02, 32 h
    model = next(e for e in tiny.employees if e.id == "e02")
    for extra in extras:
        assert extra.competences == ("ssa",)
        assert extra.contract_hours == 32
        assert extra.agreement == model.agreement
        assert extra.absences == () and extra.preassigned == () and extra.wishes == ()
    assert build_problem(changed).employee_index["extra-ssa-2"] == 10  # a usable scenario


def test_change_staff_zero_and_combined(tiny):
    assert change_staff(tiny, {"staff.ssh": 0.0}, random.Random(1)).employees == tiny.employees
    both = change_staff(tiny, {"staff.ssh": -1.0, "staff.ssa": 1.0, "sickness": 0.1}, random.Random(1))
    comp = first_competence(both)
    assert (len(comp["ssh"]), len(comp["ssa"])) == (4, 5)


def test_change_staff_refuses_to_remove_more_than_exist(tiny):
    with pytest.raises(
        ValueError,
        match=r"staff.ssh=-6: the scenario has only 5 employee\(s\) whose first "
        r"competence is 'ssh'",
    ):
        change_staff(tiny, {"staff.ssh": -6.0}, random.Random(1))
    with pytest.raises(ValueError, match="no employee has 'sygeplejerske' as first competence"):
        change_staff(tiny, {"staff.sygeplejerske": 1.0}, random.Random(1))


# ======================================================================================= sickness


def crowd(n: int, weeks: int, **extra):
    return scenario_from_data(scenario([emp(f"e{i:04d}", **extra) for i in range(n)], weeks=weeks))


def runs_of(days: list[dt.date]) -> list[int]:
    """Lengths of the runs of consecutive days."""
    ordered = sorted(days)
    lengths: list[int] = [1] if ordered else []
    for before, after in itertools.pairwise(ordered):
        if (after - before).days == 1:
            lengths[-1] += 1
        else:
            lengths.append(1)
    return lengths


def test_no_sickness_no_sick_days():
    sc = crowd(3, 1)
    assert sample_sickness(sc, {}, random.Random(1)) == {}
    assert sample_sickness(sc, {"sickness": 0.0, "spell": 5.0}, random.Random(1)) == {}


def test_sickness_is_deterministic_for_the_seed():
    sc = crowd(9, 2)
    one = sample_sickness(sc, {"sickness": 0.3}, random.Random(42))
    assert one == sample_sickness(sc, {"sickness": 0.3}, random.Random(42))
    assert one != sample_sickness(sc, {"sickness": 0.3}, random.Random(43))
    assert one  # p 0.3 over 126 days: some sick days
    # rng_for: the same (seed, scenario, variant, replication) gives the same generator
    assert rng_for(1, "a", {"sickness": 0.1}, 2).random() == rng_for(1, "a", {"sickness": 0.1}, 2).random()
    assert rng_for(1, "a", {"sickness": 0.1}, 2).random() != rng_for(1, "a", {"sickness": 0.1}, 3).random()


def test_share_of_sick_days_near_p_over_a_long_horizon():
    """50 employees x 364 days = 18,200 employee-days; p = 0.10. Independent days (spell 1): the
    share's standard deviation is sqrt(0.1 x 0.9 / 18200) = 0.0022, so +-0.01 is > 4 sd; a run of
    sick days is geometric with mean 1 / (1 - p) = 1.11 days. Spells of mean 5: the share is the
    same (start rate p / (5 (1 - p))), the runs 5 days on average."""
    sc = crowd(50, 52)
    days = 50 * 364
    independent = sample_sickness(sc, {"sickness": 0.1}, random.Random(7))
    share = sum(len(d) for d in independent.values()) / days
    assert share == pytest.approx(0.10, abs=0.01)
    runs = [n for d in independent.values() for n in runs_of(d)]
    assert sum(runs) / len(runs) == pytest.approx(1 / 0.9, abs=0.1)

    spells = sample_sickness(sc, {"sickness": 0.1, "spell": 5.0}, random.Random(7))
    share = sum(len(d) for d in spells.values()) / days
    assert share == pytest.approx(0.10, abs=0.015)
    runs = [n for d in spells.values() for n in runs_of(d)]
    assert sum(runs) / len(runs) == pytest.approx(5.0, abs=0.75)
    assert max(runs) > 15  # geometric tail: some long spells


def test_share_of_sick_days_near_p_over_one_week_with_spells():
    """2,000 employees x 7 days = 14,000 employee-days; p = 0.10 asked. A stationary chain gives
    0.10 on every day; the sd of the share is well under 0.01 here."""
    sc = crowd(2000, 1)
    sick = sample_sickness(sc, {"sickness": 0.1, "spell": 5.0}, random.Random(7))
    assert sum(len(d) for d in sick.values()) / (2000 * 7) == pytest.approx(0.10, abs=0.015)


def test_spell_1_over_one_week_is_unbiased():
    """The independent-days case has no start-up effect: the same 14,000 days give about 10 %."""
    sc = crowd(2000, 1)
    sick = sample_sickness(sc, {"sickness": 0.1}, random.Random(7))
    assert sum(len(d) for d in sick.values()) / (2000 * 7) == pytest.approx(0.10, abs=0.01)


def test_never_sick_on_days_already_absent():
    """Ten employees on ferie for the first two of four weeks; p = 0.5: sick days only in weeks 3-4."""
    ferie = {"absences": [{"kind": "ferie", "from": "2026-01-05", "to": "2026-01-18"}]}
    sc = scenario_from_data(scenario([emp(f"e{i}", **ferie) for i in range(10)] + [emp("free")], weeks=4))
    sick = sample_sickness(sc, {"sickness": 0.5}, random.Random(3))
    on_ferie = {day(n) for n in range(14)}
    assert sum(len(d) for d in sick.values()) > 50  # 11 x 14 free days at p 0.5: about 77
    for emp_id, days in sick.items():
        assert not set(days) & on_ferie or emp_id == "free", emp_id
    assert set(sick["free"]) & on_ferie  # the one without ferie is sick in weeks 1-2 too
    # spells run on through the ferie, but never put a sick day on it
    spells = sample_sickness(sc, {"sickness": 0.5, "spell": 3.0}, random.Random(3))
    assert all(not set(d) & on_ferie for e, d in spells.items() if e != "free")


def test_with_sickness_adds_spells_and_drops_preassigned_shifts_on_sick_days():
    sc = scenario_from_data(
        scenario(
            [
                emp(
                    "e1",
                    preassigned=[{"date": "2026-01-05", "shift": "nat"}, {"date": "2026-01-07", "shift": "dag"}],
                    absences=[{"kind": "ferie", "from": "2026-01-10", "to": "2026-01-11"}],
                ),
                emp("e2", preassigned=[{"date": "2026-01-06", "shift": "dag"}]),
            ]
        )
    )
    sick = {"e1": [day(3), day(0), day(1)]}  # Mon, Tue and Thu, in any order
    out = with_sickness(sc, sick)
    e1, e2 = out.employees
    spells = [(a.kind, a.start, a.end) for a in e1.absences]
    assert spells == [
        (AbsenceKind.ferie, day(5), day(6)),  # the ferie kept
        (AbsenceKind.sygdom, day(0), day(1)),  # Mon-Tue as one spell
        (AbsenceKind.sygdom, day(3), day(3)),
    ]  # Thu alone
    assert [(p.date, p.shift) for p in e1.preassigned] == [(day(2), "dag")]  # Mon nat dropped, Wed kept
    assert e2 == sc.employees[1]  # not sick: untouched, preassigned kept
    staff = build_problem(out).employees[0]
    assert {d: k for d, k in staff.absent.items() if k == "sygdom"} == {
        day(0): "sygdom",
        day(1): "sygdom",
        day(3): "sygdom",
    }
    assert with_sickness(sc, {}) is sc


# ========================================================================================= demand


def demand_problem(weeks: int = 4, **demand_extra):
    data = scenario(
        [emp("e1"), emp("e2", ["ssa"])],
        weeks=weeks,
        demand=[
            need("dag", days=["all"], min=1, target=2, max=3),
            need("aften", days=["all"], competence="ssa", min=1, target=1),
        ],
        **demand_extra,
    )
    return build_problem(scenario_from_data(data))


def series(problem, shift_id: str, comp: str) -> list:
    return [
        problem.demand[(d, shift_id, comp)] for d in range(len(problem.days)) if (d, shift_id, comp) in problem.demand
    ]


def test_scale_demand_rounds_cumulatively():
    """Daily min 1 / target 2 / max 3 over 4 weeks (28 days) x 1.05:
    target 56 x 1.05 = 58.8 -> 59; min 28 x 1.05 = 29.4 -> 29; max 84 x 1.05 = 88.2 -> 88."""
    problem = demand_problem()
    scaled = series(scale_demand(problem, {"demand": 1.05}), "dag", "ssh")
    assert len(scaled) == 28
    assert sum(c.target for c in scaled) == 59
    assert sum(c.min for c in scaled) == 29
    assert sum(c.max for c in scaled) == 88
    assert all(c.min <= c.target <= c.max for c in scaled)
    assert {c.target for c in scaled} == {2, 3}  # one extra head about every tenth day, never two
    # the running total never strays more than half a head from the exact 2.1 a day
    running = 0
    for n, cell in enumerate(scaled, start=1):
        running += cell.target
        assert abs(running - 2.1 * n) <= 0.5 + 1e-9
    # the ssa series is scaled too: 28 x 1 x 1.05 = 29.4 -> 29
    assert sum(c.target for c in series(scale_demand(problem, {"demand": 1.05}), "aften", "ssa")) == 29
    assert problem.demand[(0, "dag", "ssh")].target == 2  # the input problem is not modified


def test_scale_demand_per_competence_and_combined():
    problem = demand_problem()
    only_ssa = scale_demand(problem, {"demand.ssa": 1.5})
    assert series(only_ssa, "dag", "ssh") == series(problem, "dag", "ssh")
    assert sum(c.target for c in series(only_ssa, "aften", "ssa")) == 42  # 28 x 1.5
    both = scale_demand(problem, {"demand": 2.0, "demand.ssa": 1.5})  # ssa: 2 x 1.5 = 3
    assert sum(c.target for c in series(both, "aften", "ssa")) == 84
    assert sum(c.target for c in series(both, "dag", "ssh")) == 112  # 56 x 2


def test_scale_demand_down_keeps_min_target_max_in_order():
    """x 0.5 on min 1 / target 2 / max 3: min alternates 1, 0 (28 x 0.5 = 14), target 1 a day (28),
    max 42 (84 x 0.5)."""
    scaled = series(scale_demand(demand_problem(), {"demand": 0.5}), "dag", "ssh")
    assert (sum(c.min for c in scaled), sum(c.target for c in scaled), sum(c.max for c in scaled)) == (14, 28, 42)
    assert all(c.min <= c.target <= c.max for c in scaled)


def test_scale_demand_factor_one_is_the_same_problem():
    problem = demand_problem()
    assert scale_demand(problem, {"demand": 1.0, "sickness": 0.2}) is problem
    assert scale_demand(problem, {}) is problem


def test_scale_demand_visit_hours_are_scaled_and_turned_into_heads_again():
    """dag 07-15 paid 450 min (7.5 h); 11 visit hours; leveringsgrad target 0.70, max 0.75.
    x 1.5 -> 16.5 h: min ceil(16.5 / 5.625) = ceil(2.93) = 3, target ceil(16.5 / 5.25) = ceil(3.14) = 4."""
    data = scenario(
        [emp("e1")],
        shifts=[shift("dag", "07:00", "15:00", paid_minutes=450)],
        demand=[{"shift": "dag", "competence": "ssh", "days": ["all"], "visit_hours": 11, "max": 5}],
    )
    problem = build_problem(scenario_from_data(data))
    before = problem.demand[(0, "dag", "ssh")]
    assert (before.min, before.target, before.visit_hours) == (2, 3, 11)  # ceil(1.96), ceil(2.10)
    after = scale_demand(problem, {"demand": 1.5})
    for cell in series(after, "dag", "ssh"):
        assert (cell.min, cell.target, cell.max, cell.visit_hours) == (3, 4, 5, 16.5)


# ======================================================================================= run_one

FIXED_ROWS = [("e1", 0), ("e1", 1), ("e1", 2), ("e2", 3), ("e2", 4)]  # dag Mon-Wed e1, Thu-Fri e2


def fixed_setup(**e1_extra):
    """e1 (ssh) and e2 (ssa, covers ssh); dag ssh Mon-Fri min 1 / target 1 (8 h); the roster fills it."""
    sc = scenario_from_data(
        scenario([emp("e1", **e1_extra), emp("e2", ["ssa"])], demand=[need("dag", days=["weekdays"], min=1, target=1)])
    )
    rows = tuple(
        Assignment(
            e, day(n), "dag", dt.datetime.combine(day(n), dt.time(7)), dt.datetime.combine(day(n), dt.time(15)), "ssh"
        )
        for e, n in FIXED_ROWS
    )
    return sc, Roster(rows)


def fixed_run(sc, roster, variant, seed=1, replication=1) -> dict:
    return run_one(RunSpec("mini", sc, variant, replication, seed, 10.0, fixed_roster=roster))


def test_run_one_fixed_base_is_the_roster_itself():
    sc, roster = fixed_setup()
    record = fixed_run(sc, roster, {})
    row = record["row"]
    assert (row["run_id"], row["variant"], row["mode"], row["status"], row["reason"]) == (
        "mini|base|r1",
        "base",
        "fixed",
        "FIXED",
        "",
    )
    assert (row["employees"], row["sick_days"], row["shifts"], row["violations"]) == (2, 0, 5, 0)
    assert (row["planned_hours"], row["under_min_hours"], row["slots"]) == (40.0, 0.0, 5)  # 5 x 8 h
    assert "objective" not in row  # nothing solved
    assert len(record["cells"]) == 5
    assert record["cells"][0] == {
        "run_id": "mini|base|r1",
        "date": "2026-01-05",
        "shift": "dag",
        "shift_start": "07:00",
        "competence": "ssh",
        "min": 1,
        "target": 1,
        "max": None,
        "planned": 1,
        "hours": 8.0,
    }


def test_run_one_fixed_removed_employee_loses_her_shifts():
    """staff.ssa=-1: e2 is the only ssa, so she goes; her Thu and Fri shifts go with her:
    2 x 8 h below min, 2 of 5 slots understaffed."""
    sc, roster = fixed_setup()
    row = fixed_run(sc, roster, {"staff.ssa": -1.0})["row"]
    assert (row["status"], row["employees"], row["shifts"]) == ("FIXED", 1, 3)
    assert (row["under_min_hours"], row["under_target_hours"], row["slots_understaffed"]) == (16.0, 16.0, 2)
    assert row["share_understaffed"] == 0.4
    assert row["staff.ssa"] == -1.0  # the axis value is a column


def test_run_one_fixed_sick_employees_rows_removed():
    """sickness 0.999999: every day a sick day (the chance of a well day in 14 draws is 1.4e-5, and
    the draw is fixed by the seed). e1 is on ferie Sat-Sun, so she is sick on 5 days, e2 on 7: 12.
    All five shifts are gone: 5 x 8 = 40 h below min and below target, every slot understaffed."""
    sc, roster = fixed_setup(absences=[{"kind": "ferie", "from": "2026-01-10", "to": "2026-01-11"}])
    row = fixed_run(sc, roster, {"sickness": 0.999999})["row"]
    assert (row["status"], row["sick_days"], row["shifts"], row["violations"]) == ("FIXED", 12, 0, 0)
    assert (row["under_min_hours"], row["under_target_hours"], row["planned_hours"]) == (40.0, 40.0, 0.0)
    assert row["share_understaffed"] == 1.0


def test_run_one_fixed_matches_the_sampled_sickness(tiny, tiny_roster):
    """On the tiny scenario at p 0.3: the rows left are exactly the roster's rows on days the
    employee is not sick, with the sick days drawn from the run's own generator."""
    variant = {"sickness": 0.3}
    row = run_one(RunSpec("tiny", tiny, variant, 2, 5, 10.0, fixed_roster=tiny_roster))["row"]
    rng = rng_for(5, "tiny", variant, 2)
    sick = sample_sickness(change_staff(tiny, variant, rng), variant, rng)
    off = {(e, d) for e, days in sick.items() for d in days}
    left = [a for a in tiny_roster.assignments if (a.employee_id, a.date) not in off]
    assert row["sick_days"] == len(off) > 0
    assert row["shifts"] == len(left) < len(tiny_roster.assignments)
    base = run_one(RunSpec("tiny", tiny, {}, 2, 5, 10.0, fixed_roster=tiny_roster))["row"]
    assert (base["sick_days"], base["shifts"]) == (0, len(tiny_roster.assignments))
    assert row["planned_hours"] < base["planned_hours"]


def test_run_one_impossible_variant_is_an_error_row_not_an_exception():
    sc, roster = fixed_setup()
    record = fixed_run(sc, roster, {"staff.x": -99.0})
    row = record["row"]
    assert row["status"] == "error"
    assert row["reason"] == "ValueError: staff.x=-99: the scenario has only 0 employee(s) whose first competence is 'x'"
    assert record["cells"] == [] and "wall_time" in row and row["run_id"] == "mini|staff.x=-99|r1"


def test_run_one_solve_after_sickness_on_a_preassigned_day():
    """Solve mode: e1 is preassigned Monday's dag; sickness 0.999999 makes every day sick, so
    the preassignment must go with the sick day (else the model would be infeasible). Nobody
    works: 5 x 8 h below min."""
    sc = scenario_from_data(
        scenario(
            [emp("e1", preassigned=[{"date": "2026-01-05", "shift": "dag"}]), emp("e2")],
            demand=[need("dag", days=["weekdays"], min=1, target=1)],
        )
    )
    row = run_one(RunSpec("mini", sc, {"sickness": 0.999999}, 1, 1, 5.0))["row"]
    assert (row["mode"], row["status"], row["reason"]) == ("solve", "OPTIMAL", "")
    assert (row["sick_days"], row["shifts"], row["under_min_hours"]) == (14, 0, 40.0)
    assert row["objective"] is not None and row["gap"] == 0.0


# ===================================================================================== run_batch


def fixed_specs(tiny, tiny_roster, vary=("sickness=0,0.2",), replications=2, seed=1, name="tiny"):
    variants = variant_grid([parse_axis(v) for v in vary])
    return run_specs({name: tiny}, variants, replications, seed, 10.0, fixed_roster=tiny_roster)


SETTINGS = {"vary": ["sickness=0,0.2", "staff.ssh=-1,0"], "replications": 2, "seed": 1}


def test_batch_is_deterministic(tmp_path, tiny, tiny_roster):
    specs = fixed_specs(tiny, tiny_roster, vary=("sickness=0,0.2", "staff.ssh=-1,0"))
    assert len(specs) == 2 * 2 * 2
    one = run_batch(specs, tmp_path / "a", SETTINGS, workers=1)
    two = run_batch(specs, tmp_path / "b", SETTINGS, workers=1)
    assert one.executed == two.executed == 8
    assert list(one.runs["run_id"]) == [s.run_id for s in specs]  # in spec order
    assert set(one.runs["status"]) == {"FIXED"}
    pd.testing.assert_frame_equal(timeless(one.runs), timeless(two.runs))
    pd.testing.assert_frame_equal(one.cells, two.cells)
    assert len(one.cells) == 8 * 35  # 35 demand cells in the tiny week
    # the draws do depend on the seed (so the comparison above is not vacuous)
    other = run_batch(
        fixed_specs(tiny, tiny_roster, vary=("sickness=0,0.2", "staff.ssh=-1,0"), seed=2),
        tmp_path / "c",
        SETTINGS,
        workers=1,
    )
    sick = one.runs["sickness"] > 0
    assert list(one.runs.loc[sick, "sick_days"]) != list(other.runs.loc[sick, "sick_days"])
    # replications differ from each other
    reps = one.runs[(one.runs["variant"] == "sickness=0.2,staff.ssh=+0")]
    assert len(reps) == 2
    assert (
        reps["sick_days"].iloc[0] != reps["sick_days"].iloc[1]
        or reps["under_min_hours"].iloc[0] != reps["under_min_hours"].iloc[1]
    )


def test_batch_resume_runs_only_what_is_missing(tmp_path, tiny, tiny_roster):
    specs = fixed_specs(tiny, tiny_roster)
    folder = tmp_path / "eval"
    first = run_batch(specs, folder, SETTINGS, workers=1)
    records = sorted((folder / RUNS_DIR).glob("*.json"))
    assert len(records) == 4 and (folder / "batch.json").exists()
    records[2].unlink()
    seen: list[str] = []
    again = run_batch(specs, folder, SETTINGS, resume=True, workers=1, on_done=lambda row: seen.append(row["run_id"]))
    assert again.executed == 1
    assert sorted(seen) == sorted(s.run_id for s in specs)  # resumed runs are reported too
    pd.testing.assert_frame_equal(timeless(first.runs), timeless(again.runs))
    pd.testing.assert_frame_equal(first.cells, again.cells)
    assert len(list((folder / RUNS_DIR).glob("*.json"))) == 4
    # nothing missing: nothing executed
    assert run_batch(specs, folder, SETTINGS, resume=True, workers=1).executed == 0


def test_batch_resume_under_other_settings_is_refused(tmp_path, tiny, tiny_roster):
    specs = fixed_specs(tiny, tiny_roster)
    folder = tmp_path / "eval"
    run_batch(specs, folder, SETTINGS, workers=1)
    with pytest.raises(InputError) as caught:
        run_batch(specs, folder, {**SETTINGS, "seed": 2}, resume=True, workers=1)
    assert caught.value.file == str(folder / "batch.json")
    assert "other seed" in caught.value.render()
    assert len(list((folder / RUNS_DIR).glob("*.json"))) == 4  # the records are kept


@pytest.mark.parametrize("damaged", ["{not json", "[1, 2]", "9" * 5000])
def test_resume_from_a_damaged_batch_file_is_an_input_error(tmp_path, tiny, tiny_roster, damaged):
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "batch.json").write_text(damaged, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        run_batch(fixed_specs(tiny, tiny_roster), folder, SETTINGS, resume=True, workers=1)
    assert caught.value.file == str(folder / "batch.json") and "without --resume" in caught.value.render()


def test_fresh_batch_clears_earlier_records(tmp_path, tiny, tiny_roster):
    specs = fixed_specs(tiny, tiny_roster)
    folder = tmp_path / "eval"
    run_batch(specs, folder, SETTINGS, workers=1)
    stale = folder / RUNS_DIR / "stale-r1-abcdef.json"
    stale.write_text("{}", encoding="utf-8")
    again = run_batch(specs, folder, SETTINGS, workers=1)  # no resume: start over
    assert again.executed == 4
    assert not stale.exists()


def test_failing_run_does_not_stop_the_batch(tmp_path, tiny, tiny_roster):
    specs = fixed_specs(tiny, tiny_roster, vary=("staff.ssa=-9,0",), replications=1)
    result = run_batch(specs, tmp_path / "eval", {"x": 1}, workers=1)
    assert list(result.runs["variant"]) == ["staff.ssa=-9", "staff.ssa=+0"]
    assert list(result.runs["status"]) == ["error", "FIXED"]
    assert "only 4 employee(s) whose first competence is 'ssa'" in result.runs["reason"].iloc[0]
    assert set(result.cells["run_id"]) == {specs[1].run_id}  # cells only from the run with a roster
    # an error may be passing (a lost worker, a bug since fixed): resuming runs it again, and only it
    again = run_batch(specs, tmp_path / "eval", {"x": 1}, resume=True, workers=1)
    assert again.executed == 1
    pd.testing.assert_frame_equal(again.runs.drop(columns=["wall_time"]), result.runs.drop(columns=["wall_time"]))


# ==================================================================================== Dask backend


@pytest.fixture(scope="module")
def cluster():
    import os

    from dask.distributed import LocalCluster

    hash_seed = os.environ.get("PYTHONHASHSEED")  # the nanny sets it in this process's environment
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local
    if hash_seed is None:
        os.environ.pop("PYTHONHASHSEED", None)
    else:
        os.environ["PYTHONHASHSEED"] = hash_seed


def test_dask_backend_equals_local(tmp_path, cluster, tiny, tiny_roster):
    """Solves (deterministic time 1 s, one thread) and fixed-roster runs give the same tables on
    a Dask cluster as in this process (workers=1). Not against a local process pool: starting the
    cluster sets PYTHONHASHSEED in os.environ, so spawned processes would share the workers' hash
    seed and could not show draws that depend on it."""
    variants = variant_grid([parse_axis("sickness=0,0.1")])
    specs = run_specs({"tiny": tiny}, variants, 1, 1, 1.0) + run_specs(
        {"tiny-fixed": tiny}, variants, 2, 1, 10.0, fixed_roster=tiny_roster
    )
    on_dask = run_batch(specs, tmp_path / "dask", {"x": 1}, scheduler=cluster.scheduler_address)
    local = run_batch(specs, tmp_path / "local", {"x": 1}, workers=1)
    assert on_dask.executed == local.executed == 6
    assert list(local.runs["mode"]) == ["solve"] * 2 + ["fixed"] * 4
    assert set(local.runs["status"][:2]) <= {"OPTIMAL", "FEASIBLE"}
    assert set(local.runs["status"][2:]) == {"FIXED"}
    pd.testing.assert_frame_equal(timeless(on_dask.runs), timeless(local.runs))
    pd.testing.assert_frame_equal(on_dask.cells, local.cells)


def test_cli_evaluate_on_the_scheduler(tmp_path, cluster, tiny_roster_path):
    out = tmp_path / "ev"
    result = invoke(
        "evaluate",
        TINY,
        "--fixed-roster",
        tiny_roster_path,
        "-o",
        out,
        "--vary",
        "sickness=0.1",
        "-r",
        2,
        "--scheduler",
        cluster.scheduler_address,
    )
    assert result.exit_code == 0, result.output
    assert cluster.scheduler_address in flat(result.output)
    local = invoke(
        "evaluate",
        TINY,
        "--fixed-roster",
        tiny_roster_path,
        "-o",
        tmp_path / "local",
        "--vary",
        "sickness=0.1",
        "-r",
        2,
        "-w",
        1,
    )
    assert local.exit_code == 0, local.output
    pd.testing.assert_frame_equal(
        timeless(pd.read_parquet(out / "runs.parquet")), timeless(pd.read_parquet(tmp_path / "local" / "runs.parquet"))
    )


# ============================================================================= `rostering evaluate`


def test_cli_evaluate_fixed_roster_end_to_end(tmp_path, tiny_roster_path):
    out = tmp_path / "ev"
    args = (
        "evaluate",
        TINY,
        "--fixed-roster",
        tiny_roster_path,
        "-o",
        out,
        "--vary",
        "sickness=0,0.15",
        "--vary",
        "staff.ssh=-1,0",
        "-r",
        2,
        "--seed",
        3,
        "-w",
        1,
    )
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "8 run(s): 1 scenario(s) × 4 variant(s) × 2 replication(s); fixed roster" in text
    assert "8 run(s) executed, 0 resumed, 0 without a roster" in text
    for name in ("runs.parquet", "runs.csv", "cells.parquet", "report.html", "understaffing.png", "batch.json"):
        assert (out / name).is_file(), name
    assert (out / "understaffing.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 8 and set(runs["status"]) == {"FIXED"}
    assert list(runs["variant"].unique()) == [
        "sickness=0,staff.ssh=-1",
        "sickness=0,staff.ssh=+0",
        "sickness=0.15,staff.ssh=-1",
        "sickness=0.15,staff.ssh=+0",
    ]
    base = runs[runs["variant"] == "sickness=0,staff.ssh=+0"]
    whole = coverage_totals(build_problem(load_scenario(TINY)), read_roster(tiny_roster_path))
    assert list(base["under_min_hours"]) == [whole.under_min_hours] * 2  # no absences: the roster as it is
    assert list(base["shifts"]) == [len(read_roster(tiny_roster_path).assignments)] * 2
    assert (runs["employees"] == runs["variant"].str.contains("-1").map({True: 8, False: 9})).all()
    csv_runs = pd.read_csv(out / "runs.csv")
    assert list(csv_runs["run_id"]) == list(runs["run_id"])
    assert list(csv_runs["under_min_hours"]) == list(runs["under_min_hours"])
    cells = pd.read_parquet(out / "cells.parquet")
    assert len(cells) == 8 * 35 and set(cells["run_id"]) == set(runs["run_id"])
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<img" in report and "data:image/png;base64," in report
    for label in runs["variant"].unique():
        assert label in report
    assert "None: every run gave a roster." in report

    again = invoke(*args, "--resume")
    assert again.exit_code == 0, again.output
    assert "0 run(s) executed, 8 resumed" in flat(again.output)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), runs)  # wall_time too: records kept


def test_cli_evaluate_failed_runs_are_reported(tmp_path, tiny_roster_path, monkeypatch):
    # The CLI refuses what it can see beforehand (more ssa removed than there are); let it through
    # to see a run that fails at run time reported, not raised.
    monkeypatch.setattr("rostering.cli.evaluate.axes_problems", lambda *args: [])
    out = tmp_path / "ev"
    result = invoke(
        "evaluate", TINY, "--fixed-roster", tiny_roster_path, "-o", out, "--vary", "staff.ssa=-9,0", "-w", 1
    )
    assert result.exit_code == 1, result.output  # like validate: 1 = the answer has findings, all was written
    text = flat(result.output)
    assert "tiny_plejehjem|staff.ssa=-9|r1: error: ValueError: staff.ssa=-9" in text
    assert "2 run(s) executed, 0 resumed, 1 without a roster" in text
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "Runs without a roster" in report and "staff.ssa=-9" in report


def test_cli_evaluate_resume_with_other_axes_is_refused(tmp_path, tiny_roster_path):
    out = tmp_path / "ev"
    base = ("evaluate", TINY, "--fixed-roster", tiny_roster_path, "-o", out, "-w", 1)
    assert invoke(*base, "--vary", "sickness=0.1").exit_code == 0
    result = invoke(*base, "--vary", "sickness=0.2", "--resume")
    assert result.exit_code == 2
    assert "other vary" in flat(result.output) and "batch.json" in result.output


def test_cli_fixed_roster_with_two_scenarios_exit_2(tmp_path, tiny_roster_path):
    other = tmp_path / "other.yaml"
    other.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "ev"
    result = invoke("evaluate", TINY, other, "--fixed-roster", tiny_roster_path, "-o", out, "-w", 1)
    assert result.exit_code == 2
    assert "--fixed-roster" in result.output and "give exactly one" in flat(result.output)
    assert not out.exists()


def test_cli_fixed_roster_with_unknown_employee_exit_2(tmp_path, tiny_roster_path):
    bad = tmp_path / "bad.csv"
    lines = tiny_roster_path.read_text(encoding="utf-8").splitlines()
    bad.write_text(
        "\n".join([*lines[:2], lines[2].replace(lines[2].split(",")[0], "e99", 1), *lines[3:]]) + "\n", encoding="utf-8"
    )
    result = invoke("evaluate", TINY, "--fixed-roster", bad, "-o", tmp_path / "ev", "-w", 1)
    assert result.exit_code == 2
    assert f"{bad}: row 3: column employee_id: unknown employee 'e99'" in result.output


def test_sickness_beyond_what_spells_allow_is_input_error():
    """Spells of 2 days need a well day between them: at most 2/3 of days can be sick."""
    with pytest.raises(InputError, match="cannot be reached with spells of 2 days"):
        variant_grid([parse_axis("sickness=0.1,0.7"), parse_axis("spell=2")])
    assert len(variant_grid([parse_axis("sickness=0.6"), parse_axis("spell=2")])) == 1


def test_cli_evaluate_many_scenarios_solves_each(tmp_path):
    """`evaluate a.yaml b.yaml`: a row per scenario; files with the same name are told apart by path."""
    first, second = tmp_path / "a" / "tiny.yaml", tmp_path / "b" / "tiny.yaml"
    for path in (first, second):
        path.parent.mkdir()
        path.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "ev"
    result = invoke("evaluate", first, second, "-o", out, "--time-limit", 1, "-w", 1)
    assert result.exit_code == 0, result.output
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs["scenario"]) == [str(first), str(second)]
    assert set(runs["mode"]) == {"solve"} and runs["status"].isin(["OPTIMAL", "FEASIBLE"]).all()
    assert runs["objective"].notna().all() and (runs["shifts"] > 0).all()
    # the same scenario and seed: the same roster figures under either name
    columns = ["status", "objective", "shifts", "under_min_hours", "under_target_hours"]
    assert runs.iloc[0][columns].tolist() == runs.iloc[1][columns].tolist()
