"""The independent INRC-II evaluator (bench/inrc2_eval.py): the official validator's output on the
bundled n005w4 solutions, the border rows of the specification's Appendix B on one-nurse instances,
hard violations on a broken roster, and parse errors that name file and line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.inrc2_eval import (
    HARD_LABELS,
    SOFT_LABELS,
    Assignment,
    Contract,
    History,
    Instance,
    Nurse,
    evaluate,
    load_instance,
    main,
    read_solutions,
)

# The n005w4 dataset with the competition's solutions, bundled from ../shared/benchmarks/inrc2/.
DATASET = Path(__file__).resolve().parent / "data" / "inrc2" / "n005w4"
FOLDERS = ["Solution_H_0-WD_1-2-3-3", "Solution_H_1-WD_5-3-1-0", "Solution_H_2-WD_6-7-8-9"]
WIDE = (0, 99)  # limits that are never violated


def solution_files(folder: Path) -> list[Path]:
    """Sol-n005w4-<wd>-<week>.txt, in week order."""
    return sorted(folder.glob("Sol-*.txt"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def instance_name(folder: str) -> str:
    history, weeks = re.fullmatch(r"Solution_H_(\d+)-WD_([\d-]+)", folder).groups()
    return f"n005w4_{history}_{weeks}"


def validator_numbers(text: str) -> dict[str, int]:
    """`Label: number` lines of the validator's report."""
    return {m[1]: int(m[2]) for m in re.finditer(r"^([A-Za-z][^:|\n]*):\s*(\d+)\s*$", text, re.M)}


# --- the official validator -------------------------------------------------------------------


@pytest.mark.parametrize("folder", FOLDERS)
def test_bundled_solutions_match_the_official_validator(folder):
    instance = load_instance(DATASET, instance_name(folder))
    files = solution_files(DATASET / folder)
    assert len(files) == instance.weeks == 4
    evaluation = evaluate(instance, read_solutions(files))
    assert evaluation.hard == {"H1": 0, "H2": 0, "H3": 0, "H4": 0} and evaluation.hard_total == 0
    if not (DATASET / folder / "validator.txt").is_file():
        pytest.skip(f"{folder} has no validator.txt (upstream ships one for Solution_H_0-WD_1-2-3-3 only)")
    expected = validator_numbers((DATASET / folder / "validator.txt").read_text())
    assert {key: evaluation.hard[key] for key in HARD_LABELS} == {
        key: expected[lbl] for key, lbl in HARD_LABELS.items()
    }
    assert evaluation.soft == {key: expected[label] for key, label in SOFT_LABELS.items()}
    assert evaluation.total == expected["Total cost"] == sum(evaluation.soft.values())


def test_command_line_prints_the_validators_lines(capsys):
    folder = DATASET / FOLDERS[0]
    if not (folder / "validator.txt").is_file():
        pytest.skip(f"{folder} is missing")
    assert main([str(DATASET), instance_name(FOLDERS[0]), *map(str, solution_files(folder))]) == 0
    printed = validator_numbers(capsys.readouterr().out)
    assert printed == validator_numbers((folder / "validator.txt").read_text())


# --- Appendix B: one nurse, one week, only the constraint under test active ---------------------


def one_nurse(history: History, *, working=WIDE, off=WIDE, early=WIDE, late=WIDE) -> Instance:
    """Appendix B's setting: shift types E and L, L -> E forbidden; the limits not under test are wide."""
    contract = Contract(total=(0, 99), working=working, off=off, max_weekends=99, complete_weekends=False)
    return Instance(
        weeks=1,
        shifts={"E": early, "L": late},
        forbidden={("L", "E")},
        nurses={"A": Nurse(contract, frozenset({"S"}), history)},
    )


def roster(week: str) -> list[Assignment]:
    """One character a day: a shift type, or '-' for a day off."""
    assert len(week) == 7
    return [Assignment("A", day, shift, "S") for day, shift in enumerate(week) if shift != "-"]


def worked(c: int) -> History:
    """History: c consecutive working days (all E), or c = 0: a day off before."""
    return History(last_shift="E", same_shift=c, working=c) if c else History(off=1)


def rested(c: int) -> History:
    """History: c consecutive days off, or c = 0: an E shift before."""
    return History(off=c) if c else History(last_shift="E", same_shift=1, working=1)


