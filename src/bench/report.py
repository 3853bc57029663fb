"""The figures a benchmark reports against its anchor, and ``PERFORMANCE.md``'s tables.

A benchmark calls ``add(...)`` once per comparison: our figure, the anchor's figure measured in the same
process on the same inputs (a plain Hugging Face loop, ``model.generate``, basisgen, the machine's matmul
limit), the unit, and whether more is better. ``ratio`` is ours over the anchor for a rate and anchor over
ours for a time, so that > 1 always means we are faster. ``python -m src.bench all --write FILE`` renders the
collected rows as one table per stage (``markdown``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Row:
    stage: str  # oracle, data, train, decode, score
    measure: str  # what is measured, on which inputs
    ours: float | None
    anchor: str  # what we compare with, in words ("basisgen 1.0.4", "model.generate with its cache")
    anchor_value: float | None  # None: the anchor was not run (``note`` says why)
    unit: str  # "Lagrangians/s", "s", "target tokens/s", "fraction"
    higher_is_better: bool = True
    note: str = ""
    command: str = ""

    @property
    def ratio(self) -> float | None:
        """> 1 when ours is better: ours / anchor for rates, anchor / ours for times."""
        a, b = self.ours, self.anchor_value
        if a is None or b is None or a == 0 or b == 0 or math.isnan(a) or math.isnan(b):
            return None
        return a / b if self.higher_is_better else b / a


ROWS: list[Row] = []


def add(
    stage: str,
    measure: str,
    ours: float | None,
    anchor: str,
    anchor_value: float | None,
    unit: str,
    higher_is_better: bool = True,
    note: str = "",
    command: str = "",
) -> Row:
    row = Row(stage, measure, ours, anchor, anchor_value, unit, higher_is_better, note, command)
    ROWS.append(row)
    return row


def take() -> list[Row]:
    """The rows added since the last call (and forget them)."""
    rows = list(ROWS)
    ROWS.clear()
    return rows


def _figure(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "fraction":
        return f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def markdown(rows: list[Row]) -> list[str]:
    """One table: measure | ours | anchor | anchor's figure | ratio (> 1: ours better) | note."""
    lines = [
        "| measure | unit | ours | anchor | anchor's figure | ours vs anchor | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "–" if r.ratio is None else f"{r.ratio:.2f}×"
        lines.append(
            f"| {r.measure} | {r.unit} | {_figure(r.ours, r.unit)} | {r.anchor} | "
            f"{_figure(r.anchor_value, r.unit)} | {ratio} | {r.note} |"
        )
    return lines
