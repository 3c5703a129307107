"""INRC-II static instances: the reader (rostering.io.inrc2) on the bundled n005w4 dataset, its
errors on malformed files, the engine's score of the competition's own solutions against the
official validator's totals, and `rostering solve DIR/NAME` + `rostering export inrc2` scored by
the independent evaluator (bench/inrc2_eval.py)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench.inrc2_eval import evaluate, load_instance, read_solutions
from builders import HERE, roster, row
from rostering.cli import app
from rostering.domain.errors import InputError
from rostering.domain.problem import build_problem
from rostering.io.inrc2 import best_known, is_inrc2, read_inrc2
from rostering.io.scenario_file import read_scenario
from rostering.rules.check import blocking, check_roster
from rostering.rules.objective import total_points

DATASET = HERE / "data" / "inrc2" / "n005w4"
INSTANCE = DATASET / "n005w4_0_1-2-3-3"
SOLUTIONS = sorted(DATASET.glob("Solution_H_*"))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
runner = CliRunner()


def instance_of(folder: Path) -> Path:
    """`Solution_H_0-WD_1-2-3-3` -> the instance path DATASET/n005w4_0_1-2-3-3."""
    history, weeks = re.fullmatch(r"Solution_H_(\d+)-WD_([\d-]+)", folder.name).groups()
    return DATASET / f"n005w4_{history}_{weeks}"


def solution_rows(problem, folder: Path):
    """The weekly Sol files of a Solution folder as roster rows (week k = the file ending -k)."""
    rows = []
    for path in sorted(folder.glob("Sol-*.txt"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
        week = int(path.stem.rsplit("-", 1)[1])
        for line in path.read_text().splitlines():
            fields = line.split()
            if len(fields) == 4 and fields[1] in WEEKDAYS:
                day = problem.days[7 * week + WEEKDAYS.index(fields[1])]
                rows.append(row(problem, fields[0], f"{day}T06:00", f"{day}T14:00", fields[2], fields[3]))
    return rows


def expected_total(folder: Path) -> int:
    """The official validator's total where the folder keeps its output, else the independent
    evaluator's (it equals the validator's on the folder that has one: tests/test_inrc2_eval.py)."""
    validator = folder / "validator.txt"
    if validator.is_file():
        return int(re.search(r"Total cost:\s*(\d+)", validator.read_text())[1])
    files = sorted(folder.glob("Sol-*.txt"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return evaluate(load_instance(DATASET, instance_of(folder).name), read_solutions(files)).total


def test_an_instance_is_its_dataset_folder_and_name():
    assert is_inrc2(INSTANCE)
    assert is_inrc2(DATASET.parent / "n005w4_0_1-2-3-3")  # the folder of all datasets works too
    assert not is_inrc2(DATASET / "Sc-n005w4.txt")
    assert not is_inrc2(HERE / "n005w4_0_1-2-3-3")  # no dataset there
    scenario, kind = read_scenario(INSTANCE)
    assert kind == "inrc2"
    assert scenario.horizon.start == dt.date(2024, 1, 1) and scenario.horizon.weeks == 4


def test_the_mapping_of_n005w4():
    scenario = read_inrc2(INSTANCE)
    assert [c.id for c in scenario.competences] == ["HeadNurse", "Nurse"]
    assert [s.id for s in scenario.shift_types] == ["Early", "Late", "Night"]
    sara = next(e for e in scenario.employees if e.id == "Sara")
    assert sara.competences == ("Nurse",) and sara.agreement == "PartTime"
    part_time = scenario.agreements["PartTime"].rules
    assert part_time["shifts.count_range"] == {"min_shifts": 7, "max_shifts": 11, "soft": {"weight": 20}}
    assert part_time["days_off.min_consecutive"]["min_days"] == 3
    assert part_time["shifts.max_consecutive_type"]["max_days"] == {"Early": 5, "Late": 3, "Night": 5}
    assert part_time["shifts.forbidden_succession"]["forbidden"] == {"Late": ["Early"], "Night": ["Early", "Late"]}
    # H0-0: Patrick worked 4 days ending with 1 Night; Stefaan had 3 days off (a day worked before)
    history = {(h.employee, h.date.isoformat(), h.shift) for h in scenario.history}
    assert {h for h in history if h[0] == "Patrick"} == {
        ("Patrick", "2023-12-28", "Early"),
        ("Patrick", "2023-12-29", "Early"),
        ("Patrick", "2023-12-30", "Early"),
        ("Patrick", "2023-12-31", "Night"),
    }
    assert {h for h in history if h[0] == "Stefaan"} == {("Stefaan", "2023-12-28", "Early")}
    # WD-1 Monday: Early Nurse (1,1); Sara's request "Late Sat" and Nguyen's "Any Fri"
    problem = build_problem(scenario)
    cell = problem.demand[(0, "Early", "Nurse")]
    assert (cell.min, cell.target, cell.max) == (1, 1, None)
    wishes = {(e.id, w.date.isoformat(), w.kind.value, w.shift) for e in scenario.employees for w in e.wishes}
    assert ("Sara", "2024-01-06", "avoid", "Late") in wishes
    assert ("Nguyen", "2024-01-05", "day_off", None) in wishes


@pytest.mark.parametrize("folder", SOLUTIONS, ids=lambda p: p.name)
def test_the_engine_scores_the_competitions_solutions_as_the_validator(folder):
    """The mapping is the competition: solutions from its repository score the validator's total,
    recomputed by the engine's objective, with no hard rule broken."""
    problem = build_problem(read_inrc2(instance_of(folder)))
    solved = roster(solution_rows(problem, folder))
    assert blocking(check_roster(problem, solved)) == []
    assert total_points(problem, solved) == expected_total(folder)


