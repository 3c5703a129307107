"""Synthetic Danish nursing homes (plejecentre) of any size, for the scaling benchmark.

The pattern is Plejecenter Solbakken (scenarios/plejehjem_solbakken.yaml) scaled to `employees`:
the same staff mix (11 % sygeplejersker on DSR, 31 % SSA, 44 % SSH, 14 % ufaglærte on FOA),
the same three shifts, and its demand per 45 employees multiplied up, so the demand stays about
3 % below the contract norm at any size. Contract hours, holidays (ferie), fixed night posts,
no-night employees and wishes are drawn from `seed`, so a size and seed always give the same
home. Every rule runs with its default, as in Solbakken.
"""

from __future__ import annotations

import datetime as dt
import random

from rostering.domain.scenario import Scenario
from rostering.io.validation import scenario_from_data

START = dt.date(2026, 9, 7)  # a Monday; no public holiday in the next 12 weeks
SHARES = (("sygeplejerske", 0.11, "dsr"), ("ssa", 0.31, "foa"), ("ssh", 0.44, "foa"), ("ufaglaert", 0.14, "foa"))
CONTRACT_HOURS = ((37, 0.4), (32, 0.3), (30, 0.2), (28, 0.1))
# Solbakken's demand for 45 employees: (shift, competence, days, min, target, max).
DEMAND_PER_45 = (
    ("dag", "sygeplejerske", ("weekdays",), 1, 2, 2),
    ("dag", "sygeplejerske", ("weekend",), 1, 1, 2),
    ("aften", "sygeplejerske", ("all",), 0, 1, 1),
    ("dag", "ssa", ("weekdays",), 2, 3, 4),
    ("dag", "ssa", ("weekend",), 2, 2, 3),
    ("aften", "ssa", ("all",), 1, 2, 3),
    ("nat", "ssa", ("all",), 1, 1, 2),
    ("dag", "ssh", ("weekdays",), 6, 7, 9),
    ("dag", "ssh", ("weekend",), 5, 6, 7),
    ("aften", "ssh", ("weekdays",), 4, 5, 6),
    ("aften", "ssh", ("weekend",), 4, 4, 5),
    ("nat", "ssh", ("mon", "tue", "wed", "thu"), 1, 2, 2),
    ("nat", "ssh", ("fri", "sat", "sun"), 1, 1, 2),
    ("dag", "ufaglaert", ("weekdays",), 0, 2, 3),
    ("dag", "ufaglaert", ("weekend",), 0, 1, 2),
)


def _counts(employees: int) -> list[tuple[str, int, str]]:
    """Employees per competence, rounded so they add up to `employees`."""
    counts = [(comp, round(share * employees), agreement) for comp, share, agreement in SHARES]
    surplus = sum(n for _, n, _ in counts) - employees
    comp, n, agreement = counts[2]
    counts[2] = (comp, n - surplus, agreement)  # the largest group absorbs the rounding
    return counts


def _employee(rng: random.Random, number: int, comp: str, agreement: str, weeks: int) -> dict:
    hours = rng.choices([h for h, _ in CONTRACT_HOURS], [w for _, w in CONTRACT_HOURS])[0]
    emp: dict = {"id": f"e{number:04d}", "competences": [comp], "agreement": agreement, "contract_hours": hours}
    if rng.random() < 0.15:  # a week of ferie somewhere in the plan
        week = rng.randrange(weeks)
        first = START + dt.timedelta(days=7 * week)
        emp["absences"] = [
            {"kind": "ferie", "from": first.isoformat(), "to": (first + dt.timedelta(days=6)).isoformat()}
        ]
    if comp in ("ssa", "ssh") and rng.random() < 0.1:
        emp["overrides"] = {"forbidden_shifts": ["dag", "aften"]}  # a fixed night post
    elif rng.random() < 0.05:
        emp["overrides"] = {"no_nights": True}
    if rng.random() < 0.3:
        day = START + dt.timedelta(days=rng.randrange(7 * weeks))
        emp["wishes"] = [{"date": day.isoformat(), "kind": "day_off", "weight": 10}]
    return emp


def nursing_home(employees: int, weeks: int, seed: int = 1) -> Scenario:
    """A validated scenario: `employees` staff planned for `weeks` weeks."""
    rng = random.Random(f"{employees}/{weeks}/{seed}")
    staff, number = [], 0
    for comp, count, agreement in _counts(employees):
        for _ in range(count):
            number += 1
            staff.append(_employee(rng, number, comp, agreement, weeks))
    scale = employees / 45
    demand = [
        {
            "shift": shift,
            "competence": comp,
            "days": list(days),
            "min": round(low * scale),
            "target": max(round(target * scale), round(low * scale)),
            "max": max(round(high * scale), round(target * scale), round(low * scale)),
        }
        for shift, comp, days, low, target, high in DEMAND_PER_45
    ]
    return scenario_from_data(
        {
            "name": f"Synthetic plejecenter, {employees} employees, {weeks} weeks (seed {seed})",
            "horizon": {"start": START.isoformat(), "weeks": weeks},
            "competences": [
                {"id": "ssh"},
                {"id": "ssa", "covers": ["ssh"]},
                {"id": "sygeplejerske", "covers": ["ssa", "ssh"]},
                {"id": "ufaglaert"},
            ],
            "shift_types": [
                {"id": "dag", "start": "07:00", "end": "15:00", "paid_minutes": 450},
                {"id": "aften", "start": "15:00", "end": "23:00", "paid_minutes": 450},
                {"id": "nat", "start": "23:00", "end": "07:00"},
            ],
            "employees": staff,
            "demand": demand,
        }
    )
