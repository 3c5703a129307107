"""Two Curtois instances of the same horizon side by side, as one instance file: a larger instance
whose optimum is known, to check choices that depend on size on something no run was tuned on.

Staff and shift types stay apart (the second instance's get the prefixes `Z` and `x`, and each
employee may work none of the other instance's types), so nothing couples the halves: the
optimum of the merge is the sum of the two optima. Instances 11 and 12 (optima 3443 and 4040)
make 110 employees, 16 shift types and 4 weeks: 7483, the size of the held-out Instance13.

    python bench/curtois_merge.py ../shared/benchmarks/curtois/Instance11.txt \
        ../shared/benchmarks/curtois/Instance12.txt -o merged.txt
    python bench/curtois.py --folder . ...   (or: rostering solve merged.txt -o roster.csv)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.curtois_eval import Instance, parse_instance  # noqa: E402
from rostering.io.files import write_atomic

STAFF_PREFIX, SHIFT_PREFIX = "Z", "x"


def merged(first: Instance, second: Instance) -> str:
    """The instance file of both side by side (CRLF line ends, as the originals)."""
    if first.days != second.days:
        raise ValueError(f"horizons differ: {first.days} and {second.days} days")

    def keep(name: str) -> str:
        return name

    def shift(name: str) -> str:
        return SHIFT_PREFIX + name

    def staff(name: str) -> str:
        return STAFF_PREFIX + name

    # per half: the instance, its shift and staff renaming, and the other half's shift types
    halves = [(first, keep, keep, [shift(t) for t in second.length]), (second, shift, staff, list(first.length))]
    lines = [
        "# Two Curtois instances side by side (bench/curtois_merge.py)",
        "SECTION_HORIZON",
        "# days",
        str(first.days),
        "",
        "SECTION_SHIFTS",
        "# ShiftID, Length, ForbiddenNext",
    ]
    for inst, s, _, _ in halves:
        lines += [
            f"{s(t)},{m},{'|'.join(s(n) for n in sorted(inst.forbidden_next[t]))}" for t, m in inst.length.items()
        ]
    lines += [
        "",
        "SECTION_STAFF",
        "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
        "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends",
    ]
    for inst, s, e, others in halves:
        for eid, limits in inst.staff.items():
            maxima = [f"{s(t)}={n}" for t, n in limits["max_shifts"].items()] + [f"{t}=0" for t in others]
            lines.append(
                ",".join(
                    [e(eid), "|".join(maxima)]
                    + [
                        str(limits[k])
                        for k in (
                            "max_minutes",
                            "min_minutes",
                            "max_consecutive",
                            "min_consecutive",
                            "min_days_off",
                            "max_weekends",
                        )
                    ]
                )
            )
    lines += ["", "SECTION_DAYS_OFF", "# EmployeeID, Day, Day, ..."]
    for inst, _, e, _ in halves:
        lines += [",".join([e(eid)] + [str(d) for d in sorted(days)]) for eid, days in inst.days_off.items()]
    for name, field in (("SECTION_SHIFT_ON_REQUESTS", "on_requests"), ("SECTION_SHIFT_OFF_REQUESTS", "off_requests")):
        lines += ["", name, "# EmployeeID, Day, ShiftID, Weight"]
        for inst, s, e, _ in halves:
            lines += [f"{e(eid)},{day},{s(t)},{w}" for eid, day, t, w in getattr(inst, field)]
    lines += ["", "SECTION_COVER", "# Day, ShiftID, Requirement, Weight for under, Weight for over"]
    rows = [(day, s(t), need, under, over) for inst, s, _, _ in halves for day, t, need, under, over in inst.cover]
    lines += [",".join(map(str, row)) for row in sorted(rows, key=lambda row: row[0])]
    return "\r\n".join(lines) + "\r\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        text = merged(parse_instance(str(args.first)), parse_instance(str(args.second)))
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_atomic(args.output, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
