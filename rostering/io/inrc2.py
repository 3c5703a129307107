"""Read a static instance of the Second International Nurse Rostering Competition (INRC-II) as a
scenario: the weeks of one instance planned at once from the initial history, mapped onto the
engine's own general rules the way the Curtois reader maps its benchmark.

An instance `nNNNwW_H_w1-w2-...` is the dataset's scenario file `Sc-nNNNwW.txt`, its initial
history `H0-nNNNwW-H.txt` and the week files `WD-nNNNwW-w1.txt`, ... in order. The mapping:
- skills are competences; a nurse covers one of hers per shift (the roster's `competence`);
- shift types keep their ids and all run 06:00-14:00 UTC, so no shift reaches the next day and
  none of the engine's time-based laws applies (the competition has none);
- hard: one shift a day (`shifts.max_per_day`), forbidden successions, the skills, and minimum
  cover, a `min` whose weight (`HARD_COVER`, per missing head) outweighs every soft term;
- soft, with the competition's weights, per contract (a local agreement of that name):
  optimal cover (`target`, 30 per missing head), consecutive working days (30 per day) and of
  one shift type (15 per day; section 2.5 of the specification), consecutive days off (30 per
  day), shift-off requests (`day_off`/`avoid` wishes, 10), complete weekends (30), total
  assignments (`shifts.count_range`, 20 per assignment) and working weekends
  (`weekend.max_worked`, 30 per weekend);
- the initial history becomes shifts before day 0 (`history:`): the run of working days in
  progress with its last shift type, or a day worked just before the run of days off, so runs and
  successions continue across the start exactly as the competition's Appendix B counts them.
Nothing else is weighted, so the scenario's objective is the competition's score plus
`HARD_COVER` per head below minimum cover.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.problem import HISTORY_DAYS
from rostering.domain.scenario import Scenario

from .curtois import LAW_OFF, BestKnown  # the time-based laws neither benchmark has
from .files import read_input
from .validation import scenario_from_data

DEFAULT_START = dt.date(2024, 1, 1)  # a Monday: every week of the competition starts on one
NAME = re.compile(r"(?P<dataset>n\d{3}w\d+)_(?P<history>\d+)_(?P<weeks>\d+(?:-\d+)*)")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Points per head below minimum cover (the competition's hard H2): above any soft trade-off.
HARD_COVER = 1000
WEIGHTS = {"cover": 30, "working": 30, "same_shift": 15, "days_off": 30, "request": 10, "weekend": 30, "total": 20}


def is_inrc2(path: str | Path) -> bool:
    """True for a path DIR/NAME whose NAME is an instance name and DIR holds its dataset (the
    dataset folder itself or the folder of all datasets), not for an existing file."""
    path = Path(path)
    return not path.is_file() and NAME.fullmatch(path.name) is not None and _dataset_dir(path) is not None


def _dataset_dir(path: Path) -> Path | None:
    match = NAME.fullmatch(path.name)
    if match is None:
        return None
    dataset = match["dataset"]
    for folder in (path.parent, path.parent / dataset):
        if (folder / f"Sc-{dataset}.txt").is_file():
            return folder
    return None


@dataclass(frozen=True)
class Contract:
    total: tuple[int, int]
    working: tuple[int, int]
    off: tuple[int, int]
    max_weekends: int
    complete_weekends: bool


@dataclass(frozen=True)
class Nurse:
    id: str
    contract: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Border:
    """A nurse's initial history: the counters the competition carries from week to week."""

    last_shift: str | None
    same_shift: int
    working: int
    off: int


@dataclass(frozen=True)
class Week:
    cover: dict[tuple[int, str, str], tuple[int, int]]  # (weekday, shift, skill) -> (min, optimal)
    off_requests: tuple[tuple[str, int, str | None, int], ...]  # nurse, weekday, shift or None (Any), line


