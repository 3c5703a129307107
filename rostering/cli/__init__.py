"""Command line: thin commands that parse, call the library, print, and map outcomes to exit codes
(0 ok, 1 no compliant roster / violations, 2 bad input).

`app` is the Typer application (rostering.cli.app: the `rostering` command); each module below
registers its commands on it: solve (solve, replan), check (validate, explain, coverage), export
(payroll, ical, xlsx, inrc2, scenario), evaluate, serve, reference (schema, template, rules).
"""

from __future__ import annotations

from . import check, evaluate, export, reference, serve, solve  # noqa: F401 - each registers its commands
from .app import app

__all__ = ["app", "main"]


def main() -> None:  # pragma: no cover
    app()
