"""How well and how fast recipes learn, over seeds: the learning table and curves of RESULTS.md.

``python -m src.analysis.learning --recipe NAME=RUN_DIR[,RUN_DIR...] [...] --split test --out DIR`` reads each
run folder (``results.json``, ``run_info.json``, the CSV logger's ``metrics.csv``) and writes

* ``learning.md``: one row per recipe: seeds, optimiser steps, training wall time, target tokens seen, and
  the final scores of the best checkpoint on the split (S_Lagrangian, exact S, perfect, perfect by number of
  fields), each as mean [min, max] over the seeds, plus the number of runs whose probe or final decoding
  collapsed (``results.json["collapse"]``);
* ``score_vs_time.png`` and ``score_vs_tokens.png``: validation S_Lagrangian on the fixed probe subset
  against training wall-clock seconds and against target tokens seen, one line per run.

A recipe given one seed is marked as such in the table: one seed is an anecdote.
"""

from __future__ import annotations

import glob
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from src.analysis.runs import Run, load_run
from src.cli import ArgumentParser, UserError, run_main


@dataclass
class SeededRun:
    run: Run
    seed: int
    curve: pd.DataFrame  # step, elapsed_s, tokens_seen, S (validation rows)

    def final(self, split: str, key: str, nf: str = "all") -> float:
        df = self.run.final_scores()
        hit = df[(df["split"] == split) & (df["key"] == key) & (df["n_fields"] == nf)]
        return float(hit["value"].iloc[0]) if len(hit) else float("nan")

    def collapsed(self) -> bool:
        c = self.run.results.get("collapse") or {}
        return bool(c.get("collapsed") or c.get("final_collapsed"))


def learning_curve(folder: Path) -> pd.DataFrame:
    """Validation S_Lagrangian with the training seconds and tokens seen at its step."""
    cols = ["step", "elapsed_s", "tokens_seen", "S"]
    files = sorted(folder.rglob("metrics.csv"))
    if not files:
        return pd.DataFrame(columns=cols)
    df = pd.read_csv(files[-1])
    if "val/S_lagrangian" not in df.columns or "train/tokens_seen" not in df.columns:
        return pd.DataFrame(columns=cols)
    train = df.loc[df["train/tokens_seen"].notna(), ["step", "train/elapsed_s", "train/tokens_seen"]]
    val = df.loc[df["val/S_lagrangian"].notna(), ["step", "val/S_lagrangian"]]
    if train.empty or val.empty:
        return pd.DataFrame(columns=cols)
    merged = pd.merge_asof(
        val.sort_values("step"), train.sort_values("step"), on="step", direction="backward"
    ).dropna()
    merged.columns = cols[:1] + ["S", "elapsed_s", "tokens_seen"]
    return merged[cols]


def load_seeded(folder: str | Path, label: str) -> SeededRun:
    folder = Path(folder)
    run = load_run(folder, label)
    info_file = folder / "run_info.json"
    seed = json.loads(info_file.read_text()).get("seed", -1) if info_file.is_file() else -1
    return SeededRun(run, int(seed), learning_curve(folder))


def _spread(values: list[float], digits: int = 3) -> str:
    v = [x for x in values if not np.isnan(x)]
    if not v:
        return "–"
    fmt = f"{{:.{digits}f}}"
    if len(v) == 1:
        return fmt.format(v[0])
    return f"{fmt.format(np.mean(v))} [{fmt.format(min(v))}, {fmt.format(max(v))}]"


def _perfect_rows(df: pd.DataFrame, split: str) -> pd.DataFrame:
    return df[(df["split"] == split) & (df["key"] == "perfect")]