class _Lines:
    """One file's meaningful lines, read in order, with every problem kept for one error."""

    def __init__(self, path: Path):
        self.path = path
        text = read_input(path)
        self.rows = [(n, line.split()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        self.at = 0
        self.issues: list[InputIssue] = []

    def issue(self, line: int | None, where: str, message: str) -> None:
        self.issues.append(InputIssue(where, message, line))

    def next(self, what: str) -> tuple[int, list[str]]:
        if self.at >= len(self.rows):
            self.issue(None, what, "missing (the file ends early)")
            raise _Stop
        row = self.rows[self.at]
        self.at += 1
        return row

    def header(self, keyword: str) -> int:
        """A section header `KEYWORD`, `KEYWORD = N` (returns N) or `KEYWORD = name` (returns 0)."""
        line, fields = self.next(keyword)
        text = " ".join(fields)
        match = re.fullmatch(rf"{keyword}(?:\s*=\s*(\S+))?", text)
        if match is None:
            self.issue(line, keyword, f"expected {keyword}, found {text!r}")
            raise _Stop
        return int(match[1]) if match[1] and re.fullmatch(r"\d{1,9}", match[1]) else 0

    def count(self, line: int, field: str, text: str) -> int | None:
        if not re.fullmatch(r"\d{1,9}", text):  # isdigit() takes "²"; int() refuses 4,300 digits
            self.issue(line, field, f"{text[:40]!r} is not a whole number below 10^9")
            return None
        return int(text)

    def pair(self, line: int, field: str, text: str) -> tuple[int, int] | None:
        match = re.fullmatch(r"\((\d{1,9}),(\d{1,9})\)", text)
        if match is None:
            self.issue(line, field, f"{text!r} is not (low,high)")
            return None
        return int(match[1]), int(match[2])

    def done(self) -> None:
        if self.issues:
            raise InputError(str(self.path), self.issues)


class _Stop(Exception):
    """The file's structure is broken beyond this point: report what was found so far."""


@dataclass(frozen=True)
class Dataset:
    skills: tuple[str, ...]
    shifts: dict[str, tuple[int, int]]  # shift -> (min, max) consecutive days of it
    forbidden: dict[str, tuple[str, ...]]
    contracts: dict[str, Contract]
    nurses: tuple[Nurse, ...]
    weeks: int


def read_inrc2(path: str | Path, start: dt.date = DEFAULT_START) -> Scenario:
    """The instance DIR/NAME as a validated scenario starting on `start` (a Monday). Raises
    `InputError` naming the file, line and field of every problem in the first file that has any."""
    path = Path(path)
    match = NAME.fullmatch(path.name)
    folder = _dataset_dir(path)
    if match is None or folder is None:
        raise InputError(str(path), [InputIssue("instance", "not DIR/nNNNwW_H_w1-w2-..., DIR holding Sc-nNNNwW.txt")])
    if start.weekday() != 0:
        raise InputError(str(path), [InputIssue("start", f"{start} is a {start:%A}, not a Monday")])
    dataset = match["dataset"]
    data = _scenario_file(folder / f"Sc-{dataset}.txt")
    borders = _history_file(folder / f"H0-{dataset}-{match['history']}.txt", data)
    weeks = [_week_file(folder / f"WD-{dataset}-{w}.txt", data) for w in match["weeks"].split("-")]
    if len(weeks) != data.weeks:
        message = f"{len(weeks)} week file(s) named; the dataset plans {data.weeks} weeks"
        raise InputError(str(path), [InputIssue("instance", message)])
    return scenario_from_data(_scenario_data(path.name, start, data, borders, weeks), file=str(path))


def _scenario_file(path: Path) -> Dataset:
    lines = _Lines(path)
    skills, shifts, forbidden, contracts, nurses = [], {}, {}, {}, []
    weeks = 0
    try:
        lines.header("SCENARIO")
        weeks = lines.header("WEEKS")
        for _ in range(lines.header("SKILLS")):
            skills.append(lines.next("skill")[1][0])
        for _ in range(lines.header("SHIFT_TYPES")):
            line, fields = lines.next("shift type")
            limits = lines.pair(line, "consecutive", fields[-1]) if len(fields) == 2 else None
            if len(fields) != 2:
                lines.issue(line, "shift type", "expected NAME (min,max)")
            shifts[fields[0]] = limits or (1, 1)
        lines.header("FORBIDDEN_SHIFT_TYPES_SUCCESSIONS")
        for _ in shifts:
            line, fields = lines.next("succession")
            banned = tuple(fields[2:])
            for shift_id in (fields[0], *banned):
                if shift_id not in shifts:
                    lines.issue(line, "shift type", f"unknown shift type {shift_id!r}")
            if len(fields) < 2 or lines.count(line, "count", fields[1]) != len(banned):
                lines.issue(line, "count", f"the count does not match the {len(banned)} shift type(s) listed")
            forbidden[fields[0]] = banned
        for _ in range(lines.header("CONTRACTS")):
            line, fields = lines.next("contract")
            contract = _contract(lines, line, fields)
            if contract is not None:
                contracts[fields[0]] = contract
        for _ in range(lines.header("NURSES")):
            line, fields = lines.next("nurse")
            nurse = _nurse(lines, line, fields, contracts, skills)
            if nurse is not None:
                nurses.append(nurse)
    except _Stop:
        pass
    lines.done()
    return Dataset(tuple(skills), shifts, forbidden, contracts, tuple(nurses), weeks)


def _contract(lines: _Lines, line: int, fields: list[str]) -> Contract | None:
    if len(fields) != 6:
        lines.issue(line, "contract", "expected NAME (min,max) (min,max) (min,max) MAX_WEEKENDS COMPLETE")
        return None
    pairs = [
        lines.pair(line, name, text)
        for name, text in zip(("assignments", "working days", "days off"), fields[1:4], strict=True)
    ]
    most = lines.count(line, "max weekends", fields[4])
    complete = fields[5]
    if complete not in ("0", "1"):
        lines.issue(line, "complete weekends", f"{complete!r} is not 0 or 1")
    if most is None or complete not in ("0", "1") or not all(pairs):
        return None
    total, working, off = (p for p in pairs if p is not None)
    return Contract(total, working, off, most, complete == "1")


def _nurse(lines: _Lines, line: int, fields: list[str], contracts, skills) -> Nurse | None:
    if len(fields) < 3:
        lines.issue(line, "nurse", "expected NAME CONTRACT N SKILL...")
        return None
    name, contract, count = fields[0], fields[1], lines.count(line, "skills", fields[2])
    own = tuple(fields[3:])
    if contract not in contracts:
        lines.issue(line, "contract", f"unknown contract {contract!r}")
    if count is not None and count != len(own):
        lines.issue(line, "skills", f"says {count} skill(s), lists {len(own)}")
    for skill in own:
        if skill not in skills:
            lines.issue(line, "skills", f"unknown skill {skill!r}")
    return Nurse(name, contract, own)


def _history_file(path: Path, data: Dataset) -> dict[str, Border]:
    lines = _Lines(path)
    out: dict[str, Border] = {}
    known = {nurse.id for nurse in data.nurses}
    try:
        lines.header("HISTORY")
        lines.next("week and scenario")
        lines.header("NURSE_HISTORY")
        for _ in known:
            line, fields = lines.next("nurse history")
            border = _border(lines, line, fields, data, known)
            if border is not None:
                if fields[0] in out:
                    lines.issue(line, "nurse", f"{fields[0]} has two history lines")
                out[fields[0]] = border
    except _Stop:
        pass
    lines.done()
    return out


def _border(lines: _Lines, line: int, fields: list[str], data: Dataset, known: set[str]) -> Border | None:
    if len(fields) != 7:
        lines.issue(line, "nurse history", "expected NURSE ASSIGNMENTS WEEKENDS LAST_SHIFT SAME WORKING OFF")
        return None
    nurse, last = fields[0], fields[3]
    names = ("assignments", "weekends", "same shift", "working days", "days off")
    counts = [lines.count(line, name, text) for name, text in zip(names, fields[1:3] + fields[4:], strict=True)]
    if nurse not in known:
        lines.issue(line, "nurse", f"unknown nurse {nurse!r}")
    if last != "None" and last not in data.shifts:
        lines.issue(line, "last shift", f"unknown shift type {last!r}")
    if any(c is None for c in counts) or nurse not in known:
        return None
    assignments, weekends, same, working, off = (c or 0 for c in counts)
    if assignments or weekends:
        lines.issue(line, "assignments", "counters from earlier weeks are not read: a static instance starts at 0")
    if (last == "None") != (working == 0) or (working > 0) == (off > 0) or same > working:
        lines.issue(line, "nurse history", "contradicts itself: a last shift, working days and days off must agree")
        return None
    return Border(None if last == "None" else last, same, working, off)


def _week_file(path: Path, data: Dataset) -> Week:
    lines = _Lines(path)
    cover: dict[tuple[int, str, str], tuple[int, int]] = {}
    requests = []
    nurses = {nurse.id for nurse in data.nurses}
    try:
        lines.header("WEEK_DATA")
        lines.next("scenario")
        lines.header("REQUIREMENTS")
        for _ in range(len(data.shifts) * len(data.skills)):
            line, fields = lines.next("requirement")
            _requirement(lines, line, fields, data, cover)
        for _ in range(lines.header("SHIFT_OFF_REQUESTS")):
            line, fields = lines.next("shift-off request")
            if len(fields) != 3 or fields[0] not in nurses or fields[2] not in WEEKDAYS:
                lines.issue(
                    line,
                    "shift-off request",
                    f"not NURSE SHIFT|Any WEEKDAY: {' '.join(fields)!r}",
                )
            elif fields[1] != "Any" and fields[1] not in data.shifts:
                lines.issue(line, "shift", f"unknown shift type {fields[1]!r}")
            else:
                shift = None if fields[1] == "Any" else fields[1]
                requests.append((fields[0], WEEKDAYS.index(fields[2]), shift, line))
    except _Stop:
        pass
    lines.done()
    return Week(cover, tuple(requests))


def _requirement(lines: _Lines, line: int, fields: list[str], data: Dataset, cover) -> None:
    if len(fields) != 9 or fields[0] not in data.shifts or fields[1] not in data.skills:
        lines.issue(line, "requirement", "expected a known SHIFT and SKILL, then 7 (min,optimal) pairs")
        return
    for weekday, text in enumerate(fields[2:]):
        pair = lines.pair(line, WEEKDAYS[weekday], text)
        if pair is not None and pair[0] > pair[1]:
            lines.issue(line, WEEKDAYS[weekday], f"minimum {pair[0]} above optimal {pair[1]}")
        elif pair is not None:
            key = (weekday, fields[0], fields[1])
            if key in cover:
                lines.issue(line, "requirement", f"{fields[0]} {fields[1]} is listed twice")
            cover[key] = pair


# ------------------------------------------------------------------ the scenario


def _scenario_data(name: str, start: dt.date, data: Dataset, borders: dict[str, Border], weeks: list[Week]) -> dict:
    def date(day: int) -> str:
        return (start + dt.timedelta(days=day)).isoformat()

    demand: dict[tuple[str, str, int, int], list[str]] = {}
    for k, week in enumerate(weeks):
        for (weekday, shift, skill), (low, optimal) in week.cover.items():
            demand.setdefault((shift, skill, low, optimal), []).append(date(7 * k + weekday))
    wishes: dict[str, list[dict]] = {}
    for k, week in enumerate(weeks):
        for nurse, weekday, unwanted, _ in week.off_requests:
            wish: dict[str, str | int] = {
                "date": date(7 * k + weekday),
                "kind": "avoid" if unwanted else "day_off",
                "weight": WEIGHTS["request"],
            }
            wishes.setdefault(nurse, []).append(wish | ({"shift": unwanted} if unwanted else {}))
    days = 7 * len(weeks)
    return {
        "name": name,
        "description": f"INRC-II static instance {name} ({len(data.nurses)} nurses, {len(weeks)} weeks)",
        "timezone": "UTC",
        "horizon": {"start": start.isoformat(), "weeks": len(weeks)},
        "competences": [{"id": skill} for skill in data.skills],
        "shift_types": [{"id": shift, "start": "06:00", "end": "14:00"} for shift in data.shifts],
        "employees": [
            {
                "id": nurse.id,
                "competences": list(nurse.skills),
                "agreement": nurse.contract,
                "contract_hours": round(min(48.0, sum(data.contracts[nurse.contract].total) / 2 * 8 / len(weeks)), 2),
                "wishes": _merged(wishes.get(nurse.id, [])),
            }
            for nurse in data.nurses
        ],
        "demand": [
            {"shift": shift, "competence": skill, "dates": on, "min": low, "target": optimal}
            for (shift, skill, low, optimal), on in demand.items()
        ],
        "agreements": {name: {"rules": _rules(contract, data, days)} for name, contract in data.contracts.items()},
        "rules": {rule_id: {"enabled": False} for rule_id in LAW_OFF},
        "history": [entry for nurse in data.nurses for entry in _history(nurse.id, borders.get(nurse.id), data, start)],
        "weights": {
            "staffing_per": "shift",
            "understaffed_min": HARD_COVER,
            "understaffed_target": WEIGHTS["cover"],
            "overstaffed_max": 0,
            "contract_over": 0,
            "contract_under": 0,
            "wish": 1,
            "fairness_nights": 0,
            "fairness_weekends": 0,
            "sunday_worked": 0,
        },
    }


def _merged(wishes: list[dict]) -> list[dict]:
    """One wish per day and kind: a repeated request for the same day and shift counts once."""
    seen, out = set(), []
    for wish in wishes:
        key = (wish["date"], wish["kind"], wish.get("shift"))
        if key not in seen:
            seen.add(key)
            out.append(wish)
    return out


def _rules(contract: Contract, data: Dataset, days: int) -> dict[str, dict]:
    def soft(weight: str) -> dict:
        return {"soft": {"weight": WEIGHTS[weight]}}

    rules = {
        "shifts.max_per_day": {},
        "shifts.forbidden_succession": {"forbidden": {s: list(b) for s, b in data.forbidden.items() if b}},
        "shifts.min_consecutive_days": {"min_days": contract.working[0], **soft("working")},
        "shifts.max_consecutive_days": {"max_days": contract.working[1], **soft("working")},
        "days_off.min_consecutive": {"min_days": contract.off[0], **soft("days_off")},
        "days_off.max_consecutive": {"max_days": min(contract.off[1], days), **soft("days_off")},
        "shifts.min_consecutive_type": {
            "min_days": {s: low for s, (low, _) in data.shifts.items()},
            **soft("same_shift"),
        },
        "shifts.max_consecutive_type": {
            "max_days": {s: high for s, (_, high) in data.shifts.items()},
            **soft("same_shift"),
        },
        "shifts.count_range": {"min_shifts": contract.total[0], "max_shifts": contract.total[1], **soft("total")},
        "weekend.max_worked": {"max_weekends": contract.max_weekends, **soft("weekend")},
    }
    if contract.complete_weekends:
        rules["weekend.complete"] = {"days": ["sat", "sun"], **soft("weekend")}
    return rules


def _history(nurse: str, border: Border | None, data: Dataset, start: dt.date) -> list[dict]:
    """Shifts before day 0 that reproduce the counters: the run of working days in progress
    (its last `same` days of the last shift type), or, before a run of days off, one worked
    day. Runs longer than the known window (HISTORY_DAYS) are cut to it: a limit is at most a
    window long, so the counting does not change."""
    if border is None:
        return []

    def entry(back: int, shift: str) -> dict:
        return {"employee": nurse, "date": (start - dt.timedelta(days=back)).isoformat(), "shift": shift}

    first = next(iter(data.shifts))
    if border.last_shift is None:
        return [entry(min(border.off + 1, HISTORY_DAYS), first)]
    other = next((s for s in data.shifts if s != border.last_shift), border.last_shift)
    working = min(border.working, HISTORY_DAYS - 1)
    return [entry(back, border.last_shift if back <= border.same_shift else other) for back in range(working, 0, -1)]


def best_known(path: str | Path) -> BestKnown | None:
    """The published best roster and lower bound of instance DIR/NAME, from the README.md table
    of the folder of all datasets (`| name | ub | lb | ...`), or None when it lists none."""
    path = Path(path)
    folder = _dataset_dir(path)
    if folder is None:
        return None
    for readme in (folder / "README.md", folder.parent / "README.md"):
        if readme.is_file():
            for line in readme.read_text(encoding="utf-8").splitlines():
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) >= 3 and cells[0] == path.name and cells[1].isdigit() and cells[2].isdigit():
                    return BestKnown(int(cells[2]), int(cells[1]), str(readme))
    return None
