"""Synthetic Danish care units of any size, for the scaling benchmark. A size and seed always give
the same unit; the CLI at the bottom writes one as a scenario file:

    python bench/generate.py home_care 50 12 --seed 1 -o home_care_50x12.yaml

`nursing_home`: Plejecenter Solbakken (scenarios/plejehjem_solbakken.yaml) scaled to `employees`:
the same staff mix (11 % sygeplejersker on DSR, 31 % SSA, 44 % SSH, 14 % ufaglærte on FOA),
the same three shifts, and its demand per 45 employees multiplied up (at target 80-92 % of the
norm hours for 25-400 employees, seed 1). Contract hours, holidays (ferie), fixed night posts,
no-night employees and wishes are drawn from `seed`. Every rule runs with its default, as in
Solbakken.

`home_care`: a hjemmepleje district shaped like Hjemmeplejen Nord (scenarios/hjemmepleje_nord.yaml).
Demand there is visits, not beds: it is sized to the staff the district has, so that it stays a
little below their norm hours at any size, with Nord's proportions between teams, shifts and days.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

import yaml

from rostering.domain.problem import norm_minutes
from rostering.domain.scenario import Scenario, public_holidays
from rostering.io.files import save_atomic
from rostering.io.validation import scenario_from_data

START = dt.date(2026, 9, 7)  # a Monday; no public holiday in the next 12 weeks (in 16: Christmas)
# The trained care staff of both kinds of unit: an SSA may fill an SSH's place, a nurse either.
CARE_COMPETENCES = ({"id": "ssh"}, {"id": "ssa", "covers": ["ssh"]}, {"id": "sygeplejerske", "covers": ["ssa", "ssh"]})
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

# Home care. Leveringsgrad from scenarios-dk.md (Helsingør: 69 -> 72 %, aiming at 75 %, the
# ceiling); staff mix, teams of 20, fixed posts and the shape of demand from Hjemmeplejen Nord;
# shift times from rules-dk § 11. UNVERIFIED: assumptions, to be replaced by a municipality's own.
HC_SHARES = (("sygeplejerske", 0.11, "dsr"), ("ssa", 0.30, "foa"), ("ssh", 0.59, "foa"))  # Nord: 10/30/60 %
HC_CONTRACT_HOURS = ((37, 0.15), (32, 0.35), (30, 0.30), (28, 0.20))  # UNVERIFIED: mostly part time
POST_HOURS = (28, 30, 32)  # fixed evening and night posts: part time, "e.g. 28 h" (rules-dk § 11, P)
TEAM_SIZE = 20  # staff per day team (gruppe)
EVENING_POSTS = 0.10  # share of the staff: SSH on a fixed evening post (Nord: 6 of 60)
NIGHT_PER_60 = {"ssa": 1, "ssh": 2}  # kørende nattevagt per 60 staff, always one SSA (Nord)
FERIE_SHARE = 0.2  # UNVERIFIED: a fifth of the staff take a week of ferie in the plan
UTILISATION = 0.95  # UNVERIFIED: demand at target on day staff, evening posts and nurses / their norm
LEVERINGSGRAD = {"target_leveringsgrad": 0.70, "max_leveringsgrad": 0.75}
# Agency staff (vikarer) for the gaps ferie leaves in the floors, one of each per 100 staff; kr an
# hour with the agency's fee, UNVERIFIED (the figures of docs/replanning.md's example).
VIKAR_KR = {"ssa": 480, "sygeplejerske": 560}
WEEKEND_OFF = {"per_weekends": 2, "min_free": 1}  # every second weekend free: common practice (rules-dk, U)
# Target heads a day (weekdays, weekends) in Nord, kept in proportion; its weekend mornings are 11,
# 10 here leaves room for every second weekend free. Mornings are the district's, split over the
# teams by their day staff's hours; weekends carry personal care only (practical help is a weekday
# service). SSH routes, then nurses with the heads they never go below.
ROUTES = (("tidlig", 17, 10), ("mellem", 4, 2), ("aften", 5, 5))
NURSING = (("sygepleje", 3, 1, 1), ("aften", 1, 1, 0))
SHIFT_TYPES = (  # besides each team's tidlig 07-15; the district's, as in Nord
    {"id": "sygepleje", "start": "07:30", "end": "15:30", "paid_minutes": 450, "competences": ["sygeplejerske"]},
    {"id": "mellem", "start": "11:00", "end": "19:00", "paid_minutes": 450},
    {"id": "aften", "start": "15:30", "end": "23:30", "paid_minutes": 450},
    {"id": "nat", "start": "23:00", "end": "07:00", "paid_minutes": 480},
)
DAY_HOURS, NIGHT_HOURS = 7.5, 8.0  # paid
DAYS_A_WEEK = {"weekdays": 5, "weekend": 2, "all": 7}


def _draw(rng: random.Random, table: tuple[tuple[int, float], ...]) -> int:
    return rng.choices([value for value, _ in table], [weight for _, weight in table])[0]


def _counts(employees: int, shares=SHARES) -> list[tuple[str, int, str]]:
    """Employees per competence, rounded so they add up to `employees`."""
    counts = [(comp, round(share * employees), agreement) for comp, share, agreement in shares]
    surplus = sum(n for _, n, _ in counts) - employees
    big = max(range(len(shares)), key=lambda i: shares[i][1])
    comp, n, agreement = counts[big]
    counts[big] = (comp, n - surplus, agreement)  # the largest group absorbs the rounding
    return counts


def _ferie(week: int) -> list[dict]:
    """A week of ferie, Monday to Sunday, in week `week` of the plan."""
    first = START + dt.timedelta(days=7 * week)
    return [{"kind": "ferie", "from": first.isoformat(), "to": (first + dt.timedelta(days=6)).isoformat()}]


def _employee(rng: random.Random, number: int, comp: str, agreement: str, weeks: int) -> dict:
    hours = _draw(rng, CONTRACT_HOURS)
    emp: dict = {"id": f"e{number:04d}", "competences": [comp], "agreement": agreement, "contract_hours": hours}
    if rng.random() < 0.15:  # a week of ferie somewhere in the plan
        emp["absences"] = _ferie(rng.randrange(weeks))
    if comp in ("ssa", "ssh") and rng.random() < 0.1:
        emp["overrides"] = {"forbidden_shifts": ["dag", "aften"]}  # a fixed night post
    elif rng.random() < 0.05:
        emp["overrides"] = {"no_nights": True}
    if rng.random() < 0.3:
        day = START + dt.timedelta(days=rng.randrange(7 * weeks))
        emp["wishes"] = [{"date": day.isoformat(), "kind": "day_off", "weight": 10}]
    return emp


def _nursing_home(employees: int, weeks: int, seed: int) -> dict:
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
    return {
        "name": f"Synthetic plejecenter, {employees} employees, {weeks} weeks (seed {seed})",
        "horizon": {"start": START.isoformat(), "weeks": weeks},
        "competences": [*CARE_COMPETENCES, {"id": "ufaglaert"}],
        "shift_types": [
            {"id": "dag", "start": "07:00", "end": "15:00", "paid_minutes": 450},
            {"id": "aften", "start": "15:00", "end": "23:00", "paid_minutes": 450},
            {"id": "nat", "start": "23:00", "end": "07:00"},
        ],
        "employees": staff,
        "demand": demand,
    }


def nursing_home(employees: int, weeks: int, seed: int = 1) -> Scenario:
    """A validated scenario: `employees` staff planned for `weeks` weeks."""
    return scenario_from_data(_nursing_home(employees, weeks, seed))


def _heads(shift: str, comp: str, days: str, target: int, least: int) -> dict:
    """A head-count row: below two thirds of the target (Nord's 2 of 3 nurses) the work stops."""
    low = max(least, target * 2 // 3)
    return {"shift": shift, "competence": comp, "days": [days], "min": low, "target": target, "max": target + 1}


def _cells(shift: str, comp: str, weekday: float, weekend: float, least: int) -> list[tuple]:
    """(shift, competence, days, weight, least heads): one cell for every day if the weights agree."""
    if weekday == weekend:
        return [(shift, comp, "all", weekday, least)]
    return [(shift, comp, "weekdays", weekday, least), (shift, comp, "weekend", weekend, least)]


def _sized(cells: list[tuple], shifts: float) -> list[dict]:
    """Demand rows for `cells`: whole heads in proportion to the weights, at most `shifts` a week
    (largest remainders first; a weekend never above its weekdays). SSH routes become the visit
    hours their heads deliver at the planned leveringsgrad and, up to 15 heads, one head fewer only
    at the ceiling: min one below target, as in Nord. A søgnehelligdag runs like a weekend."""
    per_week = [DAYS_A_WEEK[days] for _, _, days, _, _ in cells]
    scale = shifts / sum(cell[3] * n for cell, n in zip(cells, per_week, strict=True))
    exact = [weight * scale for *_, weight, _ in cells]
    heads = [max(least, int(x)) for (*_, least), x in zip(cells, exact, strict=True)]
    spare = shifts - sum(h * n for h, n in zip(heads, per_week, strict=True))
    for i in sorted(range(len(cells)), key=lambda i: heads[i] - exact[i]):
        twin_ok = cells[i][2] != "weekend" or heads[i] < heads[i - 1]  # _cells puts weekdays first
        if heads[i] < exact[i] and per_week[i] <= spare and twin_ok:
            heads[i], spare = heads[i] + 1, spare - per_week[i]
    rows = []
    for (shift, comp, days, _, least), n in zip(cells, heads, strict=True):
        if comp == "ssh":
            per_head = DAY_HOURS * LEVERINGSGRAD["max_leveringsgrad"]
            visits = max(1.0, min(n * DAY_HOURS * LEVERINGSGRAD["target_leveringsgrad"], (n - 1) * per_head))
            row = {"shift": shift, "competence": comp, "days": [days], "visit_hours": visits, "max": n + 2}
        else:
            row = _heads(shift, comp, days, n, least)
        rows += [row, {**row, "days": ["holiday"]}] if days == "weekend" else [row]
    return rows


def _norm_hours(staff: list[dict], weeks: int) -> float:
    """Norm hours a week of `staff`: contract hours less ferie and søgnehelligdage."""
    days = tuple(START + dt.timedelta(days=d) for d in range(7 * weeks))
    holidays = public_holidays(days)
    total = 0
    for emp in staff:
        off = [(a["from"], a["to"]) for a in emp.get("absences", ())]
        absent = {day: "ferie" for day in days if any(a <= day.isoformat() <= b for a, b in off)}
        total += norm_minutes(emp["contract_hours"], days, holidays, absent)
    return total / 60 / weeks


def _home_care(employees: int, weeks: int, seed: int) -> dict:
    rng = random.Random(f"home_care/{employees}/{weeks}/{seed}")
    teams = [f"gruppe-{t + 1:02d}" for t in range(max(2, round(employees / TEAM_SIZE)))]
    mornings = [f"tidlig-{team}" for team in teams]
    night = {"ssa": max(1, round(employees * NIGHT_PER_60["ssa"] / 60)), "ssh": employees * NIGHT_PER_60["ssh"] // 60}
    posts: dict[str, list] = {"ssa": [], "ssh": []}  # (contract hours, kind) of the fixed posts
    covered = 0.0  # hours a week the night posts hired so far work, less ferie; SSA may take SSH nights
    for comp, heads in (("ssa", night["ssa"]), ("ssh", night["ssa"] + night["ssh"])):
        while covered * (1 - FERIE_SHARE / weeks) < heads * 7 * NIGHT_HOURS:
            posts[comp].append((rng.choice(POST_HOURS), "nat"))
            covered += posts[comp][-1][0]
    posts["ssh"] += [(rng.choice(POST_HOURS), "aften") for _ in range(round(employees * EVENING_POSTS))]
    staff = []  # (kind, employee); kind is dag, aften or nat, and sygepleje for nurses
    for comp, count, agreement in _counts(employees, HC_SHARES):
        fixed = posts.get(comp, [])
        for hours, kind in fixed + [(None, "sygepleje" if comp == "sygeplejerske" else "dag")] * (count - len(fixed)):
            team = teams[len(staff) % len(teams)]
            forbidden = {  # SSH keep to their team's routes, SSA take any team's medicine, nurses evenings
                "dag": [m for m in mornings if m != f"tidlig-{team}" and comp == "ssh"],
                "sygepleje": [*mornings, "mellem"],
                "aften": [*mornings, "mellem"],
                "nat": [*mornings, "mellem", "aften"],
            }[kind]
            emp = {
                "id": f"e{len(staff) + 1:04d}",
                "team": team,
                "competences": [comp],
                "agreement": agreement,
                "contract_hours": hours or _draw(rng, HC_CONTRACT_HOURS),
                "overrides": {"no_nights": kind != "nat", "forbidden_shifts": forbidden},
            }
            staff.append((kind, emp))
    on_ferie = sorted(rng.sample(range(employees), round(employees * FERIE_SHARE)))
    for k, index in enumerate(on_ferie):  # spread evenly over the plan's weeks
        staff[index][1]["absences"] = _ferie(k * weeks // len(on_ferie))

    def hours(*kinds: str) -> float:
        return _norm_hours([emp for kind, emp in staff if kind in kinds], weeks)

    day = {team: sum(e["contract_hours"] for kind, e in staff if kind == "dag" and e["team"] == team) for team in teams}
    evening_ssa = max(1, round(employees / 60))  # the evening medicine
    demand = [_heads(m, "ssa", "all", 1, 1) for m in mornings]  # each team's morning medicine round
    demand += [_heads("aften", "ssa", "all", evening_ssa, 1), _heads("nat", "ssa", "all", night["ssa"], 1)]
    demand += [_heads("nat", "ssh", "all", night["ssh"], 0)] if night["ssh"] else []
    routes = [
        cell
        for shift, weekday, weekend in ROUTES
        for team, share in ([(t, day[t] / sum(day.values())) for t in teams] if shift == "tidlig" else [(None, 1)])
        for cell in _cells(shift if team is None else f"tidlig-{team}", "ssh", weekday * share, weekend * share, 1)
    ]
    ssa_shifts = 7 * (len(teams) + evening_ssa)  # the medicine, from the same staff
    demand += _sized(routes, hours("dag", "aften") * UTILISATION / DAY_HOURS - ssa_shifts)
    nursing = [cell for shift, *weights, least in NURSING for cell in _cells(shift, "sygeplejerske", *weights, least)]
    demand += _sized(nursing, hours("sygepleje") * UTILISATION / DAY_HOURS)
    return {
        "name": f"Synthetic hjemmepleje, {employees} employees in {len(teams)} teams, {weeks} weeks (seed {seed})",
        "horizon": {"start": START.isoformat(), "weeks": weeks},
        "competences": list(CARE_COMPETENCES),
        "shift_types": [
            *({"id": f"tidlig-{t}", "start": "07:00", "end": "15:00", "paid_minutes": 450, "unit": t} for t in teams),
            *({**shift, "unit": "distrikt"} for shift in SHIFT_TYPES),
        ],
        "employees": [emp for _, emp in staff],
        "demand": demand,
        "home_care": LEVERINGSGRAD,
        "vikar_pool": [
            {"id": f"vikar-{comp}", "competences": [comp], "hourly_cost": kr, "people": 1 + employees // 100}
            for comp, kr in VIKAR_KR.items()
        ],
        "rules": {"weekend.off_frequency": WEEKEND_OFF},
    }


def home_care(employees: int, weeks: int, seed: int = 1) -> Scenario:
    """A validated home-care district: `employees` staff (25-400) planned for `weeks` weeks (4-16).

    Teams of about 20 with their own morning routes (the scenario format has no per-team demand,
    so each team's tidlig is its own shift type, as in Nord); mellem, evening group, night car and
    hjemmesygepleje for the whole district. Most contracts are 28-32 h, fixed evening and night
    posts part time; a fifth of the staff take a week of ferie, spread over the plan; every
    second weekend is free. Night posts are hired to cover the night car; day, evening and nursing
    demand is sized to UTILISATION of the other staff's norm hours. A small vikar pool, dearer
    than own staff, can fill the floors (min) that ferie leaves open."""
    return scenario_from_data(_home_care(employees, weeks, seed))


GENERATORS = {"nursing_home": _nursing_home, "home_care": _home_care}


def main(argv: list[str] | None = None) -> None:
    """Write a generated scenario as YAML, checked first, to a file or the screen."""
    parser = argparse.ArgumentParser(description="Write a synthetic Danish scenario file (YAML).")
    parser.add_argument("kind", choices=sorted(GENERATORS))
    parser.add_argument("employees", type=int)
    parser.add_argument("weeks", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, help="the YAML file to write (default: the screen)")
    args = parser.parse_args(argv)
    data = GENERATORS[args.kind](args.employees, args.weeks, args.seed)
    scenario_from_data(data)  # a scenario that does not load is never written
    command = f"python bench/generate.py {args.kind} {args.employees} {args.weeks} --seed {args.seed}"
    text = f"# {command}\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None
    )
    if args.output is None:
        sys.stdout.write(text)
    else:
        save_atomic(args.output, lambda tmp: tmp.write_text(text, encoding="utf-8"))


if __name__ == "__main__":
    main()