def learning_table(recipes: dict[str, list[SeededRun]], split: str) -> list[str]:
    """Markdown rows: recipe, seeds, steps, wall time, tokens, scores as mean [min, max], collapsed runs."""
    nfs = sorted(
        {
            k
            for runs in recipes.values()
            for r in runs
            for k in _perfect_rows(r.run.final_scores(), split)["n_fields"]
            if k != "all"
        },
        key=int,
    )
    head = ["recipe", "seeds", "steps", "train min", "M tokens", "S_Lagrangian", "exact S", "perfect"]
    head += [f"perfect {nf} field{'s' if nf != '1' else ''}" for nf in nfs] + ["collapsed"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, runs in recipes.items():
        seeds = ",".join(str(r.seed) for r in runs) + (" (one seed: an anecdote)" if len(runs) == 1 else "")
        cells = [
            label,
            seeds,
            _spread([float(r.run.results.get("global_step", np.nan)) for r in runs], 0),
            _spread([r.run.results.get("train_seconds", np.nan) / 60 for r in runs], 1),
            _spread([r.run.results.get("tokens_seen", np.nan) / 1e6 for r in runs], 2),
            _spread([r.final(split, "S_lagrangian") for r in runs]),
            _spread([r.final(split, "exact/S_lagrangian") for r in runs]),
            _spread([r.final(split, "perfect") for r in runs]),
            *[_spread([r.final(split, "perfect", nf) for r in runs]) for nf in nfs],
            f"{sum(r.collapsed() for r in runs)} of {len(runs)}",
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


Y_FLOOR = -1.0  # early validations of S can reach -4: the axis starts here so the learned part stays readable


def plot_curves(recipes: dict[str, list[SeededRun]], x: str, path: Path) -> None:
    """Val S of every run against ``x``, one colour (and line style past ten) per recipe, the legend below."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.6 + 0.22 * len(recipes)))
    ax = fig.subplots()
    scale, title = {
        "elapsed_s": (1 / 60, "training wall time (min)"),
        "tokens_seen": (1e-6, "target tokens (M)"),
    }[x]
    lowest = 0.0
    for i, (label, runs) in enumerate(recipes.items()):
        color, style = f"C{i % 10}", ("-", "--", ":")[(i // 10) % 3]
        for k, r in enumerate(runs):
            if len(r.curve):
                lowest = min(lowest, float(r.curve["S"].min()))
                ax.plot(
                    r.curve[x] * scale,
                    r.curve["S"],
                    marker=".",
                    linestyle=style,
                    color=color,
                    alpha=0.8,
                    label=label if k == 0 else None,
                )
    ax.set_xlabel(title)
    clipped = lowest < Y_FLOOR
    ax.set_ylim(Y_FLOOR if clipped else None, 1.02)
    ax.set_ylabel("val S_Lagrangian (probe rows)" + (f", axis from {Y_FLOOR:g}" if clipped else ""))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=1, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120, bbox_inches="tight")


def parse_recipe(text: str) -> tuple[str, list[str]]:
    """``NAME=DIR[,DIR...]`` (each DIR may be a glob) -> (name, folders)."""
    if "=" not in text:
        raise UserError(f"--recipe {text!r}: expected NAME=RUN_DIR[,RUN_DIR...]")
    name, dirs = text.split("=", 1)
    folders = [f for d in dirs.split(",") for f in (sorted(glob.glob(d)) or [d])]
    return name, folders


def main(argv: list[str] | None = None) -> int:
    """The exit code; a bad argument or run folder is one line ``error: ...`` and exit code 2."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    p = ArgumentParser(prog="python -m src.analysis.learning", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--recipe", action="append", required=True, help="NAME=RUN_DIR[,RUN_DIR...] (globs allowed)"
    )
    p.add_argument("--split", default="test")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    try:
        recipes = {}
        for text in args.recipe:
            name, folders = parse_recipe(text)
            recipes[name] = [load_seeded(f, name) for f in folders]
    except (ValueError, FileNotFoundError, json.JSONDecodeError) as e:  # a UserError is a ValueError too
        raise UserError(str(e)) from None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lines = [f"Split: {args.split} (best checkpoint, greedy decoding); mean [min, max] over seeds.", ""]
    lines += learning_table(recipes, args.split)
    lines += ["", "| recipe | seed | run folder | W&B run folder |", "|---|---|---|---|"]
    for name, runs in recipes.items():
        for r in runs:
            lines.append(
                f"| {name} | {r.seed} | `{r.run.folder}` | `{r.run.results.get('wandb_run_folder', '')}` |"
            )
    (out / "learning.md").write_text("\n".join(lines) + "\n")
    plot_curves(recipes, "elapsed_s", out / "score_vs_time.png")
    plot_curves(recipes, "tokens_seen", out / "score_vs_tokens.png")
    print(f"wrote {out / 'learning.md'}, score_vs_time.png, score_vs_tokens.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
