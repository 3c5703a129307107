"""The CP-SAT model: one boolean per employee x shift instance x covered competence, the rules'
hard constraints and the named penalty terms of the objective.

Rules talk to the model only through the small API below (`options`, `var`, `any_of`, `hard`,
`memo`), so a plugin rule never needs to know how variables are laid out.
"""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from rostering.domain.problem import Problem, ShiftInstance, Staff
from rostering.domain.roster import Assignment, Roster
from rostering.domain.timeline import MINUTES_PER_DAY as DAY
from rostering.rules import Rule
from rostering.rules.active import ActiveRules


@dataclass(frozen=True)
class Penalty:
    """One named objective term: `weight * expr`, in points per minute (or per occurrence)."""

    name: str
    key: str
    expr: Any
    weight: int


@dataclass(frozen=True)
class Guard:
    """What an assumption literal stands for, to explain an infeasible model in planner terms."""

    rule_id: str
    employee_id: str
    detail: str


class RosterModel:
    def __init__(self, problem: Problem, rules: ActiveRules, diagnose: bool = False):
        self.problem = problem
        self.rules = rules
        self.cp = cp_model.CpModel()
        self.diagnose = diagnose
        self.guards: dict[int, Guard] = {}
        self._guard_lits: dict[tuple[str, str], cp_model.IntVar] = {}
        self.penalties: list[Penalty] = []
        self._memo: dict[Hashable, Any] = {}
        self._options: list[list[tuple[ShiftInstance, cp_model.IntVar]]] = []
        self._index: list[dict[int, cp_model.IntVar]] = []
        self._starts: list[list[int]] = []
        self.roles: dict[tuple[int, int], dict[str, cp_model.IntVar]] = {}
        self.cover: dict[tuple[int, str], list[cp_model.IntVar]] = {}
        # Every competence a role can be for, by name: a role's code is its place here.
        self._role_names = sorted({c for staff in problem.employees for c in (*staff.can_fill, *staff.competences)})
        role_rows = array("q")  # per role variable: its proto index, employee, instance, role code
        self._create_variables(role_rows)
        # Made with the model, not by the first roster, which may come at the end of the time limit
        # (Curtois Instance24: 2.7 s there, with every search's memory still held).
        self._roster_order = self._roles_in_roster_order(role_rows)
        for staff in problem.employees:
            for rule in rules.for_staff(staff):
                rule.post(self, staff)

    # ------------------------------------------------------------------ variables

    def _create_variables(self, role_rows: array) -> None:
        problem = self.problem
        for staff in problem.employees:
            # Only the rules that can block a shift are asked (a handful of the employee's ~25): the
            # question is put for every shift of the horizon, 1,176 of them at 12 weeks.
            rules = [rule for rule in self.rules.for_staff(staff) if type(rule).blocks is not Rule.blocks]
            preassigned = set(staff.preassigned)
            options, index = [], {}
            frozen = problem.frozen_until
            for i, shift in enumerate(problem.instances):
                pinned = (shift.date, shift.shift_id) in preassigned
                if not pinned and frozen is not None and shift.start < frozen:
                    continue  # the past: what was worked is locked, nothing else can be added
                if not pinned and any(rule.blocks(problem, staff, shift) for rule in rules):
                    continue
                roles = self._roles(staff, shift, pinned)
                if not roles:
                    continue
                var = self._link_roles(staff, i, shift, roles, role_rows)
                options.append((shift, var))
                index[i] = var
            self._options.append(options)
            self._index.append(index)
            self._starts.append([shift.start for shift, _ in options])

    def _roles(self, staff: Staff, shift: ShiftInstance, pinned: bool) -> list[str]:
        """Competences the employee can cover on this shift where there is demand for them.
        A preassigned shift without matching demand still gets one role (the employee's own)."""
        day = self.problem.day_index[shift.date]
        roles = [c for c in sorted(staff.can_fill) if (day, shift.shift_id, c) in self.problem.demand]
        if not roles and pinned:
            roles = [staff.competences[0]]
        return roles

    def _link_roles(
        self, staff: Staff, i: int, shift: ShiftInstance, roles: list[str], role_rows: array
    ) -> cp_model.IntVar:
        name = f"{staff.id}@{shift.label()}"
        role_vars = {role: self.cp.NewBoolVar(f"{name}/{role}") for role in roles}
        self.roles[(staff.index, i)] = role_vars
        for role, var in role_vars.items():
            self.cover.setdefault((i, role), []).append(var)
            role_rows.extend((var.Index(), staff.index, i, bisect_left(self._role_names, role)))
        if len(role_vars) == 1:
            return next(iter(role_vars.values()))
        works = self.cp.NewBoolVar(name)
        self.cp.Add(sum(role_vars.values()) == works)
        return works

    # ------------------------------------------------------------------ API for rules

    def options(self, staff: Staff) -> list[tuple[ShiftInstance, cp_model.IntVar]]:
        """The shifts this employee could work, in time order, each with its 'works' literal."""
        return self._options[staff.index]

    def option_index(self, staff: Staff) -> dict[int, cp_model.IntVar]:
        """Instance index (into problem.instances) -> 'works' literal, for this employee."""
        return self._index[staff.index]

    def role_vars(self, staff: Staff) -> list[tuple[tuple[int, str], cp_model.IntVar]]:
        """((instance index, competence), literal) for each role the employee could cover: the
        decision variables, which a solution's roster, a bound's prices and a neighbourhood use."""
        return [
            ((i, role), var) for i in self.option_index(staff) for role, var in self.roles[(staff.index, i)].items()
        ]

    def options_by_day(self, staff: Staff) -> dict[int, list[tuple[ShiftInstance, cp_model.IntVar]]]:
        """The employee's options grouped by the index of the day they start on (time order)."""
        return self.memo(("by_day", staff.index), lambda: self._group_by_day(staff))

    def _group_by_day(self, staff: Staff) -> dict[int, list[tuple[ShiftInstance, cp_model.IntVar]]]:
        out: dict[int, list[tuple[ShiftInstance, cp_model.IntVar]]] = {}
        for shift, var in self.options(staff):
            out.setdefault(self.problem.day_index[shift.date], []).append((shift, var))
        return out

    def works_on(self, staff: Staff, day: int) -> cp_model.IntVar | None:
        """A literal true iff the employee works a shift starting on day `day` (None: cannot)."""
        options = self.options_by_day(staff).get(day)
        return None if not options else self.any_of([var for _, var in options])

    def var(self, staff: Staff, day: dt.date, shift_id: str) -> cp_model.IntVar:
        return self._index[staff.index][self.problem.instance_index[(day, shift_id)]]

    def any_of(self, literals: Sequence[cp_model.IntVar]) -> cp_model.IntVar:
        """A literal that is true iff at least one of `literals` is (cached per set)."""
        if len(literals) == 1:
            return literals[0]
        key = ("any_of", tuple(lit.Index() for lit in literals))
        if key not in self._memo:
            flag = self.cp.NewBoolVar("any")
            # One constraint (presolve turns it into the clauses flag <-> OR(literals)): building
            # |literals| + 1 clauses in Python dominated the build of year-long models.
            self.cp.AddMaxEquality(flag, literals)
            self._memo[key] = flag
        return self._memo[key]

    def free_during(self, staff: Staff, start: int, end: int) -> cp_model.IntVar | None:
        """A literal that, when true, forbids every shift of `staff` overlapping [start, end):
        the building block of rest rules. None when no shift could overlap (always free); a false
        literal when a shift worked before the horizon (`staff.history`) overlaps it."""
        key = ("free", staff.index, start, end)
        if key not in self._memo and any(h.start < end and h.end > start for h in staff.history):
            self._memo[key] = self.false
        if key not in self._memo:
            options = self._options[staff.index]
            starts = self._starts[staff.index]
            # Shifts are shorter than two days, so only those starting after start - 2 days can overlap.
            inside = [
                var
                for shift, var in options[bisect_left(starts, start - 2 * DAY) : bisect_left(starts, end)]
                if shift.end > start
            ]
            block = None
            if inside:
                block = self.cp.NewBoolVar(f"free[{staff.id},{start},{end}]")
                for var in inside:
                    self.cp.AddBoolOr([block.Not(), var.Not()])
            self._memo[key] = block
        return self._memo[key]

    @property
    def false(self) -> cp_model.IntVar:
        """A literal fixed to false (work before the horizon is not free time)."""
        return self.memo("false", lambda: self._fixed(0))

    def _fixed(self, value: int) -> cp_model.IntVar:
        literal = self.cp.NewBoolVar(f"fixed_{value}")
        self.cp.Add(literal == value)
        return literal

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """Compute something once per model (e.g. a rule's precomputed forbidden patterns)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    def hard(self, rule: Rule | str, staff: Staff, constraint: cp_model.Constraint, detail: str = "") -> None:
        """Register a hard constraint of `rule` for `staff`. In diagnose mode it is switched by an
        assumption literal per (rule, employee) and, for preassignments, per shift, so the solver
        can name a small set of rules that cannot all hold."""
        if not self.diagnose:
            return
        rule_id = rule if isinstance(rule, str) else rule.id
        key = (rule_id, staff.id) if rule_id != "employee.preassigned" else (rule_id, f"{staff.id}:{detail}")
        lit = self._guard_lits.get(key)
        if lit is None:
            lit = self.cp.NewBoolVar(f"guard[{key}]")
            self._guard_lits[key] = lit
            self.guards[lit.Index()] = Guard(rule_id, staff.id, detail if rule_id == "employee.preassigned" else "")
        constraint.OnlyEnforceIf(lit)

    def add_penalty(self, name: str, key: str, expr: Any, weight: int) -> None:
        if weight:
            self.penalties.append(Penalty(name, key, expr, weight))

    # ------------------------------------------------------------------ rosters in and out

    def hint_roster(self, roster: Roster) -> None:
        """Suggest every shift variable's value from a roster (worked: 1, else 0), in place of any
        earlier hint (CP-SAT rejects a model that hints a variable twice)."""
        self.cp.ClearHints()
        worked = {(row.employee_id, row.date, row.shift_id) for row in roster.assignments}
        for staff in self.problem.employees:
            for shift, var in self.options(staff):
                self.cp.AddHint(var, (staff.id, shift.date, shift.shift_id) in worked)

    def roster_from(self, solver: cp_model.CpSolver) -> Roster:
        """The roster in `solver`'s solution: one row per worked shift, with the role it covers."""
        return self.roster_from_values(solver.ResponseProto().solution)

    def roster_from_values(self, values: Sequence[int]) -> Roster:
        """The roster in a solution given as every model variable's value, by proto index. Rows
        are made for the worked roles alone, already in roster order: making and sorting a row
        for every role took 1.2-1.5 s a roster on Curtois Instance24 (1M roles), 0.15 s now."""
        order = self._roster_order
        worked = order[np.asarray(values, dtype=np.int64)[order[:, 0]] != 0]
        names, staff, shifts = self._role_names, self.problem.employees, self.problem.instances
        return Roster(
            tuple(
                Assignment(
                    staff[e].id,
                    shifts[i].date,
                    shifts[i].shift_id,
                    shifts[i].start_local,
                    shifts[i].end_local,
                    names[role],
                )
                for _, e, i, role in worked.tolist()
            )
        )

    def _roles_in_roster_order(self, role_rows: array) -> np.ndarray:
        """The role variables' rows (proto index, employee, instance, role code) in the order of
        the roster rows they make: employee id, date, shift id, start, end, role (codes go by name)."""
        rows = np.array(role_rows, dtype=np.int64).reshape(-1, 4)
        shifts = self.problem.instances
        by_id = sorted(range(len(self.problem.employees)), key=lambda e: self.problem.employees[e].id)
        by_time = sorted(
            range(len(shifts)),
            key=lambda i: (shifts[i].date, shifts[i].shift_id, shifts[i].start_local, shifts[i].end_local),
        )
        return rows[np.lexsort((rows[:, 3], _ranks(by_time)[rows[:, 2]], _ranks(by_id)[rows[:, 1]]))]

    def assumption_literals(self) -> list[cp_model.IntVar]:
        return list(self._guard_lits.values())


