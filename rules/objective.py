"""The soft goals, each defined twice side by side: posted as named CP-SAT terms, and measured on a
finished roster. The summary always reports the measured figures, since a solver's objective can
overstate them while its slack variables are loose.

Units: weights are points per hour (demand, contract) or per occurrence (wishes, fairness,
Sundays). In the model every coefficient is in point-minutes, so the objective divided by 60 is in
points.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rostering.domain.problem import Baseline, Problem, Staff
from rostering.domain.roster import Roster, Worked

from .active import active_rules, agreement_terms, rule_for
from .base import AgreementTerms, RuleModel
from .check import rule_findings
from .law import WeeklyRest
from .varsling import within_notice

FULL_TIME = 37.0


@dataclass(frozen=True)
class ScoreLine:
    """A measured penalty: `amount` in `unit`, worth `points`."""

    term: str
    key: str
    amount: float
    unit: str
    points: float


STAFFING_TERMS = frozenset({"understaffed_min", "understaffed_target", "overstaffed_max"})


def post_objective(m: RuleModel) -> None:
    """Post every named penalty term and minimise their sum."""
    _post_demand(m)
    _post_contract(m)
    _post_wishes(m)
    _post_fairness(m)
    _post_sundays(m)
    _post_changes(m)
    _post_vikar(m)
    m.cp.Minimize(objective_expr(m))


def objective_expr(m: RuleModel, terms: frozenset[str] | None = None):
    """The weighted sum of the model's penalty terms (all, or only those named in `terms`)."""
    return sum(p.weight * p.expr for p in m.penalties if terms is None or p.name in terms)


def score(problem: Problem, roster: Roster, worked: dict[str, list[Worked]] | None = None) -> list[ScoreLine]:
    worked = worked if worked is not None else roster.worked(problem)
    return [
        *_score_demand(problem, worked),
        *_score_contract(problem, worked),
        *_score_wishes(problem, worked),
        *_score_fairness(problem, worked),
        *_score_sundays(problem, worked),
        *_score_changes(problem, worked),
        *_score_vikar(problem, worked),
        *_score_preferences(problem, worked),
    ]


def _score_preferences(problem: Problem, worked: dict[str, list[Worked]]) -> list[ScoreLine]:
    """The soft rules' breaches, measured by the rules' own checks: each finding's points, as the
    rule's `penalize` posts them (term `soft:<rule id>`, per employee)."""
    rules = active_rules(problem)
    lines = []
    for staff in problem.employees:
        for rule in rules.for_staff(staff):
            if rule.soft is None:
                continue
            for v in rule_findings(problem, staff, rule, worked.get(staff.id, [])):
                points = v.points or 0
                units = round(points * 60 / rule.soft_coefficient(), 6)
                lines.append(ScoreLine(f"soft:{rule.id}", staff.id, units, rule.soft_unit or "", points))
    return lines


def total_points(problem: Problem, roster: Roster) -> float:
    """The roster's objective, measured from the roster itself."""
    return sum(line.points for line in score(problem, roster))


# ------------------------------------------------------------------ demand


def _cell_terms(problem: Problem, cell) -> tuple[tuple[str, int, int | None, bool], ...]:
    """The staffing terms of a demand cell, once for the model and the measured score:
    (term, weight per head, need, excess): heads below `need`, or above it when `excess`."""
    w = problem.scenario.weights
    return (
        ("understaffed_min", w.understaffed_min, cell.min, False),
        ("understaffed_target", w.understaffed_target, cell.target, False),
        ("overstaffed_max", w.overstaffed_max, cell.max, True),
    )


def _post_demand(m: RuleModel) -> None:
    for (day, shift_id, comp), cell in m.problem.demand.items():
        i = m.problem.instance_index[(m.problem.days[day], shift_id)]
        paid = _staffing_minutes(m.problem, m.problem.instances[i].paid)
        staffed = sum(m.cover.get((i, comp), []))
        size = len(m.cover.get((i, comp), []))
        for term, weight, need, excess in _cell_terms(m.problem, cell):
            if need is None or weight == 0 or (excess and size <= need) or (not excess and need == 0):
                continue
            m.add_penalty(
                term, comp, _shortfall(m, term, (day, shift_id, comp), staffed, size, need, excess), weight * paid
            )


def _shortfall(m: RuleModel, term: str, key, staffed, size: int, need: int, excess: bool):
    """Heads missing below `need` (or above it, `excess`). Where it can never change sign, as
    when fewer can work a shift than it needs, or a maximum is 0, it is the plain difference:
    no slack variable to presolve (the one-employee models of `rostering.solver.strategies.start` are almost all
    such cells) and nothing loose in the objective."""
    difference = staffed - need if excess else need - staffed
    if (size <= need and not excess) or (excess and need == 0):
        return difference
    slack = m.cp.NewIntVar(0, size if excess else need, f"{term}[{','.join(map(str, key))}]")
    m.cp.Add(slack >= difference)
    return slack


