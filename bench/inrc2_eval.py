"""Independent evaluator for the static INRC-II problem (Second International Nurse Rostering
Competition): all weeks of an instance as one horizon, scored as the official validator does.

It shares no code with the engine (no `rostering` or `rules` import, standard library only): its own
parser and its own reading of the specification (../shared/benchmarks/inrc2/INRC2_ProblemSpecification.txt,
sections 2.5 and Appendices A-B), so a modelling bug in the engine cannot hide behind the same bug here.

    python -m bench.inrc2_eval DATASET_DIR INSTANCE_NAME SOL_FILE...

DATASET_DIR is the dataset folder (`.../inrc2/n005w4`) or the folder holding it; INSTANCE_NAME is
`nNNNwW_H_w1-w2-...` (history index, then the week-data files in order); the SOL_FILEs are the weekly
solutions in week order.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ANY = "Any"  # a shift-off request for the whole day
# Weights of the specification, section 2.5. S2 is 30 per day for working-day runs and 15 for same-shift
# runs (not 15 for both): only 30/15 gives the validator's 465 on n005w4_0_1-2-3-3 (15/15 gives 330).
W_OPTIMAL, W_SAME_SHIFT, W_WORKING, W_OFF, W_REQUEST, W_COMPLETE, W_TOTAL, W_WEEKENDS = 30, 15, 30, 30, 10, 30, 20, 30
# The official validator's line for each count, in its order.
HARD_LABELS = {
    "H2": "Minimal coverage constraints",
    "H4": "Required skill constraints",
    "H3": "Illegal shift type succession constraints",
    "H1": "Single assignment per day",
}
SOFT_LABELS = {
    "S6": "Total assignment constraints",
    "S2": "Consecutive constraints",
    "S3": "Non working days constraints",
    "S4": "Preferences",
    "S7": "Max working weekend",
    "S5": "Complete weekends",
    "S1": "Optimal coverage constraints",
}


@dataclass
class Contract:
    total: tuple[int, int]  # min, max assignments over the horizon (history counter included)
    working: tuple[int, int]  # min, max consecutive working days
    off: tuple[int, int]  # min, max consecutive days off
    max_weekends: int
    complete_weekends: bool


@dataclass
class History:
    """Border data and counters before day 0 (specification 2.3); defaults: nothing before."""

    assignments: int = 0
    weekends: int = 0
    last_shift: str | None = None  # None: the last day was off
    same_shift: int = 0  # consecutive days of last_shift
    working: int = 0  # consecutive working days
    off: int = 0  # consecutive days off


@dataclass
class Nurse:
    contract: Contract
    skills: frozenset[str]
    history: History = field(default_factory=History)


@dataclass
class Instance:
    """One static instance, built by load_instance or by hand in tests (cover and requests optional)."""

    weeks: int
    shifts: dict[str, tuple[int, int]]  # shift type -> min, max consecutive assignments
    forbidden: set[tuple[str, str]]  # (shift on day d, shift on day d+1)
    nurses: dict[str, Nurse]
    cover: dict[tuple[int, str, str], tuple[int, int]] = field(default_factory=dict)  # (day, shift, skill) -> min, opt
    off_requests: list[tuple[str, int, str]] = field(default_factory=list)  # (nurse, day, shift type or ANY)

    @property
    def days(self) -> int:
        return 7 * self.weeks


class Assignment(NamedTuple):
    nurse: str
    day: int  # 7 * week + weekday, 0 = the first Monday
    shift: str
    skill: str


@dataclass
class Evaluation:
    hard: dict[str, int]  # H1..H4: violation counts
    soft: dict[str, int]  # S1..S7: cost, weights applied

    @property
    def total(self) -> int:
        return sum(self.soft.values())

    @property
    def hard_total(self) -> int:
        return sum(self.hard.values())


# ---------------------------------------------------------------------------------------------
# Parsing (specification Appendix A, text format)


class _Lines:
    """The non-blank lines of one file, split into words, with their numbers: every error names both."""

    def __init__(self, path: Path):
        self.path = path
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"{path}: cannot read: {exc}") from exc
        # "( 3, 5 )" and "(3,5)" become one word "(3,5)"
        text = re.sub(r"\(\s*(\d+)\s*,\s*(\d+)\s*\)", r"(\1,\2)", text)
        self.rows = [(n, line.split()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        self.pos = 0

    def error(self, message: str, lineno: int | None = None) -> ValueError:
        if lineno is None:  # the line last read
            lineno = self.rows[self.pos - 1][0] if self.pos else 0
        return ValueError(f"{self.path}:{lineno}: {message}")

    def done(self) -> bool:
        return self.pos >= len(self.rows)

    def next(self, what: str) -> list[str]:
        if self.done():
            raise ValueError(f"{self.path}: unexpected end of file, expected {what}")
        self.pos += 1
        return self.rows[self.pos - 1][1]

    def keyword(self, word: str) -> None:
        if self.next(word) != [word]:
            raise self.error(f"expected {word!r}")

    def count(self, word: str) -> int:
        """A `WORD = N` header."""
        words = self.next(f"{word} = N")
        if len(words) != 3 or words[0] != word or words[1] != "=":
            raise self.error(f"expected '{word} = N'")
        return self.number(words[2])

    def number(self, word: str) -> int:
        if not word.isdigit():
            raise self.error(f"expected a non-negative integer, got {word!r}")
        return int(word)

    def pair(self, word: str) -> tuple[int, int]:
        match = re.fullmatch(r"\((\d+),(\d+)\)", word)
        if not match:
            raise self.error(f"expected '(a,b)', got {word!r}")
        return int(match[1]), int(match[2])

    def known(self, word: str, names: Iterable[str], kind: str) -> str:
        if word not in names:
            raise self.error(f"unknown {kind} {word!r}")
        return word

    def width(self, words: list[str], n: int, what: str, exact: bool = True) -> list[str]:
        if len(words) < n or (exact and len(words) > n):
            raise self.error(f"expected {what} ({n} words), got {len(words)}")
        return words


def _scenario(lines: _Lines, dataset: str) -> tuple[Instance, set[str]]:
    """The instance without history, cover and requests, and the skills."""
    if lines.next("SCENARIO = name") != ["SCENARIO", "=", dataset]:
        raise lines.error(f"expected 'SCENARIO = {dataset}'")
    weeks = lines.count("WEEKS")
    skills = {lines.width(lines.next("a skill"), 1, "a skill name")[0] for _ in range(lines.count("SKILLS"))}
    shifts = {}
    for _ in range(lines.count("SHIFT_TYPES")):
        name, limits = lines.width(lines.next("a shift type"), 2, "'Shift (min,max)'")
        shifts[name] = lines.pair(limits)
    lines.keyword("FORBIDDEN_SHIFT_TYPES_SUCCESSIONS")
    forbidden = set()
    for _ in shifts:
        first, n, *nexts = lines.width(lines.next("a succession row"), 2, "'Shift N successors'", exact=False)
        lines.width(nexts, lines.number(n), "the listed successors")
        forbidden |= {(lines.known(first, shifts, "shift type"), lines.known(s, shifts, "shift type")) for s in nexts}
    contracts = {}
    for _ in range(lines.count("CONTRACTS")):
        name, total, working, off, weekends, complete = lines.width(lines.next("a contract"), 6, "a contract")
        if complete not in ("0", "1"):
            raise lines.error(f"complete-weekend flag must be 0 or 1, got {complete!r}")
        contracts[name] = Contract(
            lines.pair(total), lines.pair(working), lines.pair(off), lines.number(weekends), complete == "1"
        )
    nurses = {}
    for _ in range(lines.count("NURSES")):
        name, contract, n, *own = lines.width(lines.next("a nurse"), 3, "'Nurse Contract N skills'", exact=False)
        lines.width(own, lines.number(n), "the listed skills")
        own_skills = frozenset(lines.known(s, skills, "skill") for s in own)
        nurses[name] = Nurse(contracts[lines.known(contract, contracts, "contract")], own_skills)
    return Instance(weeks, shifts, forbidden, nurses), skills


def _history(lines: _Lines, dataset: str, instance: Instance) -> None:
    shifts, nurses = instance.shifts, instance.nurses
    lines.keyword("HISTORY")
    if lines.next("week and scenario")[1:] != [dataset]:
        raise lines.error(f"expected '<week> {dataset}'")
    lines.keyword("NURSE_HISTORY")
    seen = set()
    while not lines.done():
        name, assignments, weekends, last, same, working, off = lines.width(lines.next("history"), 7, "a history row")
        nurse = nurses[lines.known(name, nurses, "nurse")]
        seen.add(name)
        last_shift = None if last == "None" else lines.known(last, shifts, "shift type")
        counts = [lines.number(w) for w in (assignments, weekends, same, working, off)]
        nurse.history = History(counts[0], counts[1], last_shift, *counts[2:])
    if missing := set(nurses) - seen:
        raise lines.error(f"no history for {sorted(missing)}")


def _week(lines: _Lines, dataset: str, week: int, skills: set[str], instance: Instance) -> None:
    shifts, nurses = instance.shifts, instance.nurses
    lines.keyword("WEEK_DATA")
    if lines.next("scenario") != [dataset]:
        raise lines.error(f"expected scenario {dataset!r}")
    lines.keyword("REQUIREMENTS")
    while True:
        words = lines.next("requirements or SHIFT_OFF_REQUESTS")
        if words[0] == "SHIFT_OFF_REQUESTS":
            lines.pos -= 1
            break
        shift, skill, *pairs = lines.width(words, 9, "'Shift Skill' and 7 (min,opt) pairs")
        lines.known(shift, shifts, "shift type")
        lines.known(skill, skills, "skill")
        for weekday, pair in enumerate(pairs):
            instance.cover[7 * week + weekday, shift, skill] = lines.pair(pair)
    for _ in range(lines.count("SHIFT_OFF_REQUESTS")):
        nurse, shift, day = lines.width(lines.next("a shift-off request"), 3, "'Nurse Shift Day'")
        lines.known(nurse, nurses, "nurse")
        lines.known(day, DAYS, "day")
        if shift != ANY:
            lines.known(shift, shifts, "shift type")
        instance.off_requests.append((nurse, 7 * week + DAYS.index(day), shift))
    if not lines.done():
        raise lines.error("unexpected text after the shift-off requests", lines.rows[lines.pos][0])


def load_instance(dataset_dir: Path, name: str) -> Instance:
    """Scenario + initial history + week data files named by `name`, e.g. `n005w4_0_1-2-3-3`."""
    match = re.fullmatch(r"(n\d+w\d+)_(\d+)_(\d+(?:-\d+)*)", name)
    if not match:
        raise ValueError(f"instance name {name!r} is not nNNNwW_H_w1-w2-...")
    dataset, history, week_files = match[1], match[2], match[3].split("-")
    folder = Path(dataset_dir)
    if (folder / dataset).is_dir():
        folder = folder / dataset
    lines = _Lines(folder / f"Sc-{dataset}.txt")
    instance, skills = _scenario(lines, dataset)
    if not lines.done():
        raise lines.error("unexpected text after the nurses", lines.rows[lines.pos][0])
    if len(week_files) != instance.weeks:
        raise ValueError(f"{name}: {len(week_files)} week files but the scenario has WEEKS = {instance.weeks}")
    _history(_Lines(folder / f"H0-{dataset}-{history}.txt"), dataset, instance)
    for week, index in enumerate(week_files):
        _week(_Lines(folder / f"WD-{dataset}-{index}.txt"), dataset, week, skills, instance)
    return instance


def read_solutions(paths: list[Path]) -> list[Assignment]:
    """Weekly solution files; the k-th file is week k (its own header's week number is not trusted).

    Text after the declared number of assignments is ignored: solvers append notes there (the bundled
    solutions, which the official validator scored, end with "Viol:", "Cost:" and "Time:" lines).
    """
    assignments = []
    for week, path in enumerate(paths):
        lines = _Lines(Path(path))
        lines.keyword("SOLUTION")
        lines.width(lines.next("week and scenario"), 2, "'<week> <scenario>'")
        for _ in range(lines.count("ASSIGNMENTS")):
            nurse, day, shift, skill = lines.width(lines.next("an assignment"), 4, "'Nurse Day Shift Skill'")
            assignments.append(Assignment(nurse, 7 * week + DAYS.index(lines.known(day, DAYS, "day")), shift, skill))
    return assignments


# ---------------------------------------------------------------------------------------------
# Evaluation


def run_violations(flags: list[bool], prior: int, low: int, high: int) -> int:
    """Days of violation of the runs of True in `flags` against [low, high], by Appendix B.

    `prior` is the history counter: the run in progress before day 0. If day 0 continues it, only the
    horizon's days beyond `high` count (the earlier ones were charged before); if day 0 ends it, it is
    judged for `low` now. The last run, still open at the horizon's end, is judged only for `high`.
    """
    penalty = max(0, low - prior) if prior and not (flags and flags[0]) else 0
    day = 0
    while day < len(flags):
        if not flags[day]:
            day += 1
            continue
        start = day
        while day < len(flags) and flags[day]:
            day += 1
        length = day - start
        span = length + (prior if start == 0 else 0)
        penalty += max(0, min(length, span - high))
        if day < len(flags):
            penalty += max(0, low - span)
    return penalty


def evaluate(instance: Instance, assignments: list[Assignment]) -> Evaluation:
    """Hard counts H1-H4 and soft costs S1-S7 of `assignments` over the whole horizon.

    On a day with two assignments (H1) the first one in the list is the nurse's shift for S2 and H3.
    H2 counts missing nurses, H4 assignments to a skill the nurse lacks.
    """
    days = instance.days
    roster: dict[str, list[str | None]] = {name: [None] * days for name in instance.nurses}
    per_day: Counter[tuple[str, int]] = Counter()
    covered: Counter[tuple[int, str, str]] = Counter()
    hard = dict.fromkeys(("H1", "H2", "H3", "H4"), 0)
    for a in assignments:
        if a.nurse not in instance.nurses:
            raise ValueError(f"assignment {a}: unknown nurse")
        if not 0 <= a.day < days:
            raise ValueError(f"assignment {a}: day outside the {days}-day horizon")
        if a.shift not in instance.shifts:
            raise ValueError(f"assignment {a}: unknown shift type")
        per_day[a.nurse, a.day] += 1
        if per_day[a.nurse, a.day] == 1:
            roster[a.nurse][a.day] = a.shift
        covered[a.day, a.shift, a.skill] += 1
        hard["H4"] += a.skill not in instance.nurses[a.nurse].skills
    hard["H1"] = sum(n - 1 for n in per_day.values())
    soft = dict.fromkeys(("S1", "S2", "S3", "S4", "S5", "S6", "S7"), 0)
    for slot, (minimum, optimal) in instance.cover.items():
        hard["H2"] += max(0, minimum - covered[slot])
        soft["S1"] += W_OPTIMAL * max(0, optimal - covered[slot])
    for who, day, shift in instance.off_requests:
        worked = roster[who][day]
        soft["S4"] += W_REQUEST * (worked is not None and shift in (ANY, worked))

    for name, nurse in instance.nurses.items():
        shifts, history, contract = roster[name], nurse.history, nurse.contract
        previous = [history.last_shift, *shifts[:-1]]
        hard["H3"] += sum((p, s) in instance.forbidden for p, s in zip(previous, shifts, strict=True))
        working = [s is not None for s in shifts]
        soft["S2"] += W_WORKING * run_violations(working, history.working, *contract.working)
        for shift, limits in instance.shifts.items():
            prior = history.same_shift if history.last_shift == shift else 0
            soft["S2"] += W_SAME_SHIFT * run_violations([s == shift for s in shifts], prior, *limits)
        soft["S3"] += W_OFF * run_violations([not w for w in working], history.off, *contract.off)
        weekends = [(working[d + 5], working[d + 6]) for d in range(0, days, 7)]
        if contract.complete_weekends:
            soft["S5"] += W_COMPLETE * sum(sat != sun for sat, sun in weekends)
        total = history.assignments + sum(working)
        soft["S6"] += W_TOTAL * (max(0, contract.total[0] - total) + max(0, total - contract.total[1]))
        worked_weekends = history.weekends + sum(sat or sun for sat, sun in weekends)
        soft["S7"] += W_WEEKENDS * max(0, worked_weekends - contract.max_weekends)
    return Evaluation(hard, soft)


def report(evaluation: Evaluation) -> str:
    """The validator's summary lines (hard counts, cost per constraint type, total)."""
    hard = [f"{label}: {evaluation.hard[key]}" for key, label in HARD_LABELS.items()]
    soft = [f"{label}: {evaluation.soft[key]}" for key, label in SOFT_LABELS.items()]
    rule = "-" * 24
    return "\n".join(
        ["Hard constraint violations", "-" * 26, "", *hard, "", "", "Cost per constraint type", rule, "", *soft]
        + ["", rule, "", f"Total cost: {evaluation.total}"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset_dir", type=Path)
    parser.add_argument("instance")
    parser.add_argument("solutions", type=Path, nargs="+")
    args = parser.parse_args(argv)
    try:
        instance = load_instance(args.dataset_dir, args.instance)
        evaluation = evaluate(instance, read_solutions(args.solutions))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report(evaluation))
    return 0


if __name__ == "__main__":
    sys.exit(main())
