"""Decoding: a trained model's predictions for dataset rows or field lists, and their scores.

- ``engine``: the one decoding engine (greedy lean loop or ``generate``, beams, constraints, ranks) and the
  scoring of its predictions;
- ``compose``: compositional decoding, the Lagrangian of any number of fields assembled from the model's
  answers on its sub-lists of at most four fields;
- ``decoder``: the ``Decoder`` value (built once from ``decode:``) every place that decodes goes through;
- ``options``: the engines and constraints it may name.
"""

from .decoder import Decoder
from .engine import (
    compare_with_oracle,
    decode_rows,
    fixed_subset,
    format_comparison,
    gather_shares,
    generate_shared,
    score_rows,
    summarize,
)
from .options import CONSTRAINTS, ENGINES

__all__ = [
    "CONSTRAINTS",
    "Decoder",
    "ENGINES",
    "compare_with_oracle",
    "fixed_subset",
    "format_comparison",
    "gather_shares",
    "decode_rows",
    "generate_shared",
    "score_rows",
    "summarize",
]
