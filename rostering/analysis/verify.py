"""Solve, then check the roster against every rule and summarise it: the one path the command
line, the web view's jobs and batch runs take, so none can report a roster it has not checked,
or check it under other rules than it was solved under."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from rostering.domain.problem import Problem
from rostering.domain.roster import Roster
from rostering.rules import Violation
from rostering.rules.active import active_rules
from rostering.rules.check import blocking, check_roster
from rostering.solver.options import SolveOptions
from rostering.solver.search import Progress, SolveResult
from rostering.solver.solve import solve

from .summary import Summary, summarize


@dataclass(frozen=True)
class Verified:
    """A solve's result with what the roster was found to break. Without a roster there is
    nothing to check: no violations, and the summary says why (status, conflicts)."""

    problem: Problem
    result: SolveResult
    violations: tuple[Violation, ...]  # every rule the roster breaks, settled by pay or not
    blocking: tuple[Violation, ...]  # those that make it unusable (rules.check.blocking)

    @cached_property
    def summary(self) -> Summary:
        """The planner's figures, recomputed from the roster; its `violations` counts the blocking
        ones. Made when first read: a batch run reads the violations and its own coverage only."""
        return summarize(self.problem, self.result, list(self.blocking))


def solve_and_verify(
    problem: Problem,
    options: SolveOptions,
    *,
    hint: Roster | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> Verified:
    """Solve `problem`, check the roster under the same rules the model was built from (built
    once for the problem), and summarise it with every figure recomputed from the roster."""
    rules = active_rules(problem)
    result = solve(problem, options, rules=rules, on_progress=on_progress, hint=hint)
    found = tuple(check_roster(problem, result.roster, rules)) if result.has_roster else ()
    hard = tuple(blocking(list(found)))
    return Verified(problem, result, found, hard)