# Table 5 (max 3 consecutive working days at the start): history c -> violations when the first
# 0, 1, 2, 3, 4 days are worked and the next is off (rest of the week off).
TABLE_5 = {5: [0, 1, 2, 3, 4], 3: [0, 1, 2, 3, 4], 2: [0, 0, 1, 2, 3], 1: [0, 0, 0, 1, 2], 0: [0, 0, 0, 0, 1]}
# Table 7 (min 3 consecutive working days at the start), same rows where the table has them.
TABLE_7 = {2: [1, 0], 1: [2, 1, 0], 0: [0, 2, 1, 0]}
# Table 9 (max 3 consecutive days off at the start): first 0..4 days off, then worked (rest worked).
TABLE_9 = {4: [0, 1, 2, 3, 4], 3: [0, 1, 2, 3, 4], 2: [0, 0, 1, 2, 3], 1: [0, 0, 0, 1, 2], 0: [0, 0, 0, 0, 1]}
# Table 11 (min 3 consecutive days off at the start).
TABLE_11 = {3: [0, 0, 0, 0, 0], 2: [1, 0, 0, 0, 0], 1: [2, 1, 0, 0, 0], 0: [0, 2, 1, 0, 0]}


def rows(table):
    return [(c, k, v) for c, column in table.items() for k, v in enumerate(column)]


@pytest.mark.parametrize("c, k, violations", rows(TABLE_5))
def test_table_5_max_consecutive_working_days_at_the_start(c, k, violations):
    instance = one_nurse(worked(c), working=(0, 3))
    assert evaluate(instance, roster(("E" * k).ljust(7, "-"))).soft["S2"] == 30 * violations


@pytest.mark.parametrize("c, k, violations", rows(TABLE_7))
def test_table_7_min_consecutive_working_days_at_the_start(c, k, violations):
    instance = one_nurse(worked(c), working=(3, 99))
    assert evaluate(instance, roster(("E" * k).ljust(7, "-"))).soft["S2"] == 30 * violations


@pytest.mark.parametrize("week, violations", [("-EEEEEE", 3), ("E-EEEEE", 2), ("--EEEEE", 2), ("---EEEE", 1)])
def test_table_6_max_consecutive_working_days_at_the_end(week, violations):
    assert evaluate(one_nurse(worked(0), working=(0, 3)), roster(week)).soft["S2"] == 30 * violations


def test_table_8_min_is_judged_per_series_and_not_for_the_last_run():
    instance = one_nurse(worked(0), working=(3, 99))
    assert evaluate(instance, roster("-E--EE-")).soft["S2"] == 30 * 3
    assert evaluate(instance, roster("-E---EE")).soft["S2"] == 30 * 2  # the open run at the end is not judged


@pytest.mark.parametrize("c, k, violations", rows(TABLE_9))
def test_table_9_max_consecutive_days_off_at_the_start(c, k, violations):
    instance = one_nurse(rested(c), off=(0, 3))
    assert evaluate(instance, roster(("-" * k).ljust(7, "E"))).soft["S3"] == 30 * violations


@pytest.mark.parametrize("c, k, violations", rows(TABLE_11))
def test_table_11_min_consecutive_days_off_at_the_start(c, k, violations):
    instance = one_nurse(rested(c), off=(3, 99))
    assert evaluate(instance, roster(("-" * k).ljust(7, "E"))).soft["S3"] == 30 * violations


@pytest.mark.parametrize("week, violations", [("EEEE---", 0), ("EEE----", 1), ("EE-----", 2), ("E------", 3)])
def test_table_10_max_consecutive_days_off_at_the_end(week, violations):
    assert evaluate(one_nurse(rested(0), off=(0, 3)), roster(week)).soft["S3"] == 30 * violations


def test_min_days_off_is_not_judged_for_the_last_run():
    assert evaluate(one_nurse(rested(0), off=(3, 99)), roster("EEEEEE-")).soft["S3"] == 0


@pytest.mark.parametrize(
    "last, week, illegal",
    [("L", "E------", 1), ("L", "L------", 0), ("L", "-E-----", 0), ("E", "E------", 0)]
    + [("E", "L------", 0), ("E", "-------", 0), ("L", "-LE----", 1)],
)
def test_table_12_forbidden_succession_from_history(last, week, illegal):
    history = History(last_shift=last, same_shift=1, working=1)
    assert evaluate(one_nurse(history), roster(week)).hard["H3"] == illegal