def _ranks(order: list[int]) -> np.ndarray:
    """Per item, its position in `order` (a permutation of 0..n-1)."""
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def hint_values(cp: cp_model.CpModel, values: Sequence[int]) -> None:
    """Warm-start the next solve of `cp` from a whole solution: every variable's value, by index."""
    proto = cp.Proto()
    proto.clear_solution_hint()
    proto.solution_hint.vars.extend(range(len(values)))
    proto.solution_hint.values.extend(values)


def objective_floor(cp: cp_model.CpModel) -> float:
    """The least the objective can be by its terms' domains alone. A search stopped early can
    report a weaker bound, from the objective as presolve rewrote it (-3,910 for a roster of
    181,852: 100 employees x 12 weeks, 60 s, started employee by employee, where every term is
    a penalty of at least 0), or one that does not hold: stopped in presolve, before any plan,
    an employee's pricing search (rostering.solver.strategies.bound) reported 0 where the best plan costs -14,909."""
    proto = cp.Proto()
    objective = proto.objective
    if objective.scaling_factor < 0 or any(ref < 0 for ref in objective.vars):
        return float("-inf")  # a maximisation or negated literals: leave the bound to CP-SAT
    least = objective.offset
    for ref, coeff in zip(objective.vars, objective.coeffs, strict=True):
        domain = list(proto.variables[ref].domain)  # the proto's repeated field has no [-1]
        least += coeff * (domain[0] if coeff > 0 else domain[-1])
    return least * (objective.scaling_factor or 1)
