"""Independent checker for Curtois & Qu instances: recomputes the objective and every hard
constraint from the instance file and a roster CSV alone.

It shares no code with the engine (no `rostering` or `rules` import): its own parser, its own
reading of the constraints, written from the format guide (../shared/benchmarks/curtois/README.md),
so a modelling bug in the engine cannot hide behind the same bug here.

    python bench/curtois_eval.py INSTANCE.txt ROSTER.csv [--start 2024-01-01]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class Instance:
    days: int
    length: dict[str, int]  # shift -> minutes
    forbidden_next: dict[str, set[str]]
    staff: dict[str, dict]  # id -> limits
    days_off: dict[str, set[int]]
    on_requests: list[tuple[str, int, str, int]]
    off_requests: list[tuple[str, int, str, int]]
    cover: list[tuple[int, str, int, int, int]]


@dataclass
class Evaluation:
    objective: int
    cover_penalty: int
    request_penalty: int
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations


def parse_instance(path: str) -> Instance:
    sections: dict[str, list[list[str]]] = {}
    current = None
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("SECTION_"):
                current = sections.setdefault(line, [])
            else:
                current.append(line.split(","))
    length, forbidden = {}, {}
    for sid, minutes, nxt in sections["SECTION_SHIFTS"]:
        length[sid] = int(minutes)
        forbidden[sid] = {s for s in nxt.split("|") if s}
    staff = {}
    for sid, max_shifts, max_min, min_min, max_cons, min_cons, min_off, max_we in sections["SECTION_STAFF"]:
        staff[sid] = {
            "max_shifts": {k: int(v) for k, v in (e.split("=") for e in max_shifts.split("|") if e)},
            "max_minutes": int(max_min),
            "min_minutes": int(min_min),
            "max_consecutive": int(max_cons),
            "min_consecutive": int(min_cons),
            "min_days_off": int(min_off),
            "max_weekends": int(max_we),
        }
    days_off: dict[str, set[int]] = defaultdict(set)
    for row in sections["SECTION_DAYS_OFF"]:
        days_off[row[0]].update(int(d) for d in row[1:] if d)
    requests = {
        name: [(e, int(d), s, int(w)) for e, d, s, w in sections[name]]
        for name in ("SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS")
    }
    cover = [(int(d), s, abs(int(r)), int(u), int(o)) for d, s, r, u, o in sections["SECTION_COVER"]]
    return Instance(
        int(sections["SECTION_HORIZON"][0][0]),
        length,
        forbidden,
        staff,
        days_off,
        requests["SECTION_SHIFT_ON_REQUESTS"],
        requests["SECTION_SHIFT_OFF_REQUESTS"],
        cover,
    )


def read_roster(path: str, inst: Instance, start: dt.date) -> tuple[dict[str, dict[int, list[str]]], list[str]]:
    """employee -> day -> shift ids (a list, so a double booking is seen), and input problems."""
    plan: dict[str, dict[int, list[str]]] = {e: defaultdict(list) for e in inst.staff}
    problems = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            emp, shift = row["employee_id"], row["shift_id"]
            day = (dt.date.fromisoformat(row["date"]) - start).days
            if emp not in inst.staff:
                problems.append(f"row {number}: unknown employee {emp}")
            elif shift not in inst.length:
                problems.append(f"row {number}: unknown shift {shift}")
            elif not 0 <= day < inst.days:
                problems.append(f"row {number}: {row['date']} is outside the horizon")
            else:
                plan[emp][day].append(shift)
    return plan, problems


def _blocks(works: list[bool], value: bool) -> list[tuple[int, int]]:
    """Maximal runs of `value` as (first, last) day indexes."""
    out, first = [], None
    for day, flag in enumerate([*works, not value]):
        if flag == value and first is None:
            first = day
        elif flag != value and first is not None:
            out.append((first, day - 1))
            first = None
    return out


def hard_violations(inst: Instance, plan: dict[str, dict[int, list[str]]]) -> list[str]:
    out = []
    h = inst.days
    for emp, limits in inst.staff.items():
        days = plan[emp]
        works = [bool(days.get(d)) for d in range(h)]
        for d, shifts in sorted(days.items()):
            if len(shifts) > 1:
                out.append(f"{emp} day {d}: {len(shifts)} shifts (at most one)")
            if d in inst.days_off.get(emp, ()):
                out.append(f"{emp} day {d}: works on a fixed day off")
            for s in shifts:
                for t in days.get(d + 1, []):
                    if t in inst.forbidden_next[s]:
                        out.append(f"{emp} day {d}: {s} followed by {t}")
        counts = Counter(s for shifts in days.values() for s in shifts)
        for s, n in counts.items():
            if n > limits["max_shifts"].get(s, h):
                out.append(f"{emp}: {n} {s} shifts, max {limits['max_shifts'][s]}")
        minutes = sum(inst.length[s] * n for s, n in counts.items())
        if not limits["min_minutes"] <= minutes <= limits["max_minutes"]:
            out.append(f"{emp}: {minutes} minutes, allowed {limits['min_minutes']}..{limits['max_minutes']}")
        for first, last in _blocks(works, True):
            size = last - first + 1
            if size > limits["max_consecutive"]:
                out.append(f"{emp}: {size} consecutive shifts from day {first}, max {limits['max_consecutive']}")
            if size < limits["min_consecutive"] and first > 0 and last < h - 1:
                out.append(f"{emp}: {size} consecutive shifts from day {first}, min {limits['min_consecutive']}")
        for first, last in _blocks(works, False):
            size = last - first + 1
            if size < limits["min_days_off"] and first > 0 and last < h - 1:
                out.append(f"{emp}: {size} days off from day {first}, min {limits['min_days_off']}")
        weekends = sum(1 for w in range(h // 7) if works[7 * w + 5] or works[7 * w + 6])
        if weekends > limits["max_weekends"]:
            out.append(f"{emp}: {weekends} weekends worked, max {limits['max_weekends']}")
    return out


def evaluate(instance_path: str, roster_path: str, start: dt.date = dt.date(2024, 1, 1)) -> Evaluation:
    inst = parse_instance(instance_path)
    plan, problems = read_roster(roster_path, inst, start)
    requests = 0
    for emp, day, shift, weight in inst.on_requests:
        if shift not in plan[emp].get(day, []):
            requests += weight
    for emp, day, shift, weight in inst.off_requests:
        if shift in plan[emp].get(day, []):
            requests += weight
    staffed = Counter((d, s) for days in plan.values() for d, shifts in days.items() for s in shifts)
    cover = 0
    for day, shift, need, under, over in inst.cover:
        have = staffed[(day, shift)]
        cover += under * max(0, need - have) + over * max(0, have - need)
    return Evaluation(cover + requests, cover, requests, problems + hard_violations(inst, plan))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("roster")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2024, 1, 1))
    args = parser.parse_args(argv)
    result = evaluate(args.instance, args.roster, args.start)
    print(
        f"objective {result.objective} (cover {result.cover_penalty}, requests {result.request_penalty}); "
        f"{'feasible' if result.feasible else f'{len(result.violations)} hard violation(s)'}"
    )
    for line in result.violations:
        print("  " + line)
    return 0 if result.feasible else 1


if __name__ == "__main__":
    sys.exit(main())