def staffing(problem: Problem, worked: dict[str, list[Worked]]) -> dict[tuple[int, str, str], int]:
    """Heads per demand cell. A row without a competence column counts for the first competence
    the employee can cover that still has a gap on that shift (external rosters)."""
    counts: dict[tuple[int, str, str], int] = defaultdict(int)
    unassigned = []
    for staff in problem.employees:
        for item in worked.get(staff.id, []):
            day = problem.day_index.get(item.row.date)
            if day is None:
                continue
            if item.row.competence is not None:
                counts[(day, item.row.shift_id, item.row.competence)] += 1
            else:
                unassigned.append((staff, day, item.row.shift_id))
    for staff, day, shift_id in unassigned:
        cells = [(day, shift_id, c) for c in sorted(staff.can_fill) if (day, shift_id, c) in problem.demand]
        if cells:
            gaps = [problem.demand[c].target - counts[c] for c in cells]
            counts[cells[gaps.index(max(gaps))]] += 1
    return counts


def _score_demand(problem: Problem, worked) -> Iterable[ScoreLine]:
    counts = staffing(problem, worked)
    for (day, shift_id, comp), cell in sorted(problem.demand.items()):
        paid = problem.instances[problem.instance_index[(problem.days[day], shift_id)]].paid
        per = _staffing_minutes(problem, paid) / 60
        for term, weight, missing in _shortfalls(problem, cell, counts.get((day, shift_id, comp), 0)):
            if missing:
                yield ScoreLine(term, comp, missing * paid / 60, "h", weight * missing * per)


def _shortfalls(problem: Problem, cell, have: int) -> tuple[tuple[str, int, int], ...]:
    """(term, weight, heads missing or in excess) of a demand cell staffed with `have` heads."""
    return tuple(
        (term, weight, 0 if need is None else max(0, have - need if excess else need - have))
        for term, weight, need, excess in _cell_terms(problem, cell)
    )


def staffing_points(problem: Problem, key: tuple[int, str, str], have: int) -> int:
    """A demand cell's staffing penalty with `have` heads, in model units (point-minutes)."""
    day, shift_id, _ = key
    per = _staffing_minutes(problem, problem.instances[problem.instance_index[(problem.days[day], shift_id)]].paid)
    return per * sum(weight * missing for _, weight, missing in _shortfalls(problem, problem.demand[key], have))


def _staffing_minutes(problem: Problem, paid: int) -> int:
    """What one head on a shift weighs in the staffing terms, in minutes (model units are
    point-minutes): its paid minutes, or a flat hour when weights are per head-shift."""
    return paid if problem.scenario.weights.staffing_per == "hour" else 60


# ------------------------------------------------------------------ contract hours


def _post_contract(m: RuleModel) -> None:
    """Hours above and below the norm; only their difference is tied to the plan, and the
    objective keeps one of them at 0. Tying them (their product 0) cost CP-SAT dearly: 50
    employees x 8 weeks, 60 s, ended at 235,421 points (first roster after 16.3 s) against
    20,778 (3.3 s) without (bench/results/scaling.md)."""
    w = m.problem.scenario.weights
    if not (w.contract_over or w.contract_under):
        return
    for staff in m.problem.employees:
        if staff.is_vikar:
            continue  # no contract: their hours cost through the vikar term
        options = m.options(staff)
        planned = sum(shift.paid * var for shift, var in options)
        most = sum(shift.paid for shift, _ in options)
        over = m.cp.NewIntVar(0, max(most, 0), f"contract_over[{staff.id}]")
        under = m.cp.NewIntVar(0, staff.norm_minutes, f"contract_under[{staff.id}]")
        m.cp.Add(planned - staff.norm_minutes == over - under)
        m.add_penalty("contract_over", staff.id, over, w.contract_over)
        m.add_penalty("contract_under", staff.id, under, w.contract_under)


def contract_deviation(problem: Problem, worked) -> dict[str, int]:
    """Planned minus norm minutes per employee (positive: above contract)."""
    return {
        staff.id: sum(item.shift.paid for item in worked.get(staff.id, [])) - staff.norm_minutes
        for staff in problem.employees
        if not staff.is_vikar
    }


