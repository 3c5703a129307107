"""Read a scenario file (YAML or JSON) into a validated `Scenario`, or fail with every problem named.

Each problem names the file, the line (when the file is YAML/JSON text we can map) and the path
of the field, e.g. `solbakken.yaml:212: employees[3].absences[1].to: 'to' is before 'from'`.
A `.xlsx` file is a scenario workbook (`scenario_workbook.py`): its problems name sheet, row and
column instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from rostering.domain.errors import InputError, InputIssue
from rostering.domain.scenario import Scenario

from .curtois import DEFAULT_START, is_curtois, parse_curtois
from .files import check_input_size, read_input
from .inrc2 import is_inrc2, read_inrc2
from .scenario_workbook import read_workbook_scenario
from .structured import parse_structured
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
    check_input_size(path)
    if input_format == "inrc2" or (input_format == "auto" and is_inrc2(path)):
        return read_inrc2(path, start or DEFAULT_START), "inrc2"
    workbook = path.suffix.lower() == ".xlsx" and input_format in ("auto", "scenario")
    text = "" if workbook else read_input(path)
    if input_format not in INPUT_FORMATS:
        raise InputError(
            str(path),
            [InputIssue("format", f"unknown input format {input_format!r}; one of {', '.join(INPUT_FORMATS)}")],
        )
    if input_format == "curtois" or (input_format == "auto" and not workbook and is_curtois(text)):
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
    if workbook:
        return read_workbook_scenario(path), "scenario"
    data = parse_structured(path, text)
    return scenario_from_data(data, file=str(path), text=text), "scenario"


def load_model(model: type[M], path: str | Path) -> M:
    """Any YAML/JSON input file (a payroll profile ...) validated into `model`, with the same
    file, line and field in every error as a scenario gets."""
    path = Path(path)
    text = read_input(path)
    return model_from_data(model, parse_structured(path, text), str(path), text)
