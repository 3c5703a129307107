"""CPR numbers never enter the engine: one test for every spelling, and a mask for messages.

A Danish CPR number is a birth date DDMMYY and a 4-digit serial SSSS. People write it as
DDMMYYSSSS, DDMMYY-SSSS, DDMMYY.SSSS, DDMMYY SSSS, DD.MM.YY-SSSS, or inside a longer id
(cpr-DDMMYYSSSS, eDDMMYY-SSSS). Any id or cell holding such a date-and-serial is refused, and an error message
shows it masked, so a log or a terminal never carries one. The modulus-11 check is not used:
numbers issued since 2007 need not pass it.
"""

from __future__ import annotations

import re

_SEP = r"[-._/ ]?"
_CPR = re.compile(rf"(?<!\d)(\d\d){_SEP}(\d\d){_SEP}(\d\d){_SEP}(\d{{4}})(?!\d)")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_birth_date(day: str, month: str) -> bool:
    d, m = int(day), int(month)
    return 1 <= m <= 12 and 1 <= d <= _DAYS[m - 1]


def looks_like_cpr(text: str) -> bool:
    """Whether `text` holds a date DDMMYY followed by a 4-digit serial, in any common spelling."""
    return any(_is_birth_date(m[1], m[2]) for m in _CPR.finditer(text))


def mask_cpr(text: str) -> str:
    """`text` with every CPR-like part shown as ******-****: safe to print or log."""
    return _CPR.sub(lambda m: "******-****" if _is_birth_date(m[1], m[2]) else m[0], text)


CPR_REFUSAL = "looks like a CPR number (a birth date and a serial); use an employment id instead"
