"""Decoding: a trained model's predictions for dataset rows or field lists, and their scores.

- ``engine``: the one decoding engine (greedy lean loop or ``generate``, beams, constraints, ranks) and the
  scoring of its predictions;
- ``compose``: compositional decoding, the Lagrangian of any number of fields assembled from the model's
  answers on its sub-lists of at most four fields.
"""

from .decoder import Decoder
from .engine import (
    CONSTRAINTS,
    compare_with_oracle,
    fixed_subset,
    format_comparison,
    gather_shares,
    generate_rows,
    generate_shared,
    score_rows,
    summarize,
)

__all__ = [
    "CONSTRAINTS",
    "Decoder",
    "compare_with_oracle",
    "fixed_subset",
    "format_comparison",
    "gather_shares",
    "generate_rows",
    "generate_shared",
    "score_rows",
    "summarize",
]
