"""Distributions of a generated dataset folder (``outputs/data/<name>/``, by ``python -m src.generate``):
rows per number of fields, term classes per split, and sequence lengths under each token scheme.

Lengths are counted in words without [SOS]/[EOS]. Targets are re-rendered from the rows' structured terms
with a seeded rng per row; out-of-distribution charge spellings (``2/4``) are not re-applied, which changes
no length by more than a word per charge.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd

from src.physics.terms import KINDS

SPLIT_ORDER = ("train", "val", "test", "ood_fields", "ood_hypercharge", "ood_reps", "benchmarks")
LENGTH_SCHEMES = ("paper", "field_refs", "opaque")


def load_splits(data_dir: str | Path) -> dict[str, pd.DataFrame]:
    """Every ``<split>.parquet`` of a dataset folder, standard splits first."""
    from src.data.tables import read_frame

    data_dir = Path(data_dir)
    names = sorted((p.stem for p in data_dir.glob("*.parquet")), key=_split_rank)
    if not names:
        raise FileNotFoundError(f"{data_dir} holds no <split>.parquet files")
    return {name: read_frame(data_dir / f"{name}.parquet") for name in names}


def dataset_basis(data_dir: str | Path) -> str:
    """The basis the dataset was generated in (``meta.json``), ``independent`` when unknown."""
    meta = Path(data_dir) / "meta.json"
    if not meta.is_file():
        return "independent"
    return json.loads(meta.read_text()).get("config", {}).get("basis", "independent")


def overview(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per split: rows, field-count range, mean terms, mean / max paper tokens, share with a trilinear."""
    rows = []
    for split, df in tables.items():
        rows.append(
            {
                "split": split,
                "rows": len(df),
                "min_fields": int(df["n_fields"].min()) if len(df) else None,
                "max_fields": int(df["n_fields"].max()) if len(df) else None,
                "mean_terms": float(df["n_terms"].mean()) if len(df) else None,
                "mean_tokens": float(df["n_tokens"].mean()) if len(df) else None,
                "max_tokens": int(df["n_tokens"].max()) if len(df) else None,
                "with_trilinear": float((df["n_trilinear"] > 0).mean()) if len(df) else None,
            }
        )
    return pd.DataFrame(rows).set_index("split")


def field_counts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows per number of fields: one row per split, one column per field count."""
    counts = {split: df["n_fields"].value_counts() for split, df in tables.items()}
    return pd.DataFrame(counts).T.fillna(0).astype(int).sort_index(axis=1)


def term_classes(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean number of terms of each class per Lagrangian: one row per split, one column per class."""
    return pd.DataFrame(
        {
            split: {k: float(df[f"n_{k}"].mean()) if len(df) else 0.0 for k in KINDS}
            for split, df in tables.items()
        }
    ).T


def token_lengths(
    tables: dict[str, pd.DataFrame],
    schemes=LENGTH_SCHEMES,
    basis: str = "independent",
    limit: int | None = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """Source and target lengths (words) of the first ``limit`` rows of each split under each scheme.

    Columns: scheme, split, n_fields, source, target. ``opaque`` is fitted on the field lists it encodes.
    """
    from src.data.rows import lagrangian_from_row
    from src.tokens import build_scheme

    rows = [(split, r) for split, df in tables.items() for r in df.head(limit).to_dict("records")]
    lags = [lagrangian_from_row(r, basis) for _, r in rows]
    out = []
    for name in schemes:
        scheme = build_scheme(name, seed=seed)
        scheme.fit([lag.fields for lag in lags])
        for k, ((split, r), lag) in enumerate(zip(rows, lags)):
            target = scheme.target_tokens(lag, random.Random(k))
            source = scheme.source_tokens(lag.fields)
            out.append(
                {
                    "scheme": name,
                    "split": split,
                    "n_fields": int(r["n_fields"]),
                    "source": len(source),
                    "target": len(target),
                }
            )
    return pd.DataFrame(out)


def length_summary(lengths: pd.DataFrame, side: str = "target") -> pd.DataFrame:
    """Mean / 95th percentile / max of ``side`` per scheme and number of fields."""
    grouped = lengths.groupby(["scheme", "n_fields"])[side]
    return grouped.agg(mean="mean", p95=lambda s: s.quantile(0.95), max="max").reset_index()


# --- figures ---------------------------------------------------------------------------------------------
def plot_field_counts(counts: pd.DataFrame):
    """Share of rows per number of fields, one line per split."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for split, row in counts.iterrows():
        total = max(int(row.sum()), 1)
        ax.plot(row.index, row.values / total, marker="o", label=split)
    ax.set(xlabel="number of fields", ylabel="share of rows", title="Field counts")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_term_classes(classes: pd.DataFrame):
    """Mean terms per Lagrangian of each class, grouped bars per split."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.5))
    width = 0.8 / max(len(classes), 1)
    for j, (split, row) in enumerate(classes.iterrows()):
        ax.bar([i + j * width for i in range(len(row))], row.values, width=width, label=split)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(classes.columns))])
    ax.set_xticklabels([c.replace("_", "\n") for c in classes.columns], fontsize=7)
    ax.set(ylabel="mean terms per Lagrangian", title="Term classes")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_token_lengths(lengths: pd.DataFrame, side: str = "target"):
    """Mean ``side`` length against the number of fields, one line per scheme (bars: min-max)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for scheme, part in lengths.groupby("scheme", sort=False):
        stats = part.groupby("n_fields")[side].agg(["mean", "min", "max"])
        err = [stats["mean"] - stats["min"], stats["max"] - stats["mean"]]
        ax.errorbar(stats.index, stats["mean"], yerr=err, marker="o", capsize=3, label=scheme)
    ax.set(xlabel="number of fields", ylabel=f"{side} length (words)", title=f"{side.capitalize()} lengths")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _split_rank(name: str):
    return (SPLIT_ORDER.index(name), name) if name in SPLIT_ORDER else (len(SPLIT_ORDER), name)
