"""Compare finished training runs (``results.json`` + the CSV logger's ``metrics.csv`` of each run folder).

``python -m src.analysis.runs RUN_DIR [RUN_DIR ...] --labels a,b,... --out DIR`` writes
``runs.md`` (final decoded scores per split and number of fields, steps, run folders) and two figures:
``score_vs_fields.png`` (S_Lagrangian of the best checkpoint by number of fields) and ``score_vs_steps.png``
(validation S_Lagrangian on the fixed subset against optimiser steps).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from src.cli import ArgumentParser, UserError, run_main
from src.runs import RESULTS

# every final/<split>/<key>[/nf=N] metric; the tables pick the keys they show
_FINAL = re.compile(r"^final/(?P<split>[^/]+)/(?P<key>.+?)(?:/nf=(?P<nf>\d+))?$")


@dataclass
class Run:
    label: str
    folder: Path
    results: dict
    history: pd.DataFrame  # step, val/S_lagrangian (rows where it was logged)

    @property
    def steps(self) -> int:
        return int(self.results.get("global_step", 0))

    def final_scores(self) -> pd.DataFrame:
        """Rows (split, n_fields or 'all', key, value) of the final decoded scores."""
        rows = []
        for section in ("validation", "test"):
            for name, value in self.results.get(section, {}).items():
                m = _FINAL.match(name)
                if m:
                    rows.append((m["split"], m["nf"] or "all", m["key"], value))
        return pd.DataFrame(rows, columns=["split", "n_fields", "key", "value"]).drop_duplicates(
            ["split", "n_fields", "key"], keep="last"
        )


def load_run(folder: str | Path, label: str | None = None) -> Run:
    folder = Path(folder)
    results_file = folder / RESULTS
    if not results_file.is_file():
        raise FileNotFoundError(f"{folder} has no results.json (did the run finish?)")
    results = json.loads(results_file.read_text())
    metrics = sorted(folder.rglob("metrics.csv"))
    history = pd.DataFrame(columns=["step", "val/S_lagrangian"])
    if metrics:
        df = pd.read_csv(metrics[-1])
        if "val/S_lagrangian" in df.columns:
            history = df.loc[df["val/S_lagrangian"].notna(), ["step", "val/S_lagrangian"]]
            if "best/val/loss" not in df.columns:  # runs before best/*: the re-validation of the best
                history = history[history["step"] != results.get("global_step")]  # checkpoint, logged last
    return Run(label or folder.parent.name, folder, results, history)


def score_table(runs: list[Run], split: str, key: str = "S_lagrangian") -> pd.DataFrame:
    """Runs as rows, number of fields (and 'all') as columns, for one split and score."""
    data = {}
    for run in runs:
        df = run.final_scores()
        df = df[(df["split"] == split) & (df["key"] == key)]
        data[run.label] = dict(zip(df["n_fields"], df["value"]))
    table = pd.DataFrame(data).T
    cols = sorted([c for c in table.columns if c != "all"], key=int) + (
        ["all"] if "all" in table.columns else []
    )
    return table[cols] if len(table) else table


def plot_score_vs_fields(runs: list[Run], split: str, path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.6))
    ax = fig.subplots()
    table = score_table(runs, split)
    nf_cols = [c for c in table.columns if c != "all"]
    for label, row in table.iterrows():
        ax.plot([int(c) for c in nf_cols], [row[c] for c in nf_cols], marker="o", label=label)
    ax.set_xlabel("number of fields")
    ax.set_ylabel(f"S_Lagrangian ({split})")
    ax.set_xticks([int(c) for c in nf_cols])
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def plot_score_vs_steps(runs: list[Run], path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 3.6))
    ax = fig.subplots()
    for run in runs:
        if len(run.history):
            ax.plot(run.history["step"], run.history["val/S_lagrangian"], marker=".", label=run.label)
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("val S_Lagrangian (fixed subset)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def _md_table(table: pd.DataFrame) -> list[str]:
    """A pandas table as markdown rows (no tabulate dependency); numbers with three decimals."""
    head = ["run", *[f"nf={c}" if c != "all" else "all" for c in table.columns]]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, row in table.iterrows():
        cells = ["" if pd.isna(v) else f"{v:.3f}" for v in row]
        rows.append("| " + " | ".join([str(label), *cells]) + " |")
    return rows


SUMMARY_KEYS = {
    "S_lagrangian": "S_Lagrangian",
    "exact/S_lagrangian": "exact S",
    "perfect": "perfect",
    "validity_rate": "valid terms",
    "P_length": "P_length",
    "truncated_rate": "truncated",
}


def summary_table(runs: list[Run], split: str) -> list[str]:
    """One markdown row per run: its steps and the split-level scores of SUMMARY_KEYS."""
    rows = [
        "| run | steps | " + " | ".join(SUMMARY_KEYS.values()) + " |",
        "|---|---|" + "---|" * len(SUMMARY_KEYS),
    ]
    for run in runs:
        df = run.final_scores()
        df = df[(df["split"] == split) & (df["n_fields"] == "all")]
        if df.empty:
            continue
        values = dict(zip(df["key"], df["value"]))
        cells = ["" if pd.isna(values.get(k)) else f"{values[k]:.3f}" for k in SUMMARY_KEYS]
        rows.append(f"| {run.label} | {run.steps} | " + " | ".join(cells) + " |")
    return rows if len(rows) > 2 else []


def markdown(runs: list[Run], splits: list[str]) -> str:
    lines = []
    for split in splits:
        summary = summary_table(runs, split)
        if summary:
            lines += [f"**{split}** (best checkpoint, greedy decoding)", "", *summary, ""]
    for split in splits:
        for key in ("S_lagrangian", "perfect"):
            table = score_table(runs, split, key)
            if table.empty:
                continue
            lines += [f"**{split}, {key}** (best checkpoint, greedy decoding)", "", *_md_table(table), ""]
    lines += ["| run | steps | run folder | W&B run folder |", "|---|---|---|---|"]
    for run in runs:
        lines.append(
            f"| {run.label} | {run.steps} | `{run.folder}` | `{run.results.get('wandb_run_folder', '')}` |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """The exit code; a bad argument or run folder is one line ``error: ...`` and exit code 2."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    p = ArgumentParser(prog="python -m src.analysis.runs", description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", help="run folders (each with results.json)")
    p.add_argument("--labels", default=None, help="comma-separated labels, one per run")
    p.add_argument("--splits", default="val,test", help="comma-separated splits for the tables")
    p.add_argument("--fields-split", default="test", help="split of the score-vs-fields figure")
    p.add_argument("--out", required=True, help="folder for runs.md and the figures")
    args = p.parse_args(argv)
    labels = args.labels.split(",") if args.labels else [None] * len(args.runs)
    if len(labels) != len(args.runs):
        p.error(f"{len(labels)} labels for {len(args.runs)} runs")
    try:
        runs = [load_run(r, lab) for r, lab in zip(args.runs, labels)]
    except (FileNotFoundError, json.JSONDecodeError) as e:
        raise UserError(str(e)) from None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "runs.md").write_text(markdown(runs, args.splits.split(",")))
    plot_score_vs_fields(runs, args.fields_split, out / "score_vs_fields.png")
    plot_score_vs_steps(runs, out / "score_vs_steps.png")
    print(f"wrote {out / 'runs.md'}, score_vs_fields.png, score_vs_steps.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
