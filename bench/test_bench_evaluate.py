"""Throughput of batch evaluation: the home-care scenario × 20 runs (sickness 5 % and 10 %,
10 replications each), solved with a short deterministic time limit, one run at a time and two
in parallel (one CP-SAT thread per run either way).

    python -m pytest bench/test_bench_evaluate.py --benchmark-only -s
    BENCH_EVAL_TIME_LIMIT=10 python -m pytest bench/test_bench_evaluate.py --benchmark-only -s

`extra_info` holds runs per minute and the understaffing found, so the two backends can be seen
to compute the same table.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from rostering import load_scenario
from rostering.batch.evaluate import TIMING_COLUMNS, run_batch, run_specs
from rostering.batch.variants import parse_axis, variant_grid

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "hjemmepleje_nord.yaml"
TIME_LIMIT = float(os.environ.get("BENCH_EVAL_TIME_LIMIT", "5"))
RUNS: dict[int, pd.DataFrame] = {}


@pytest.mark.parametrize("workers", [1, 2], ids=["serial", "parallel-2"])
def test_evaluate_throughput(benchmark, tmp_path, workers):
    specs = run_specs(
        {"nord": load_scenario(SCENARIO)},
        variant_grid([parse_axis("sickness=0.05,0.10")]),
        replications=10,
        seed=1,
        time_limit=TIME_LIMIT,
    )
    result = benchmark.pedantic(
        run_batch, args=(specs, tmp_path, {"bench": workers}), kwargs={"workers": workers}, rounds=1, iterations=1
    )
    seconds = benchmark.stats.stats.max
    RUNS[workers] = result.runs.drop(columns=list(TIMING_COLUMNS))
    benchmark.extra_info.update(
        runs=len(specs),
        runs_per_minute=round(len(specs) / seconds * 60, 2),
        statuses=result.runs["status"].value_counts().to_dict(),
        mean_under_min_hours=round(float(result.runs["under_min_hours"].mean()), 2),
    )
    print(f"\n{workers} worker(s): {len(specs)} runs in {seconds:.1f} s = {len(specs) / seconds * 60:.2f} runs/min")
    assert len(result.runs) == len(specs)
    if len(RUNS) == 2:
        pd.testing.assert_frame_equal(RUNS[1], RUNS[2])  # same seed: same table, whatever the backend
