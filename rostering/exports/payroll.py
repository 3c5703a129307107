"""Payroll files: pay lines written the way a payroll system imports them.

A profile is a small YAML mapping — columns, wage-type codes (lønarter), date format, decimal
separator, delimiter, encoding, rounding — so a municipality can match its system's import
without code. `generic` is the neutral format; `kmd_opus` and `sd_loen` are examples to adapt (no
public import specification was available: rules-dk § 12.2). A wage type mapped to null is left
out of the file (e.g. `normal` for monthly-paid staff whose salary already covers it).

The hour lines `normal`, `merarbejde` and `overtime` hold each paid hour once (rostering.exports.pay),
so a profile for timelønnede (hourly paid, 0 contract hours) exports all three; a profile for
monthly-paid staff leaves `normal` out (the salary pays the hours inside the norm) and exports
`merarbejde` and `overtime` — never both a salary and `normal` for the same hours. Supplements,
`late_change`, `fridoegn_fee` and `overtime_notice_fee` are paid on top for both.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rostering.domain.errors import InputError, InputIssue
from rostering.io.files import check_input_size, write_atomic
from rostering.io.scenario_file import load_model

from .cells import csv_text
from .pay import PayLine, WageType, round_supplements

Field_ = Literal[
    "employee_id",
    "date",
    "wage_type",
    "wage_key",
    "hours",
    "rate",
    "rate_unit",
    "amount",
    "agreement",
    "source",
    "flag",
]


class PayrollProfileName(str, Enum):
    # The built-in profiles, one profiles/<name>.yaml each; the web API offers them by this name.
    generic = "generic"
    kmd_opus = "kmd_opus"
    sd_loen = "sd_loen"


BUILTIN_PROFILES = tuple(name.value for name in PayrollProfileName)


class Column(BaseModel):
    """One output column: a pay-line field, or a fixed value (an institution number ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    header: str
    field: Field_ | None = Field(
        default=None,
        description=(
            "wage_type is the profile's code for the line; wage_key the neutral name (normal, evening ...); "
            "hours the line's hours, or its number of occurrences for a fee paid per occurrence "
            "(fridoegn_fee, overtime_notice_fee: rate_unit kr/occurrence)."
        ),
    )
    value: str | None = Field(default=None, description="A constant written on every line.")

    @model_validator(mode="after")
    def _one_source(self) -> Column:
        if (self.field is None) == (self.value is None):
            raise ValueError("give either `field` or `value`")
        return self


class PayrollProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, title="payroll profile")
    name: str
    description: str = ""
    columns: tuple[Column, ...] = Field(min_length=1)
    wage_types: dict[WageType, str | None] = Field(
        default_factory=dict,
        description=(
            "Code written for each wage type; a missing one is written by its neutral name; null leaves it out."
        ),
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    decimal: Literal[".", ","] = "."
    encoding: str = "utf-8"
    line_ending: Literal["lf", "crlf"] = "lf"
    date_format: str = "%Y-%m-%d"
    hours_decimals: int = Field(default=2, ge=0, le=4)
    header: bool = True
    supplement_rounding: Literal["none", "started_half_hour"] = Field(
        default="none",
        description=(
            "Supplement hours per started half hour on each line (rules-dk hours.time_rounding: the agreements "
            "count per started half hour; whether per shift or per day is unverified, so this rounds per day)."
        ),
    )

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}") from None
        try:
            "".encode(value)
        except LookupError:  # rot13, base64, hex: codecs, but not for text
            raise ValueError(f"{value!r} is not a text encoding (utf-8, cp1252, latin-1, ...)") from None
        return value

    @field_validator("delimiter")
    @classmethod
    def _csv_safe_delimiter(cls, value: str) -> str:
        if value in '"\r\n':
            raise ValueError(f"{value!r} cannot separate columns: it is the CSV quote character or a line break")
        return value

    @model_validator(mode="after")
    def _decimal_not_delimiter(self) -> PayrollProfile:
        if self.decimal == self.delimiter:
            raise ValueError("the decimal separator and the delimiter are the same character")
        return self

    @property
    def marks_lines(self) -> bool:
        return any(column.field == "flag" for column in self.columns)


def load_profile(name_or_path: str | Path) -> PayrollProfile:
    """A built-in profile by name, or a profile file."""
    if str(name_or_path) in BUILTIN_PROFILES:
        with resources.as_file(resources.files(__package__) / "profiles" / f"{name_or_path}.yaml") as path:
            return load_model(PayrollProfile, path)
    path = Path(name_or_path)
    check_input_size(path)
    if not path.exists():
        raise InputError(
            str(path), [InputIssue("--profile", f"no such profile file; built in: {', '.join(BUILTIN_PROFILES)}")]
        )
    return load_model(PayrollProfile, path)


def prepare(lines: Sequence[PayLine], profile: PayrollProfile) -> list[PayLine]:
    """The lines the profile exports: rounded as it asks, without the wage types it leaves out."""
    if profile.supplement_rounding == "started_half_hour":
        lines = round_supplements(lines)
    return [line for line in lines if profile.wage_types.get(line.wage_type, line.wage_type) is not None]


def render(lines: Sequence[PayLine], profile: PayrollProfile) -> str:
    """The file's text (encode it with `profile.encoding`)."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=profile.delimiter, lineterminator={"lf": "\n", "crlf": "\r\n"}[profile.line_ending]
    )
    if profile.header:
        writer.writerow([column.header for column in profile.columns])
    for line in prepare(lines, profile):
        values = _values(line, profile)
        writer.writerow(
            [
                csv_text(values[column.field] if column.field is not None else column.value or "")
                for column in profile.columns
            ]
        )
    return buffer.getvalue()


def _values(line: PayLine, profile: PayrollProfile) -> dict[str, str]:
    def number(value: float | None, decimals: int) -> str:
        return "" if value is None else f"{value:.{decimals}f}".replace(".", profile.decimal)

    source = line.source
    if line.flag and not profile.marks_lines:
        source = f"{source} [violates {line.flag}]"
    return {
        "employee_id": line.employee_id,
        "date": line.date.strftime(profile.date_format),
        "wage_type": profile.wage_types.get(line.wage_type) or line.wage_type,
        "wage_key": line.wage_type,
        "hours": number(line.quantity, profile.hours_decimals),  # occurrences for a fee (rate_unit kr/occurrence)
        "rate": number(line.rate, 2),
        "rate_unit": line.rate_unit,
        "amount": number(line.amount, 2),
        "agreement": line.agreement,
        "source": source,
        "flag": line.flag,
    }


def checked_text(lines: Sequence[PayLine], profile: PayrollProfile) -> str:
    """The file's text, checked to fit the profile's encoding (a character it cannot hold is an
    input error naming the profile)."""
    text = render(lines, profile)
    try:
        text.encode(profile.encoding)
    except UnicodeEncodeError as exc:
        bad = text[exc.start : exc.end]
        raise InputError(
            profile.name,
            [
                InputIssue(
                    "encoding", f"{bad!r} cannot be written in {profile.encoding}; choose an encoding that can (utf-8)"
                )
            ],
        ) from None
    return text


def write_payroll(path: str | Path, lines: Sequence[PayLine], profile: PayrollProfile) -> int:
    """Write the file atomically in the profile's encoding; returns the number of lines written."""
    write_atomic(path, checked_text(lines, profile), encoding=profile.encoding)
    return len(prepare(lines, profile))