def _score_contract(problem: Problem, worked) -> Iterable[ScoreLine]:
    w = problem.scenario.weights
    for employee_id, minutes in contract_deviation(problem, worked).items():
        if minutes > 0:
            yield ScoreLine("contract_over", employee_id, minutes / 60, "h", w.contract_over * minutes / 60)
        elif minutes < 0:
            yield ScoreLine("contract_under", employee_id, -minutes / 60, "h", w.contract_under * -minutes / 60)


# ------------------------------------------------------------------ wishes


def _post_wishes(m: RuleModel) -> None:
    scale = m.problem.scenario.weights.wish * 60
    for staff in m.problem.employees:
        index = m.option_index(staff)
        for wish in staff.wishes:
            on_day = [var for shift, var in m.options(staff) if shift.date == wish.date]
            if wish.kind.value == "day_off":
                if on_day:
                    m.add_penalty("wish_day_off", staff.id, m.any_of(on_day), wish.weight * scale)
                continue
            if wish.kind.value == "work":
                m.add_penalty("wish_work", staff.id, 1 - m.any_of(on_day) if on_day else 1, wish.weight * scale)
                continue
            if wish.kind.value == "only":
                others = [
                    var for shift, var in m.options(staff) if shift.date == wish.date and shift.shift_id != wish.shift
                ]
                if others:
                    m.add_penalty("wish_only", staff.id, m.any_of(others), wish.weight * scale)
                continue
            assert wish.shift is not None  # Wish requires a shift for want and avoid
            var = index.get(m.problem.instance_index[(wish.date, wish.shift)])
            if wish.kind.value == "avoid" and var is not None:
                m.add_penalty("wish_avoid", staff.id, var, wish.weight * scale)
            elif wish.kind.value == "want":
                m.add_penalty("wish_want", staff.id, 1 - var if var is not None else 1, wish.weight * scale)


def _score_wishes(problem: Problem, worked) -> Iterable[ScoreLine]:
    scale = problem.scenario.weights.wish
    for staff in problem.employees:
        rows = {(item.row.date, item.row.shift_id) for item in worked.get(staff.id, [])}
        for wish in staff.wishes:
            kind = wish.kind.value
            on_day = {shift_id for day, shift_id in rows if day == wish.date}
            broken = {
                "day_off": bool(on_day),
                "work": not on_day,
                "avoid": wish.shift in on_day,
                "want": wish.shift not in on_day,
                "only": bool(on_day - {wish.shift}),
            }[kind]
            if broken and scale:
                yield ScoreLine(f"wish_{kind}", staff.id, 1, "wish", wish.weight * scale)


# ------------------------------------------------------------------ fairness


def fairness_factor(problem: Problem, staff: Staff) -> int:
    """Tenths of a shift per counted shift, scaled to a full-time, fully available employee, so
    part-timers and people on long leave are compared fairly. 0 = not compared."""
    available = sum(1 for day in problem.days if day not in staff.absent and day not in staff.unavailable)
    if staff.contract_hours <= 0 or available == 0:
        return 0
    return round(10 * FULL_TIME * len(problem.days) / (staff.contract_hours * available))


def fairness_groups(problem: Problem, term: str) -> dict[str, list[Staff]]:
    """Employees compared with each other: same primary competence. For nights, only those who
    may work a night shift, and grouped by the shift types open to them too, so a fixed night
    post is compared with other night posts, not with rotating staff."""
    groups: dict[str, list[Staff]] = defaultdict(list)
    night_types = {inst.shift_id for inst in problem.instances if inst.night}
    for staff in problem.employees:
        allowed = [
            s
            for s in problem.shift_types
            if s not in staff.forbidden_shifts and not (staff.no_nights and s in night_types)
        ]
        if not fairness_factor(problem, staff) or (term == "fairness_nights" and night_types.isdisjoint(allowed)):
            continue
        restricted = term == "fairness_nights" and len(allowed) < len(problem.shift_types)
        key = staff.competences[0] if not restricted else (f"{staff.competences[0]} ({'+'.join(allowed)})")
        groups[key].append(staff)
    return {key: members for key, members in groups.items() if len(members) > 1}


