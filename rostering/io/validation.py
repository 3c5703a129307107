"""Parsed input data into validated models, with every problem named: field path, line, message.

Each problem names the file, the line (when the file is YAML/JSON text we can map) and the path
of the field, e.g. `solbakken.yaml:212: employees[3].absences[1].to: 'to' is before 'from'`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Scenario

from .crosscheck import crosscheck

M = TypeVar("M", bound=BaseModel)
#: Where a field path came from in a file that is not YAML/JSON text (a workbook's sheet, row
#: and column), or None to name it by its path.
Locate = Callable[[tuple[Any, ...]], str | None]

_PYDANTIC_WORDING = {
    "extra_forbidden": "unknown key (not part of the format; check spelling)",
    "missing": "required field is missing",
}


def scenario_from_data(
    data: Any, file: str = "<scenario>", text: str | None = None, locate: Locate | None = None
) -> Scenario:
    """Validate already-parsed data; `text` (the file's source) lets errors carry line numbers,
    `locate` names the place a field came from instead of its path."""
    scenario = model_from_data(Scenario, data, file, text, locate)
    lines = _LineFinder(text)
    issues = [
        InputIssue(_where(loc, data, locate), message, lines.line_of(loc)) for loc, message in crosscheck(scenario)
    ]
    if issues:
        raise InputError(file, issues)
    return scenario


def model_from_data(model: type[M], data: Any, file: str, text: str | None = None, locate: Locate | None = None) -> M:
    if not isinstance(data, dict):
        kind = model.model_config.get("title") or model.__name__.lower()
        raise InputError(file, [InputIssue("(top level)", f"expected a mapping of {kind} fields")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = _LineFinder(text)
        raise InputError(file, [_issue_from_pydantic(err, data, lines, locate) for err in exc.errors()]) from None


def _issue_from_pydantic(err: ErrorDetails, data: Any, lines: _LineFinder, locate: Locate | None) -> InputIssue:
    loc = tuple(part for part in err["loc"] if not (isinstance(part, str) and part.startswith("function-")))
    message = _PYDANTIC_WORDING.get(err["type"]) or err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = _shown(value)
    # The value is echoed unless the message has it already, or it is an id (may be a CPR number).
    if (
        err["type"] not in ("missing", "extra_forbidden")
        and "input" in err
        and not isinstance(value, dict | list)
        and str(value) not in message
        and loc[-1:] != ("id",)
    ):
        message = f"{message} (got {shown})"
    return InputIssue(_where(loc, data, locate), message, lines.line_of(loc))


def _where(loc: tuple[Any, ...], data: Any, locate: Locate | None) -> str:
    return (locate(loc) if locate is not None else None) or _render_path(loc, data)


def _shown(value: Any, limit: int = 60) -> str:
    """The offending value as echoed in a message, cut short: a megabyte of name is not repeated."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _render_path(loc: tuple[Any, ...], data: Any) -> str:
    """`('employees', 3, 'absences', 0, 'to')` -> `employees[3] (e004).absences[0].to`."""
    out, node = "", data
    for n, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            if ident is not None and loc[n + 1 : n + 2] != ("id",):  # a faulty id is not echoed
                out += f" ({ident})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


class _LineFinder:
    """Maps a field path to its line in the YAML/JSON source, via PyYAML's node tree."""

    def __init__(self, text: str | None):
        self._root = None
        if text is not None:
            try:
                self._root = yaml.compose(text)
            except yaml.YAMLError:
                self._root = None

    def line_of(self, loc: tuple[Any, ...]) -> int | None:
        """Line of the deepest part of `loc` found; for a mapping key, the key's own line."""
        node, line = self._root, None
        for part in loc:
            if node is None:
                break
            line = node.start_mark.line + 1
            anchor, node = self._child(node, part)
            if anchor is not None:
                line = anchor.start_mark.line + 1
        return line

    @staticmethod
    def _child(node: Any, part: Any) -> tuple[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    return key, value
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            return node.value[part], node.value[part]
        return None, None