@pytest.mark.parametrize(
    "c, week, violations",
    [
        (2, "L------", 1),  # a different shift ends the E run of 2 at the start: min 3
        (2, "EL-----", 0),
        (1, "E-L----", 1),  # a day off ends it too
        (3, "EL-----", 1),  # max 3: only the horizon's day beyond it
        (5, "EE-----", 2),
        (0, "----LEE", 0),  # the open E run at the end is not judged for its minimum
    ],
)
def test_same_shift_runs_follow_the_same_border_rules(c, week, violations):
    instance = one_nurse(worked(c), early=(3, 3))
    assert evaluate(instance, roster(week)).soft["S2"] == 15 * violations


# --- hard constraints ----------------------------------------------------------------------------


def test_a_broken_roster_is_counted_in_h1_to_h4():
    contract = Contract((0, 99), WIDE, WIDE, 99, False)
    instance = Instance(
        weeks=1,
        shifts={"E": WIDE, "L": WIDE},
        forbidden={("L", "E")},
        nurses={"A": Nurse(contract, frozenset({"Nurse"})), "B": Nurse(contract, frozenset({"Nurse", "Head"}))},
        cover={(0, "E", "Head"): (1, 1), (2, "E", "Nurse"): (1, 2)},
    )
    good = [Assignment("B", 0, "E", "Head"), Assignment("A", 2, "E", "Nurse"), Assignment("B", 2, "E", "Nurse")]
    assert evaluate(instance, good).hard == {"H1": 0, "H2": 0, "H3": 0, "H4": 0}
    broken = [
        Assignment("A", 0, "E", "Head"),  # H4: A is no head nurse (the slot itself is covered)
        # day 2 (E, Nurse) left empty: H2, 1 nurse short of the minimum, 2 of the optimum
        Assignment("B", 3, "L", "Nurse"),
        Assignment("B", 4, "E", "Nurse"),  # H3: L -> E
        Assignment("A", 5, "E", "Nurse"),
        Assignment("A", 5, "L", "Nurse"),  # H1: two shifts on Saturday
    ]
    evaluation = evaluate(instance, broken)
    assert evaluation.hard == {"H1": 1, "H2": 1, "H3": 1, "H4": 1} and evaluation.hard_total == 4
    assert evaluation.soft["S1"] == 30 * 2


def test_requests_weekends_and_totals():
    contract = Contract(total=(5, 5), working=WIDE, off=WIDE, max_weekends=1, complete_weekends=True)
    nurse = Nurse(contract, frozenset({"S"}), History(assignments=1, weekends=1))
    instance = Instance(
        weeks=2,
        shifts={"E": WIDE, "L": WIDE},
        forbidden=set(),
        nurses={"A": nurse},
        off_requests=[("A", 0, "Any"), ("A", 1, "L"), ("A", 2, "L"), ("A", 3, "Any")],
    )
    week = [("A", 0, "E"), ("A", 1, "E"), ("A", 2, "L"), ("A", 5, "E"), ("A", 12, "L"), ("A", 13, "L")]
    evaluation = evaluate(instance, [Assignment(n, d, s, "S") for n, d, s in week])
    assert evaluation.soft["S4"] == 10 * 2  # Mon (Any) and Wed (L); Tue's E is not the L refused
    assert evaluation.soft["S5"] == 30 * 1  # Sat only in week 1; both days in week 2
    assert evaluation.soft["S6"] == 20 * 2  # 1 + 6 assignments, max 5
    assert evaluation.soft["S7"] == 30 * 2  # 1 + 2 weekends, max 1


# --- parsing ----------------------------------------------------------------------------------

SCENARIO = """SCENARIO = n001w1

WEEKS = 1

SKILLS = 1
Nurse

SHIFT_TYPES = 2
Early (2,5)
Late (2,3)

FORBIDDEN_SHIFT_TYPES_SUCCESSIONS
Early 0
Late 1 Early

CONTRACTS = 1
FullTime (3,5) (2,4) (1,3) 1 1

NURSES = 1
Ann FullTime 1 Nurse
"""
HISTORY = "HISTORY\n0 n001w1\n\nNURSE_HISTORY\nAnn 0 0 Late 1 4 0\n"
WEEK = """WEEK_DATA
n001w1

REQUIREMENTS
Early Nurse (1,1) (0,1) (0,0) (0,0) (0,0) (0,0) (0,0)
Late Nurse (0,0) (0,0) (0,0) (0,0) (0,0) (0,0) (0,0)

SHIFT_OFF_REQUESTS = 1
Ann Any Tue
"""
SOLUTION = "SOLUTION\n0 n001w1\n\nASSIGNMENTS = 2\nAnn Mon Early Nurse\nAnn Tue Early Nurse\n\nCost: 10\n"