def _post_fairness(m: RuleModel) -> None:
    w = m.problem.scenario.weights
    problem = m.problem
    for term, weight in (("fairness_nights", w.fairness_nights), ("fairness_weekends", w.fairness_weekends)):
        if not weight:
            continue
        for group, members in fairness_groups(problem, term).items():
            loads = [fairness_factor(problem, staff) * _count_expr(m, staff, term) for staff in members]
            top = max(fairness_factor(problem, staff) for staff in members) * 2 * len(problem.days)
            high = m.cp.NewIntVar(0, top, f"{term}_max[{group}]")
            low = m.cp.NewIntVar(0, top, f"{term}_min[{group}]")
            for load in loads:
                m.cp.Add(high >= load)
                m.cp.Add(low <= load)
            # Its own variable, never negative: the floor of every reported bound is read from the
            # terms' domains (model.objective_floor), which put `high - low` at -top (hjemmepleje_nord's
            # floor was -4088 points; a 60 s solve there reported a bound of -124).
            spread = m.cp.NewIntVar(0, top, f"{term}_spread[{group}]")
            m.cp.Add(spread == high - low)
            m.add_penalty(term, group, spread, weight * 6)


def _count_expr(m: RuleModel, staff: Staff, term: str):
    if term == "fairness_nights":
        return sum(var for shift, var in m.options(staff) if shift.night)
    per_day = defaultdict(list)
    for shift, var in m.options(staff):
        if m.problem.is_weekend(shift.date):
            per_day[shift.date].append(var)
    return sum(m.any_of(variables) for variables in per_day.values())


def _count(problem: Problem, items: list[Worked], term: str) -> int:
    if term == "fairness_nights":
        return sum(1 for item in items if item.shift.night)
    return len({item.row.date for item in items if problem.is_weekend(item.row.date)})


def _score_fairness(problem: Problem, worked) -> Iterable[ScoreLine]:
    w = problem.scenario.weights
    for term, weight in (("fairness_nights", w.fairness_nights), ("fairness_weekends", w.fairness_weekends)):
        if not weight:
            continue
        for group, members in sorted(fairness_groups(problem, term).items()):
            loads = [fairness_factor(problem, s) * _count(problem, worked.get(s.id, []), term) for s in members]
            spread = max(loads) - min(loads)
            if spread:
                yield ScoreLine(term, group, spread / 10, "shifts/FTE", weight * spread / 10)


# ------------------------------------------------------------------ Sundays (rest.weekly_prefer_sunday)


def sundays_touched(problem: Problem, start: int, end: int) -> list[int]:
    """Day indices of the horizon's Sundays that work from `start` to `end` overlaps (local
    00-24): a Saturday night into Sunday morning touches the Sunday, as does a Sunday night."""
    midnights = problem.midnights  # day i is [midnights[i], midnights[i + 1])
    first = max(0, bisect_right(midnights, start) - 1)
    last = min(len(problem.days) - 1, bisect_left(midnights, end) - 1)
    return [day for day in range(first, last + 1) if problem.days[day].weekday() == 6]


def sunday_staff(problem: Problem) -> list[Staff]:
    """Whose Sundays the goal counts: own staff on whom the weekly rest (rest.weekly) holds. The
    goal places their weekly fridøgn; where the scenario switches the fridøgn off (the Curtois
    benchmark instances) there is none to place, and an agency plans its own staff's rest."""
    holds = {
        agreement: rule_for(WeeklyRest, problem.scenario, agreement).params.enabled
        for agreement in {staff.agreement for staff in problem.employees}
    }
    return [staff for staff in problem.employees if not staff.is_vikar and holds[staff.agreement]]


def _post_sundays(m: RuleModel) -> None:
    """A penalty per Sunday an employee works, so the weekly fridøgn falls on Sundays as far as
    possible (BEK 324/2002 § 4 stk. 1, 2nd sentence). Every Sunday closes a Monday-Sunday week of
    the horizon, so this is one penalty per week whose Sunday is not free."""
    weight = m.problem.scenario.weights.sunday_worked
    if not weight:
        return
    for staff in sunday_staff(m.problem):
        per_sunday: dict[int, list] = defaultdict(list)
        for shift, var in m.options(staff):
            for day in sundays_touched(m.problem, shift.start, shift.end):
                per_sunday[day].append(var)
        for variables in per_sunday.values():
            m.add_penalty("sunday_worked", staff.id, m.any_of(variables), weight * 60)


def _score_sundays(problem: Problem, worked) -> Iterable[ScoreLine]:
    weight = problem.scenario.weights.sunday_worked
    if not weight:
        return
    for staff in sunday_staff(problem):
        sundays = {
            day
            for item in worked.get(staff.id, [])
            for day in sundays_touched(problem, item.shift.start, item.shift.end)
        }
        if sundays:
            yield ScoreLine("sunday_worked", staff.id, len(sundays), "Sundays", weight * len(sundays))


# ------------------------------------------------------------------ re-planning: changes to the published roster