def test_a_broken_solution_breaks_the_hard_rules():
    folder = SOLUTIONS[0]
    problem = build_problem(read_inrc2(instance_of(folder)))
    rows = solution_rows(problem, folder)
    first = rows[0]  # Patrick, Monday Night after history's Night: add an Early the next day after Night
    tuesday = problem.days[1]
    extra = row(problem, first.employee_id, f"{tuesday}T06:00", f"{tuesday}T14:00", "Early", "Nurse")
    same_day = row(problem, first.employee_id, f"{first.date}T06:00", f"{first.date}T14:00", "Early", "Nurse")
    found = {v.rule_id for v in blocking(check_roster(problem, roster([*rows, extra, same_day])))}
    assert {"shifts.forbidden_succession", "shifts.max_per_day"} <= found


def copy_dataset(tmp_path: Path) -> Path:
    target = tmp_path / "n005w4"
    shutil.copytree(DATASET, target, ignore=shutil.ignore_patterns("Solution_*"))
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace the line `old` by `new`; returns its 1-based number."""
    lines = path.read_text().splitlines()
    number = lines.index(old) + 1
    lines[number - 1] = new
    path.write_text("\n".join(lines) + "\n")
    return number


def test_every_problem_of_a_file_is_named_with_its_line(tmp_path):
    folder = copy_dataset(tmp_path)
    sc = folder / "Sc-n005w4.txt"
    contract = edit(sc, "PartTime (7,11) (3,5) (3,5) 2 1", "PartTime (7,11) (3;5) (3,5) 2 yes")
    nurse = edit(sc, "Sara PartTime 1 Nurse", "Sara PartTime 1 Surgeon")
    with pytest.raises(InputError) as caught:
        read_inrc2(folder / "n005w4_0_1-2-3-3")
    text = caught.value.render()
    assert f"Sc-n005w4.txt:{contract}: working days: '(3;5)' is not (low,high)" in text
    assert f"Sc-n005w4.txt:{contract}: complete weekends: 'yes' is not 0 or 1" in text
    assert f"Sc-n005w4.txt:{nurse}: skills: unknown skill 'Surgeon'" in text


def test_a_history_that_contradicts_itself_or_names_a_stranger_is_refused(tmp_path):
    folder = copy_dataset(tmp_path)
    h0 = folder / "H0-n005w4-0.txt"
    both = edit(h0, "Andrea 0 0 Early 3 3 0", "Andrea 0 0 Early 3 3 2")  # working and off at once
    stranger = edit(h0, "Nguyen 0 0 None 0 0 1", "Nobody 0 0 None 0 0 1")
    with pytest.raises(InputError) as caught:
        read_inrc2(folder / "n005w4_0_1-2-3-3")
    text = caught.value.render()
    assert f"H0-n005w4-0.txt:{both}: nurse history: contradicts itself" in text
    assert f"H0-n005w4-0.txt:{stranger}: nurse: unknown nurse 'Nobody'" in text


def test_a_week_file_with_bad_rows_is_refused_whole(tmp_path):
    folder = copy_dataset(tmp_path)
    wd = folder / "WD-n005w4-2.txt"
    text = wd.read_text().splitlines()
    request = next(i for i, line in enumerate(text, 1) if line.startswith("SHIFT_OFF_REQUESTS"))
    text[request] = "Sara Brunch Sat"
    wd.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as caught:
        read_inrc2(folder / "n005w4_0_1-2-3-3")
    assert f"WD-n005w4-2.txt:{request + 1}: shift: unknown shift type 'Brunch'" in caught.value.render()


def test_the_instance_names_as_many_weeks_as_the_dataset_plans():
    with pytest.raises(InputError, match="3 week file\\(s\\) named; the dataset plans 4 weeks"):
        read_inrc2(DATASET / "n005w4_0_1-2-3")


def test_best_known_comes_from_the_readme_of_all_datasets(tmp_path):
    folder = copy_dataset(tmp_path)
    (tmp_path / "README.md").write_text("| instance | ub | lb |\n|---|---|---|\n| n005w4_0_1-2-3-3 | 1500 | 1400 |\n")
    best = best_known(folder / "n005w4_0_1-2-3-3")
    assert (best.upper, best.lower) == (1500, 1400)
    assert best_known(folder / "n005w4_1_1-2-3-3") is None


def test_solve_an_instance_and_export_the_competition_files(tmp_path):
    """The CLI end to end: the roster's objective (recomputed from the roster) is the evaluator's
    score of the exported files, with no hard violation."""
    csv_path, out = tmp_path / "roster.csv", tmp_path / "solution"
    solved = runner.invoke(app, ["solve", str(INSTANCE), "-o", str(csv_path), "-t", "5", "--workers", "2", "-q"])
    assert solved.exit_code == 0, solved.output
    objective = float(re.search(r"Instance objective ([\d.]+)", solved.output)[1])
    exported = runner.invoke(app, ["export", "inrc2", str(INSTANCE), str(csv_path), "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    files = sorted(out.glob("Sol-*.txt"))
    assert [p.name for p in files] == [f"Sol-n005w4-{w}-{k}.txt" for k, w in enumerate((1, 2, 3, 3))]
    evaluation = evaluate(load_instance(DATASET, INSTANCE.name), read_solutions(files))
    assert evaluation.hard_total == 0
    assert evaluation.total == objective