def write_dataset(folder: Path, scenario: str = SCENARIO, week: str = WEEK, solution: str = SOLUTION) -> None:
    (folder / "n001w1").mkdir()
    for name, text in [("Sc-n001w1", scenario), ("H0-n001w1-0", HISTORY), ("WD-n001w1-0", week), ("Sol", solution)]:
        (folder / "n001w1" / f"{name}.txt").write_text(text.replace("\n", "\r\n"))


def test_a_small_dataset_is_read_and_scored(tmp_path):
    write_dataset(tmp_path)
    instance = load_instance(tmp_path, "n001w1_0_0")
    assert instance.shifts == {"Early": (2, 5), "Late": (2, 3)} and instance.forbidden == {("Late", "Early")}
    assert instance.nurses["Ann"].contract == Contract((3, 5), (2, 4), (1, 3), 1, True)
    assert instance.nurses["Ann"].history == History(0, 0, "Late", 1, 4, 0)
    assert instance.cover[1, "Early", "Nurse"] == (0, 1) and instance.off_requests == [("Ann", 1, "Any")]
    evaluation = evaluate(instance, read_solutions([tmp_path / "n001w1" / "Sol.txt"]))
    assert evaluation.hard == {"H1": 0, "H2": 0, "H3": 1, "H4": 0}  # Late (history) -> Early on Monday
    # S2: the Late run of 1 ends at the start (min 2), 4 + 2 working days (max 4); S3: 5 days off
    # at the end (max 3); S4: Tuesday was refused; S6: 2 assignments (min 3).
    assert evaluation.soft == {"S1": 0, "S2": 15 * 1 + 30 * 2, "S3": 30 * 2, "S4": 10, "S5": 0, "S6": 20, "S7": 0}


@pytest.mark.parametrize(
    "broken, where",
    [
        (SCENARIO.replace("Early (2,5)", "Early (2;5)"), "Sc-n001w1.txt:9"),
        (SCENARIO.replace("Late 1 Early", "Late 1 Noon"), "Sc-n001w1.txt:14"),
        (SCENARIO.replace("Ann FullTime", "Ann HalfTime"), "Sc-n001w1.txt:20"),
        (SCENARIO.replace("WEEKS = 1", "WEEKS = one"), "Sc-n001w1.txt:3"),
        (SCENARIO.replace("Late 1 Early", "Late"), "Sc-n001w1.txt:14"),
        (SCENARIO.replace("Ann FullTime 1 Nurse", "Ann FullTime 2 Nurse"), "Sc-n001w1.txt:20"),
    ],
)
def test_malformed_input_names_file_and_line(tmp_path, broken, where):
    write_dataset(tmp_path, broken)
    with pytest.raises(ValueError, match=re.escape(where)):
        load_instance(tmp_path, "n001w1_0_0")


def test_malformed_week_data_and_solutions_name_file_and_line(tmp_path):
    write_dataset(
        tmp_path, week=WEEK.replace("Ann Any Tue", "Ann Any Tuesday"), solution=SOLUTION.replace("= 2", "= 3")
    )
    with pytest.raises(ValueError, match=re.escape("WD-n001w1-0.txt:9: unknown day 'Tuesday'")):
        load_instance(tmp_path, "n001w1_0_0")
    with pytest.raises(ValueError, match=re.escape("Sol.txt:8: expected 'Nurse Day Shift Skill'")):
        read_solutions([tmp_path / "n001w1" / "Sol.txt"])


def test_wrong_instance_names_are_refused(tmp_path):
    write_dataset(tmp_path)
    with pytest.raises(ValueError, match="nNNNwW_H"):
        load_instance(tmp_path, "n001w1-0-0")
    with pytest.raises(ValueError, match="WEEKS = 1"):
        load_instance(tmp_path, "n001w1_0_0-0")
