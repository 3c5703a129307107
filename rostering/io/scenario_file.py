"""Read a scenario file (YAML or JSON) into a validated `Scenario`, or fail with every problem named.

Each problem names the file, the line (when the file is YAML/JSON text we can map) and the path
of the field, e.g. `solbakken.yaml:212: employees[3].absences[1].to: 'to' is before 'from'`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Scenario

from .curtois import DEFAULT_START, is_curtois, parse_curtois
from .files import read_input
from .inrc2 import is_inrc2, read_inrc2
from .validation import model_from_data, scenario_from_data

M = TypeVar("M", bound=BaseModel)


INPUT_FORMATS = ("auto", "scenario", "curtois", "inrc2")


def load_scenario(path: str | Path, input_format: str = "auto", start: dt.date | None = None) -> Scenario:
    """Parse, validate and cross-check a scenario file. Raises `InputError` listing every problem.

    A Curtois & Qu benchmark instance is recognised by its content (or `input_format="curtois"`),
    an INRC-II instance by its path DIR/NAME (or `input_format="inrc2"`); both are read as a
    scenario starting on `start` (default 2024-01-01)."""
    return read_scenario(path, input_format, start)[0]


def read_scenario(path: str | Path, input_format: str = "auto", start: dt.date | None = None) -> tuple[Scenario, str]:
    """`load_scenario`, also saying which format the file was read as ("scenario", "curtois" or
    "inrc2"): the caller picks its solver preset from it without reading the file a second time."""
    path = Path(path)
    if input_format == "inrc2" or (input_format == "auto" and is_inrc2(path)):
        return read_inrc2(path, start or DEFAULT_START), "inrc2"
    text = read_input(path)
    if input_format not in INPUT_FORMATS:
        raise InputError(
            str(path),
            [InputIssue("format", f"unknown input format {input_format!r}; one of {', '.join(INPUT_FORMATS)}")],
        )
    if input_format == "curtois" or (input_format == "auto" and is_curtois(text)):
        return parse_curtois(text, path, start or DEFAULT_START), "curtois"
    if start is not None:
        raise InputError(
            str(path),
            [
                InputIssue(
                    "start", "a start date applies to benchmark instances only; a scenario names its own horizon.start"
                )
            ],
        )
    data = _parse(path, text)
    return scenario_from_data(data, file=str(path), text=text), "scenario"


def load_model(model: type[M], path: str | Path) -> M:
    """Any YAML/JSON input file (a payroll profile ...) validated into `model`, with the same
    file, line and field in every error as a scenario gets."""
    path = Path(path)
    text = read_input(path)
    return model_from_data(model, _parse(path, text), str(path), text)


class _DuplicateKey(ValueError):
    def __init__(self, key: str, line: int):
        super().__init__(f"key {key!r} appears twice in one mapping (the second would silently win)")
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one, and reads an
    unquoted 15:00 as the text "15:00" (YAML 1.1 would make it the base-60 number 900)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(str(key), key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+" + string.digits),
)
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+." + string.digits),
)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise _DuplicateKey(key, 0)
    return dict(pairs)


def _parse(path: Path, text: str) -> Any:
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        line = exc.line or _second_key_line(text)
        raise InputError(str(path), [InputIssue("(mapping)", str(exc), line)]) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            str(path), [InputIssue(f"column {exc.colno}", f"not valid JSON: {exc.msg}", exc.lineno)]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise InputError(str(path), [InputIssue("(syntax)", f"not valid YAML: {reason}", line)]) from None


def _second_key_line(text: str) -> int | None:
    """Line of the first repeated key in a JSON/YAML text (json reports no position for it)."""
    try:
        stack = [yaml.compose(text)]
    except yaml.YAMLError:
        return None
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key, value in node.value:
                if key.value in seen:
                    return key.start_mark.line + 1
                seen.add(key.value)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return None
