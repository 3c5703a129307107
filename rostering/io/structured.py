"""YAML and JSON text into plain data, bounded: the one parser every structured input goes through.

A scenario, a payroll profile and a roster in JSON are all read here, so each gets the same
guards: duplicate keys refused, clock times kept as text, nesting and size bounded (a file built to
exhaust recursion or memory is refused at its line), and a value Python cannot hold reported as an
input error, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from pathlib import Path
from typing import Any

import yaml

from rostering.domain.errors import InputError, InputIssue


class _DuplicateKey(ValueError):
    def __init__(self, key: str, line: int):
        super().__init__(f"key {key!r} appears twice in one mapping (the second would silently win)")
        self.line = line


#: Deeper than this no scenario goes (its deepest field is 5 levels down); beyond it a file is
#: built to exhaust the parser's recursion.
MAX_DEPTH = 64
#: Values in a parsed file, aliases counted as often as they are used: 200 staff with a year of
#: wishes stay under 100,000. A "billion laughs" file of nested aliases is stopped here instead of
#: being expanded in memory by validation.
MAX_VALUES = 1_000_000


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys instead of keeping the last one, reads an unquoted
    15:00 as the text "15:00" (YAML 1.1 would make it the base-60 number 900), stops nesting past
    MAX_DEPTH, and turns a value Python cannot hold (2026-13-01, a 5,000-digit number, a list as a
    key) into a YAML error at its line instead of a traceback."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            if isinstance(exc, _DuplicateKey):
                raise
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value: {exc}", node.start_mark
            ) from None

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool | dt.date) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value, not a list or mapping", key_node.start_mark
                )
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


def parse_structured(path: Path, text: str) -> Any:
    """The file's data (JSON by suffix, else YAML), or an InputError naming line and cause."""
    data = _parse_text(path, text)
    problem = too_large(data)
    if problem:
        raise InputError(str(path), [InputIssue("(top level)", problem)])
    return data


def too_large(data: Any) -> str | None:
    """Why parsed data is too deep or too large to validate, or None. Shared aliases are counted
    as often as they are used: that is the size validation would walk."""
    stack, count = [(data, 1)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            return f"more than {MAX_VALUES:,} values (aliases counted as often as they are used)"
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels"
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return None


def _parse_text(path: Path, text: str) -> Any:
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text, object_pairs_hook=_no_duplicates)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise InputError(str(path), [InputIssue("(syntax)", f"nested deeper than {MAX_DEPTH} levels")]) from None
    except _DuplicateKey as exc:
        line = exc.line or _second_key_line(text)
        raise InputError(str(path), [InputIssue("(mapping)", str(exc), line)]) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            str(path), [InputIssue(f"column {exc.colno}", f"not valid JSON: {exc.msg}", exc.lineno)]
        ) from None
    except ValueError as exc:  # json: a number Python will not read (over 4,300 digits)
        raise InputError(str(path), [InputIssue("(syntax)", f"not valid JSON: {exc}")]) from None
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
