"""What the benchmark scripts share when they write a results table."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys


def fmt(value, spec: str = "g") -> str:
    """A table cell: `value` formatted, or a dash when there is none."""
    return "–" if value is None else format(value, spec)


def measured_on(script: str, workers: int, seed: int) -> str:
    """The line saying when, how and on what machine a table was measured."""
    return (
        f"Measured {dt.date.today()} with `python bench/{script} {' '.join(sys.argv[1:])}` on {os.cpu_count()} "
        f"cores ({platform.machine()}), {workers or os.cpu_count()} workers, seed {seed}"
    )
