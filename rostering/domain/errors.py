"""Errors the user can act on: each names the file, the place in it and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from .privacy import mask_cpr


@dataclass(frozen=True)
class InputIssue:
    """One problem in an input file. `where` is a path (`employees[3].absences[0].to`) or a CSV row/column."""

    where: str
    message: str
    line: int | None = None

    def render(self, file: str) -> str:
        """The issue as printed: a CPR-like value in it is masked (it may come from the input)."""
        at = f"{file}:{self.line}" if self.line else file
        return mask_cpr(f"{at}: {self.where}: {self.message}")


class InputError(Exception):
    """Raised when an input file cannot be used; carries every issue found, not just the first."""

    def __init__(self, file: str, issues: list[InputIssue]):
        self.file = file
        self.issues = issues
        super().__init__(self.render())

    def render(self) -> str:
        lines = [issue.render(self.file) for issue in self.issues]
        head = mask_cpr(f"{self.file}: {len(self.issues)} problem(s)")
        return "\n".join([head, *("  " + line for line in lines)])