def _published_after(problem: Problem, baseline: Baseline, frozen_until: int) -> dict[str, set[tuple]]:
    """Per employee, the published (date, shift id) pairs that start after the frozen past."""
    out: dict[str, set[tuple]] = defaultdict(set)
    for row in baseline.rows:
        shift = problem.instance(row.date, row.shift_id)
        if shift is not None and shift.start >= frozen_until:
            out[row.employee_id].add((row.date, row.shift_id))
    return out


def _change_weight(problem: Problem, terms: AgreementTerms, start: int, frozen_until: int, base: int) -> int:
    """A change inside the employee's agreement notice (varsling) costs `late_change_factor` times more."""
    late = within_notice(terms, start, frozen_until)
    return base * (problem.scenario.weights.late_change_factor if late else 1)


def _replanned(problem: Problem) -> list[tuple[Staff, set[tuple], AgreementTerms]]:
    """Own staff with their published shifts after the frozen past and their agreement terms;
    empty unless re-planning."""
    if problem.baseline is None or problem.frozen_until is None:
        return []
    published = _published_after(problem, problem.baseline, problem.frozen_until)
    terms = {a: agreement_terms(problem.scenario, a) for a in {staff.agreement for staff in problem.employees}}
    return [
        (staff, published.get(staff.id, set()), terms[staff.agreement])
        for staff in problem.employees
        if not staff.is_vikar
    ]


def _post_changes(m: RuleModel) -> None:
    problem = m.problem
    frozen = problem.frozen_until
    if frozen is None:
        return  # not re-planning: `_replanned` is empty
    w = problem.scenario.weights
    for staff, mine, terms in _replanned(problem):
        for shift, var in m.options(staff):
            if shift.start < frozen:
                continue
            if (shift.date, shift.shift_id) in mine:
                m.add_penalty(
                    "shift_removed",
                    staff.id,
                    1 - var,
                    _change_weight(problem, terms, shift.start, frozen, w.shift_removed) * 60,
                )
            else:
                m.add_penalty(
                    "shift_added",
                    staff.id,
                    var,
                    _change_weight(problem, terms, shift.start, frozen, w.shift_added) * 60,
                )


def _score_changes(problem: Problem, worked) -> Iterable[ScoreLine]:
    frozen = problem.frozen_until
    if frozen is None:
        return  # not re-planning: `_replanned` is empty
    w = problem.scenario.weights
    for staff, mine, terms in _replanned(problem):
        now = {
            (item.row.date, item.row.shift_id): item.shift
            for item in worked.get(staff.id, [])
            if item.shift.start >= frozen
        }
        for key in sorted(mine - set(now)):
            shift = problem.instance(*key)
            assert shift is not None  # `mine` holds only published rows that are shifts of the plan
            if key[0] in staff.absent or key[0] in staff.unavailable:
                continue  # taken away by the absence itself, not by the re-plan
            points = _change_weight(problem, terms, shift.start, frozen, w.shift_removed)
            yield ScoreLine("shift_removed", f"{staff.id} {shift.label()}", 1, "shift", points)
        for key in sorted(set(now) - mine):
            points = _change_weight(problem, terms, now[key].start, frozen, w.shift_added)
            yield ScoreLine("shift_added", f"{staff.id} {now[key].label()}", 1, "shift", points)


# ------------------------------------------------------------------ agency staff (vikar)


def _vikar_points(problem: Problem, staff: Staff) -> int:
    """Points per hour: `vikar_hour` for the cheapest agency, more for dearer ones, in proportion."""
    cheapest = min(s.vikar_cost for s in problem.employees if s.vikar_cost is not None)  # the agency staff
    assert staff.vikar_cost is not None  # only agency staff are priced per hour
    return round(problem.scenario.weights.vikar_hour * staff.vikar_cost / cheapest)


def _post_vikar(m: RuleModel) -> None:
    for staff in m.problem.employees:
        if staff.is_vikar:
            points = _vikar_points(m.problem, staff)
            for shift, var in m.options(staff):
                m.add_penalty("vikar", staff.id, var, points * shift.paid)


def _score_vikar(problem: Problem, worked) -> Iterable[ScoreLine]:
    for staff in problem.employees:
        hours = sum(item.shift.paid for item in worked.get(staff.id, [])) / 60 if staff.is_vikar else 0
        if hours:
            yield ScoreLine("vikar", staff.id, hours, "h", _vikar_points(problem, staff) * hours)


def vikar_use(problem: Problem, worked) -> tuple[float, float]:
    """(hours, kr) of agency staff in a roster."""
    hours = cost = 0.0
    for staff in problem.employees:
        if staff.is_vikar:
            mine = sum(item.shift.paid for item in worked.get(staff.id, [])) / 60
            hours += mine
            cost += mine * staff.vikar_cost
    return round(hours, 2), round(cost, 2)
