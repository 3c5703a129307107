"""What a re-plan is asked to cover: by default only the gaps the absence made.

A sick call for one shift once changed 18 cells for 11 people, some 11 days later (issue 43): the
re-plan's objective priced every understaffed slot of the plan, so the solver also filled gaps
that had been there since the roster was published, and each such call-in outweighed its own
change cost. The planner asked for the absence to be covered, not for the plan to be redone.

The mechanism is the objective's, not a new constraint: in the problem the solver sees, each demand
cell's `min` and `target` are capped at the heads the published roster had there. A cell the
absence did not touch is then already "full", so filling it earns nothing and only costs its
change; a cell the absent employee's shift counted in is one head below its cap, so covering it
earns what it always did. The solver stays free to move colleagues (a swap that covers the gap
is still found), and a colleague taken from another cell costs that cell's staffing points as
before. Capping by the published heads rather than listing "the absence's cells" needs no
separate rule for competence cover: it counts exactly as the staffing terms count.

The heads are counted by the roster's own competence column, as written. Then the roster the
absence leaves is a solution of the capped problem, and since a cell's real penalty minus its
capped one never grows with more heads, a result the solver scores no worse than doing nothing
also has no more real points than it. Caps from a re-derived labelling (`staffing` without the
column) lost that: on Solbakken's 8 s roster the one-shift re-plan ended at 236,000-253,000 real
points against 87,668 before, with the absence's own gap left open.

Only the solve sees the capped demand. The roster it returns is checked and summarised against
the real problem (rostering.analysis.replanned.checked_on), so the validator, the coverage and the
points the planner reads still show every real gap; `replanned.gaps_left` says how many of them the
re-plan left as they were.
"""

from __future__ import annotations

from dataclasses import replace

from ortools.graph.python import min_cost_flow

from rostering.domain.problem import DemandCell, Problem
from rostering.domain.roster import Roster
from rostering.rules.objective import staffing, staffing_points


def only_the_absence_gaps(problem: Problem, published: Roster) -> Problem:
    """`problem` as the solver should see it when the re-plan covers only the absence's gaps:
    every demand cell's min and target capped at the heads `published` had there (see the
    module's docstring for why)."""
    heads = staffing(problem, published.worked(problem))
    demand = {key: _capped(cell, heads.get(key, 0)) for key, cell in problem.demand.items()}
    return replace(problem, demand=demand)


def _capped(cell: DemandCell, heads: int) -> DemandCell:
    if cell.target <= heads:
        return cell
    return replace(cell, min=min(cell.min, heads), target=heads)


def left_by_absence(problem: Problem, published: Roster) -> Roster:
    """The published roster without the shifts the absences took away: employees' rows on days
    they are now absent, from the frozen moment on (a shift begun before stays). What the
    absence leaves before anyone re-plans."""
    frozen = problem.frozen_until or 0
    return Roster(tuple(row for row in published.assignments if not _lost(problem, row, frozen)))


def _lost(problem: Problem, row, frozen: int) -> bool:
    index = problem.employee_index.get(row.employee_id)
    if index is None or problem.timeline.minute(row.start) < frozen:
        return False
    return row.date in problem.employees[index].absent


def best_labels(problem: Problem, roster: Roster) -> Roster:
    """`roster` with each shift counted for the competence that serves the demand best: per
    (day, shift), a min-cost assignment of its heads to the competences they can fill, costed by
    the staffing terms themselves. No shift moves, so no one is told of a change.

    A scoped solve gains nothing by counting a head where a capped cell is short for real, so it
    may leave such a head counted elsewhere: on Solbakken a one-change re-plan ended at 68,900-
    71,900 points where the same change, counted well, scores 53,917. This gives those points back
    and, being optimal per slot, never scores worse than the labels it was given."""
    slots: dict[tuple[int, str], list[int]] = {}
    for n, row in enumerate(roster.assignments):
        day = problem.day_index.get(row.date)
        if day is not None and row.employee_id in problem.employee_index:
            slots.setdefault((day, row.shift_id), []).append(n)
    rows = list(roster.assignments)
    for (day, shift_id), members in slots.items():
        for n, competence in _slot_labels(problem, day, shift_id, [rows[n] for n in members]).items():
            rows[members[n]] = replace(rows[members[n]], competence=competence)
    return Roster(tuple(rows))


def _slot_labels(problem: Problem, day: int, shift_id: str, rows: list) -> dict[int, str]:
    """Which competence each of one slot's heads counts for: a min-cost flow whose arcs into a
    competence cost the marginal staffing points of one more head (convex: each costs no less
    than the one before, so the flow takes them in order)."""
    options = [
        sorted(
            c
            for c in problem.employees[problem.employee_index[row.employee_id]].can_fill
            if (day, shift_id, c) in problem.demand
        )
        for row in rows
    ]
    cells = sorted({c for found in options for c in found})
    heads = [n for n, found in enumerate(options) if found]
    if not heads:
        return {}
    flow = min_cost_flow.SimpleMinCostFlow()
    sink = 1 + len(rows) + len(cells)
    node = {c: 1 + len(rows) + i for i, c in enumerate(cells)}
    for n in heads:
        flow.add_arc_with_capacity_and_unit_cost(0, 1 + n, 1, 0)
        for c in options[n]:
            flow.add_arc_with_capacity_and_unit_cost(1 + n, node[c], 1, 0)
    for c in cells:
        key = (day, shift_id, c)
        points = [staffing_points(problem, key, have) for have in range(len(heads) + 1)]
        for have in range(1, len(heads) + 1):
            flow.add_arc_with_capacity_and_unit_cost(node[c], sink, 1, points[have] - points[have - 1])
    flow.set_node_supply(0, len(heads))
    flow.set_node_supply(sink, -len(heads))
    if flow.solve() != flow.OPTIMAL:  # cannot happen: every head has an arc to a cell
        return {}
    chosen = {}
    for arc in range(flow.num_arcs()):
        tail, head = flow.tail(arc), flow.head(arc)
        if flow.flow(arc) and 1 <= tail <= len(rows) and head in node.values():
            chosen[tail - 1] = cells[head - 1 - len(rows)]
    return chosen
