"""The kinds of cell a scenario workbook holds, each read into a scenario value and written back.

A cell comes as Excel stored it: a number where the planner typed an id, a date where the
planner typed `1-2`, a time or text where a clock time was typed. Each kind takes what a
spreadsheet gives for it (a real date or ISO / Danish `20.04.2026` text, `37,5` with a decimal
comma, `ja`/`nej`) and refuses the rest with a message the planner can act on (ValueError).
What the scenario's own schema checks (id pattern, ranges, a Monday) is left to it, so every
rule of the YAML format holds for a workbook too. Writing gives the cell the reader reads back
to the same value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

#: What Excel's epoch day holds: a time-only cell can come back as a date-time on it.
_TIME_ONLY_DAYS = (dt.date(1899, 12, 30), dt.date(1899, 12, 31), dt.date(1900, 1, 1))
_DANISH_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")
_YES, _NO = ("ja", "j", "true", "sand", "1"), ("nej", "n", "false", "falsk", "0")


@dataclass(frozen=True)
class Kind:
    """How one kind of cell is read (a non-empty cell -> value, or ValueError) and written."""

    name: str  # what the cell holds, in the workbook's guide
    read: Callable[[Any], Any]
    write: Callable[[Any], Any]
    text: bool = True  # typed as text (a number, date or Excel's own value is not)


def _text(value: Any) -> str:
    """A cell as text: a number typed as an id (1001) is its digits. A date, time or TRUE/FALSE
    is what Excel made of the typing, not what was meant: refused with how to keep it text."""
    if isinstance(value, bool):
        raise ValueError("Excel read this cell as TRUE/FALSE; write the text in a text-formatted cell")
    if isinstance(value, dt.date | dt.time):
        raise ValueError("Excel read this cell as a date or time; write the text in a text-formatted cell")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _list(value: Any) -> list[str]:
    return [part.strip() for part in _text(value).split(",") if part.strip()]


def _number(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"not a number: {_shown(value)}")
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", "."))
        except ValueError:
            raise ValueError(f"not a number: {_shown(value)} (write e.g. 37 or 37,5)") from None
    return value


def _integer(value: Any) -> int:
    try:
        number: float | None = _number(value)
    except ValueError:
        number = None
    if number is None or not float(number).is_integer():
        raise ValueError(f"not a whole number: {_shown(value)}")
    return int(number)


def _date(value: Any) -> dt.date:
    """A date cell, or ISO (2026-04-20) or Danish (20.04.2026, 20-04-2026) text."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise ValueError(f"a date and a time ({value:%Y-%m-%d %H:%M}); give the date only")
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value) if isinstance(value, str) else ""
    found = _DANISH_DATE.fullmatch(text)
    try:
        if found:
            return dt.date(int(found[3]), int(found[2]), int(found[1]))
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date: {_shown(value)} (write 2026-04-20 or 20.04.2026)") from None


def _dates(value: Any) -> list[dt.date]:
    if isinstance(value, dt.date):
        return [_date(value)]
    return [_date(part) for part in _list(value)]


def _clock(value: Any) -> str:
    """A time cell or "7:00" / "07.00" text, as the "07:00" text the schema reads (it refuses
    seconds and hours past 23 in its own words)."""
    if isinstance(value, dt.datetime):
        if value.date() not in _TIME_ONLY_DAYS:
            raise ValueError(f"a date ({value:%Y-%m-%d}) where a clock time like 07:00 belongs")
        value = value.time()
    if isinstance(value, dt.time):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"not a clock time: {_shown(value)} (write e.g. 07:00)")
    found = _CLOCK.fullmatch(value.strip())
    return f"{int(found[1]):02d}:{found[2]}" if found else value.strip()


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text in _YES or text in _NO:
        return text in _YES
    raise ValueError(f"write ja or nej (got {_shown(value)})")


def _shown(value: Any, limit: int = 40) -> str:
    """A cell echoed in a message, cut short: a page of text is not repeated."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _same(value: Any) -> Any:
    return value


TEXT = Kind("tekst", _text, _same)
ID = Kind("id (bogstaver, tal, _ . -)", _text, _same)
IDS = Kind("id'er adskilt med komma", _list, ", ".join)
NUMBER = Kind("tal (decimal med komma eller punktum)", _number, _same, text=False)
INTEGER = Kind("heltal", _integer, _same, text=False)
DATE = Kind("dato (2026-04-20 eller 20.04.2026)", _date, _same, text=False)
DATES = Kind("datoer adskilt med komma", _dates, lambda days: ", ".join(day.isoformat() for day in days))
CLOCK = Kind("klokkeslæt (07:00)", _clock, lambda time: time.strftime("%H:%M"))
FLAG = Kind("ja/nej", _flag, lambda flag: "ja" if flag else "nej")


def choice(words: Mapping[str, str]) -> Kind:
    """One of `words` (Danish word -> the scenario's value); the scenario's own value is read too."""
    spoken = {value: word for word, value in words.items()}
    return Kind(f"en af: {', '.join(words)}", lambda cell: _word(words, cell), lambda value: spoken[_plain(value)])


def choices(words: Mapping[str, str]) -> Kind:
    """Several of `words`, separated by commas."""
    spoken = {value: word for word, value in words.items()}
    return Kind(
        f"en eller flere af: {', '.join(words)} (adskilt med komma)",
        lambda cell: [_word(words, part) for part in _list(cell)],
        lambda values: ", ".join(spoken[_plain(value)] for value in values),
    )


def _word(words: Mapping[str, str], cell: Any) -> str:
    text = _text(cell).casefold()
    if text in words:
        return words[text]
    if text in words.values():
        return text
    raise ValueError(f"unknown value {_shown(cell)}; one of {', '.join(words)}")
