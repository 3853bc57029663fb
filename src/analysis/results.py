"""Evaluation outputs (``python -m src.evaluate`` writes ``predictions.parquet`` and ``summary.csv``) as
tables and figures: scores by split and number of fields, and the per-example diffs behind them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from src.metrics import SCORE_KEYS

PREDICTIONS = "predictions.parquet"
SUMMARY = "summary.csv"


def find_eval_dir(path: str | Path) -> Path:
    """``path`` itself when it holds ``summary.csv``, else the newest folder below it that does (e.g. a run
    folder, whose evaluations land in ``<run>/eval/<time>``)."""
    path = Path(path)
    if (path / SUMMARY).is_file():
        return path
    found = sorted(path.rglob(SUMMARY), key=lambda p: p.stat().st_mtime)
    if not found:
        raise FileNotFoundError(f"no {SUMMARY} in or below {path} (run python -m src.evaluate first)")
    return found[-1].parent


def load_evaluation(eval_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(predictions, summary) of one evaluation folder; ``n_fields`` in the summary stays text (``all``)."""
    eval_dir = find_eval_dir(eval_dir)
    summary = pd.read_csv(eval_dir / SUMMARY, dtype={"n_fields": str})
    predictions = pd.read_parquet(eval_dir / PREDICTIONS)
    return predictions, summary


def overall_scores(summary: pd.DataFrame, keys=SCORE_KEYS) -> pd.DataFrame:
    """One row per split (its ``all`` row): n, the paper's scores, validity and truncation rates."""
    extra = [c for c in ("validity_rate", "truncated_rate") if c in summary.columns]
    cols = ["split", "n", *[k for k in keys if k in summary.columns], *extra]
    return summary[summary["n_fields"] == "all"][cols].set_index("split")


def score_table(summary: pd.DataFrame, metric: str = "S_lagrangian") -> pd.DataFrame:
    """``metric`` as split × number of fields (columns in numeric order, ``all`` last)."""
    from src.metrics.aggregate import split_by_fields

    splits, cols, value = split_by_fields(summary.to_dict("records"), metric)
    cells = [[value.get((s, c), float("nan")) for c in cols] for s in splits]
    return pd.DataFrame(cells, index=pd.Index(splits, name="split"), columns=pd.Index(cols, name="n_fields"))


def plot_scores_by_fields(summary: pd.DataFrame, metrics=("S_lagrangian", "perfect")):
    """One panel per metric: its mean against the number of fields, one line per split."""
    import matplotlib.pyplot as plt

    metrics = [m for m in metrics if m in summary.columns]
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.5), squeeze=False)
    per_nf = summary[summary["n_fields"] != "all"].assign(nf=lambda d: d["n_fields"].astype(int))
    for ax, metric in zip(axes[0], metrics):
        for split, part in per_nf.groupby("split", sort=False):
            part = part.sort_values("nf")
            ax.plot(part["nf"], part[metric], marker="o", label=split)
        ax.set(xlabel="number of fields", ylabel=metric, title=metric, ylim=(-0.02, 1.02))
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def worst_examples(predictions: pd.DataFrame, k: int = 5, metric: str = "S_lagrangian") -> pd.DataFrame:
    """The ``k`` lowest-scoring examples with their term diffs (ties: more fields first)."""
    cols = [
        "split",
        "row",
        "n_fields",
        metric,
        "n_true",
        "n_pred",
        "n_correct",
        "missing",
        "extra",
        "invalid",
    ]
    ranked = predictions.sort_values([metric, "n_fields"], ascending=[True, False])
    return ranked[[c for c in cols if c in predictions.columns]].head(k).reset_index(drop=True)


def class_table(predictions: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 per term class (micro-averaged, ``src.metrics.term_class``) for each split,
    from each example's target and scored prediction (re-scored with the paper's matching, seed 0)."""
    from src.metrics import score_lagrangian
    from src.metrics.term_class import class_report

    frames = []
    for split, part in predictions.groupby("split", sort=False):
        scores = [score_lagrangian(t, p) for t, p in zip(part["target"], part["prediction"])]
        report = pd.DataFrame(class_report(scores)).T
        frames.append(report.assign(split=split).rename_axis("term_class").reset_index())
    cols = ["split", "term_class", "precision", "recall", "f1", "n_correct", "n_true", "n_pred"]
    table = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    return table.astype({c: int for c in ("n_correct", "n_true", "n_pred")})


def invalid_reasons(predictions: pd.DataFrame) -> pd.DataFrame:
    """Invalid predicted terms counted per split, bin (grammar, incomplete, physics) and reason kind, from
    the ``invalid`` column (one ``term  <- bin: reason`` per line)."""
    from src.metrics.validity import reason_kind

    rows = []
    for split, text in zip(predictions["split"], predictions["invalid"]):
        for line in filter(None, (text or "").splitlines()):
            _, _, why = line.rpartition("  <- ")
            kind, _, reason = why.partition(": ")
            rows.append({"split": split, "bin": kind, "reason": reason_kind(reason)})
    cols = ["split", "bin", "reason"]
    if not rows:
        return pd.DataFrame(columns=[*cols, "count"])
    df = pd.DataFrame(rows)
    return df.value_counts(cols).rename("count").reset_index()


def plot_class_f1(table: pd.DataFrame):
    """F1 per term class, grouped bars per split (classes without true or predicted terms are blank)."""
    import matplotlib.pyplot as plt

    pivot = table.pivot(index="term_class", columns="split", values="f1")
    pivot = pivot.loc[[c for c in dict.fromkeys(table["term_class"]) if c in pivot.index]]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / max(len(pivot.columns), 1)
    for j, split in enumerate(dict.fromkeys(table["split"])):
        ax.bar(
            [i + j * width for i in range(len(pivot))], pivot[split].astype(float), width=width, label=split
        )
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(pivot))])
    ax.set_xticklabels([c.replace("_", "\n") for c in pivot.index], fontsize=7)
    ax.set(ylabel="F1", ylim=(0, 1.02), title="F1 per term class")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def canonical_id_share(texts) -> float:
    """Share of the terms (with IDs) of ``texts`` (space-separated words) whose IDs come as ID0, ID1, ... in
    order of appearance: ~1 for a model that writes canonical IDs, small for one that draws them as the
    paper's targets do (a random draw of n IDs is in that order with probability (10-n)!/10!)."""
    from src.tokens.grammar import ID_PATTERN, renumber_term_ids, split_at_term_signs

    with_ids = [
        t
        for text in texts
        for t in split_at_term_signs(str(text).split())
        if any(ID_PATTERN.fullmatch(w) for w in t)
    ]
    if not with_ids:
        return float("nan")
    return sum(renumber_term_ids(t) == t for t in with_ids) / len(with_ids)
