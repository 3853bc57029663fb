"""Means of Lagrangian scores over a set, sliced by any key, and decoding diagnostics (truncation, parse
failures).

``mean_scores`` averages S_lagrangian, S_contraction, P_length, S_object and the perfect fraction over
Lagrangians (each Lagrangian weighs the same, as in the paper); ``mean_scores_by`` does so per value of a
key such as the number of fields or the split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence

from .paper_score import SCORE_KEYS, LagrangianScore, to_terms
from .token_terms import format_problem
from .validity import validity_rate


def split_by_fields(summary: Iterable[dict], metric: str) -> tuple[list, list, dict]:
    """``metric`` of summary rows (``split``, ``n_fields``: a count or ``"all"``, ``metric``) as a split ×
    number-of-fields grid: (the splits in order of appearance, the field counts in numeric order with
    ``all`` last, ``{(split, n_fields): value}`` for the cells that exist)."""
    rows = list(summary)
    splits = list(dict.fromkeys(r["split"] for r in rows))
    counts = sorted({r["n_fields"] for r in rows if r["n_fields"] != "all"}, key=int)
    overall = ["all"] if any(r["n_fields"] == "all" for r in rows) else []
    cells: dict = {}
    for r in rows:
        cell = (r["split"], r["n_fields"])
        if cell in cells:
            raise ValueError(f"two summary rows for split {cell[0]!r}, n_fields {cell[1]!r}")
        cells[cell] = r[metric]
    return splits, counts + overall, cells


def mean_scores(scores: Iterable[LagrangianScore]) -> dict[str, float]:
    """{S_lagrangian, S_contraction, P_length, S_object, perfect: means; n: count}; NaN for no scores."""
    scores = list(scores)
    n = len(scores)
    out = {k: (sum(float(getattr(s, k)) for s in scores) / n if n else float("nan")) for k in SCORE_KEYS}
    out["n"] = n
    return out


def mean_scores_by(scores: Sequence[LagrangianScore], keys: Sequence[Hashable]) -> dict[Hashable, dict]:
    """``mean_scores`` per key value (e.g. keys = number of fields of each example), sorted by key."""
    if len(scores) != len(keys):
        raise ValueError(f"{len(scores)} scores but {len(keys)} keys")
    groups: dict[Hashable, list[LagrangianScore]] = defaultdict(list)
    for s, k in zip(scores, keys):
        groups[k].append(s)
    return {k: mean_scores(groups[k]) for k in sorted(groups, key=lambda k: (str(type(k)), k))}


def output_rates(n_valid_terms: int, n_predicted_terms: int, truncated: Sequence[bool]) -> dict[str, float]:
    """The two rates every summary of decoded Lagrangians reports: ``validity_rate``, the share of the
    predicted terms that are invariant (nan when none was predicted), and ``truncated_rate``, the share of
    answers cut by the token limit."""
    return {
        "validity_rate": validity_rate(n_valid_terms, n_predicted_terms),
        "truncated_rate": sum(map(bool, truncated)) / max(len(truncated), 1),
    }


def is_truncated(tokens: Sequence[str], max_length: int | None = None) -> bool:
    """A generated sequence was cut: no ``[EOS]``, or ``max_length`` words reached without ending."""
    if "[EOS]" not in tokens:
        return True
    return max_length is not None and len(tokens) >= max_length and tokens[-1] != "[EOS]"


def malformed_terms(tokens: Sequence[str] | str) -> list[tuple[str, str]]:
    """(term text, reason) for every term of a Lagrangian that breaks the token grammar."""
    out = []
    for term in to_terms(tokens):
        problem = format_problem(term)
        if problem is not None:
            out.append((term.text, problem))
    return out


def decoding_report(predictions: Sequence[Sequence[str]], max_length: int | None = None) -> dict[str, float]:
    """Counts over raw generated sequences (special words kept): truncated, with a malformed term, empty."""
    n = len(predictions)
    truncated = sum(is_truncated(p, max_length) for p in predictions)
    malformed = sum(bool(malformed_terms(p)) for p in predictions)
    empty = sum(not to_terms(p) for p in predictions)
    return {
        "n": n,
        "n_truncated": truncated,
        "n_parse_failures": malformed,
        "n_empty": empty,
        "truncated_rate": truncated / n if n else float("nan"),
        "parse_failure_rate": malformed / n if n else float("nan"),
    }
