"""`eval/report.html`: one self-contained page (plots embedded as PNG) an analyst can mail on.

Summary per scenario and variant (mean and spread over replications), failed runs with their
reasons, understaffed hours per variant, and a coverage heatmap (day × shift) per scenario for
its worst variant.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from rostering.io.files import write_atomic, write_bytes_atomic

OK_STATUSES = ("OPTIMAL", "FEASIBLE", "FIXED")
SUMMARY_COLUMNS = {  # column: (title, format)
    "under_min_hours": ("below min (h)", "{:,.1f}"),
    "under_target_hours": ("below target (h)", "{:,.1f}"),
    "over_max_hours": ("above max (h)", "{:,.1f}"),
    "share_understaffed": ("shifts understaffed", "{:.1%}"),
    "utilisation": ("utilisation", "{:.1%}"),
    "supplement_cost": ("supplements (kr)", "{:,.0f}"),
    "sick_days": ("sick days", "{:,.1f}"),
}


def summary_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and variant: runs, runs that gave a roster, and mean (min–max) of the figures."""
    rows = []
    for (scenario, variant), group in runs.groupby(["scenario", "variant"], sort=False):
        ok = group[group["status"].isin(OK_STATUSES)]
        row = {"scenario": scenario, "variant": variant, "runs": len(group), "with roster": len(ok)}
        for column, (title, fmt) in SUMMARY_COLUMNS.items():
            values = ok[column].dropna().astype(float) if column in ok else pd.Series(dtype=float)
            row[title] = _spread(values, fmt) if len(values) else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def _spread(values: pd.Series, fmt: str) -> str:
    mean = fmt.format(values.mean())
    if values.min() == values.max():
        return mean
    return f"{mean} ({fmt.format(values.min())}–{fmt.format(values.max())})"


def understaffing_figure(runs: pd.DataFrame):
    """Mean hours below min and below target per variant, a bar each, with every replication as a dot."""
    plt = _pyplot()
    ok = runs[runs["status"].isin(OK_STATUSES)].copy()
    labels = list(dict.fromkeys(zip(runs["scenario"], runs["variant"], strict=True)))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(labels) + 2), 4.2))
    width = 0.38
    for offset, column, colour, name in (
        (-width / 2, "under_min_hours", "#c0392b", "below min"),
        (width / 2, "under_target_hours", "#e67e22", "below target"),
    ):
        means, lows, highs = [], [], []
        for i, key in enumerate(labels):
            values = ok[(ok["scenario"] == key[0]) & (ok["variant"] == key[1])].get(column, pd.Series(dtype=float))
            values = values.dropna().astype(float)
            mean = values.mean() if len(values) else 0.0
            means.append(mean)
            lows.append(mean - (values.min() if len(values) else 0.0))
            highs.append((values.max() if len(values) else 0.0) - mean)
            ax.scatter([i + offset] * len(values), values, s=10, color="black", zorder=3)
        ax.bar(
            [i + offset for i in range(len(labels))],
            means,
            width,
            color=colour,
            label=name,
            yerr=[lows, highs],
            capsize=3,
        )
    multi = len({s for s, _ in labels}) > 1
    ax.set_xticks(
        range(len(labels)), [f"{s}\n{v}" if multi else v for s, v in labels], rotation=30, ha="right", fontsize=8
    )
    ax.set_ylabel("head-hours per run")
    ax.set_title("Understaffed head-hours per variant", fontsize=10)
    ax.legend()
    fig.tight_layout()
    return fig


def heatmap_figure(cells: pd.DataFrame, run_ids: list[str], title: str):
    """Planned minus target heads per day × shift, summed over competences and averaged over the
    runs given: red where understaffed, blue where over."""
    plt = _pyplot()
    part = cells[cells["run_id"].isin(run_ids)].copy()
    part["surplus"] = part["planned"] - part["target"]
    table = part.groupby(["run_id", "shift", "date"])["surplus"].sum().groupby(["shift", "date"]).mean().unstack("date")
    starts = part.groupby("shift")["shift_start"].first()
    table = table.loc[sorted(table.index, key=lambda shift: (starts[shift], shift))]  # in the day's order
    fig, ax = plt.subplots(figsize=(max(6.0, 0.28 * table.shape[1] + 2), 0.5 * table.shape[0] + 1.8))
    limit = max(1.0, float(table.abs().max().max()))
    image = ax.imshow(table.values, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    ax.set_yticks(range(len(table.index)), table.index)
    dates = [pd.Timestamp(d) for d in table.columns]
    ax.set_xticks(
        range(len(dates)),
        [f"{d:%a}\n{d:%d/%m}" if d.weekday() == 0 or i == 0 else f"{d:%a}"[:2] for i, d in enumerate(dates)],
        fontsize=6,
    )
    ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=ax, label="planned − target heads")
    fig.tight_layout()
    return fig


def write_report(runs: pd.DataFrame, cells: pd.DataFrame, folder: str | Path, title: str) -> Path:
    """report.html plus the plots as PNG files beside it (for slides and the README)."""
    folder = Path(folder)
    images = [
        (
            "understaffing.png",
            "Understaffed head-hours per variant. Bars: mean; whiskers: min–max; dots: one per replication.",
            understaffing_figure(runs),
        )
    ]
    if not cells.empty:
        for scenario, group in runs[runs["status"].isin(OK_STATUSES)].groupby("scenario", sort=False):
            worst = group.groupby("variant", sort=False)["under_min_hours"].mean().idxmax()
            ids = list(group[group["variant"] == worst]["run_id"])
            name = f"heatmap-{_slug(scenario)}.png"
            images.append(
                (
                    name,
                    f"{scenario}: coverage, worst variant ({worst})",
                    heatmap_figure(
                        cells, ids, f"{scenario}, {worst}\nplanned − target heads, mean of {len(ids)} run(s)"
                    ),
                )
            )
    blocks = []
    for name, caption, fig in images:
        data = _png(fig)
        write_bytes_atomic(folder / name, data)
        blocks.append(
            f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,'
            f'{base64.b64encode(data).decode()}"><figcaption>{html.escape(caption)}</figcaption></figure>'
        )
    failed = runs[~runs["status"].isin(OK_STATUSES)]
    failed_html = (
        failed[["run_id", "status", "reason"]].to_html(index=False, border=0)
        if len(failed)
        else "<p>None: every run gave a roster.</p>"
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:80em}}table{{border-collapse:collapse;font-size:90%}}
td,th{{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:right}}td:first-child,th:first-child,
td:nth-child(2){{text-align:left}}figure{{margin:1.5em 0}}img{{max-width:100%}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{len(runs)} run(s); {int(runs["status"].isin(OK_STATUSES).sum())} gave a roster. Hours are head-hours against
demand; figures are recomputed from each roster. Mean over replications, (min–max) where they differ.</p>
<h2>Summary</h2>
{summary_table(runs).to_html(index=False, border=0)}
<h2>Runs without a roster</h2>
{failed_html}
<h2>Plots</h2>
{"".join(blocks)}
</body></html>
"""
    path = folder / "report.html"
    write_atomic(path, page)
    return path


def _pyplot():
    """matplotlib's pyplot on the file-only backend (imported late: only reports need it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    plt = _pyplot()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in text)[:60]
