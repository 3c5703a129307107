"""How the CP-SAT model turns a solution back into a roster (`RosterModel.roster_from_values`):
one row per worked role, in roster order, whatever order the employees and shifts were built in."""

from __future__ import annotations

import random

from builders import build, days_from, emp, full_model, need, scenario
from rostering.domain.roster import Assignment


def test_a_solution_becomes_one_row_per_worked_role_in_roster_order():
    # Ids out of alphabetical order, and an ssa who can cover ssh too: two roles on one shift.
    people = [emp("zoe", ["ssa"]), emp("ann"), emp("mia", ["ssa"]), emp("bo")]
    dates = days_from("2026-01-05", 7)
    demand = [need(s, *dates, competence=c) for s in ("nat", "dag", "aften") for c in ("ssh", "ssa")]
    model = full_model(build(scenario(people, demand=demand)))
    size = len(model.cp.Proto().variables)
    for seed in range(3):
        draw = random.Random(seed)
        values = [draw.randint(0, 1) for _ in range(size)]
        expected = []
        for staff in model.problem.employees:
            for (i, role), var in model.role_vars(staff):
                if values[var.Index()]:
                    shift = model.problem.instances[i]
                    expected.append(
                        Assignment(staff.id, shift.date, shift.shift_id, shift.start_local, shift.end_local, role)
                    )
        rows = model.roster_from_values(values).assignments
        assert rows == tuple(sorted(expected))
        assert [row.competence for row in rows] == [row.competence for row in sorted(expected)]
        assert {row.competence for row in rows} == {"ssh", "ssa"} and len(rows) > 20
