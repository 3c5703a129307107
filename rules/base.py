"""The rule contract: one class per rule, used by the solver *and* the roster checker.

A rule has a stable dotted id, a severity, a legal source, typed parameters (a pydantic model with
documented defaults) and three methods:

- `blocks(problem, staff, shift)`: why this employee may never work this shift (or None). The model
  creates no variable for a blocked shift unless it is preassigned; the checker reports a worked one.
- `post(model, staff)`: add the rule's hard constraints for one employee to the CP-SAT model.
- `check(problem, staff, worked)`: the violations in one employee's worked shifts.

Constraints are posted through `model.hard(...)` so that an infeasible scenario can be explained
by rule and employee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from rostering.model import RosterModel
    from rostering.problem import Problem, ShiftInstance, Staff
    from rostering.roster import Worked


class Severity(str, Enum):
    law = "law"
    agreement = "agreement"
    local = "local"


class RuleParams(BaseModel):
    """Base for rule parameters. Every rule can be switched off per scenario or agreement."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True


@dataclass(frozen=True)
class Violation:
    rule_id: str
    employee_id: str
    severity: Severity
    source: str
    message: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    measured: float | None = None
    limit: float | None = None
    unit: str = ""


class Rule:
    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    source: ClassVar[str]
    Params: ClassVar[type[RuleParams]] = RuleParams

    def __init__(self, params: RuleParams | None = None):
        self.params = params if params is not None else self.Params()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params!r})"

    def blocks(self, problem: "Problem", staff: "Staff", shift: "ShiftInstance") -> str | None:
        return None

    def post(self, model: "RosterModel", staff: "Staff") -> None:
        """Default: forbid the shifts `blocks` rules out (only preassigned ones have variables)."""
        for shift, var in model.options(staff):
            reason = self.blocks(model.problem, staff, shift)
            if reason is not None:
                model.hard(self, staff, model.cp.Add(var == 0), f"{shift.label()}: {reason}")

    def check(self, problem: "Problem", staff: "Staff", worked: Sequence["Worked"]) -> Iterable[Violation]:
        for item in worked:
            reason = self.blocks(problem, staff, item.shift)
            if reason is not None:
                yield self.violation(staff, reason, item.shift.start_local, item.shift.end_local)

    def violation(
        self,
        staff: "Staff",
        message: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        measured: float | None = None,
        limit: float | None = None,
        unit: str = "",
    ) -> Violation:
        return Violation(
            self.id, staff.id, self.severity, self.source, message, start, end, measured, limit, unit
        )
