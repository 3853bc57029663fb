"""Evaluation metrics: pure functions over Lagrangians in the paper's token format.

``src.metrics.validity`` (oracle validity of predicted terms) and ``src.metrics.example`` are not imported
here, so that scoring does not depend on the token parser or the oracle.
"""

from .aggregate import (
    decoding_report,
    is_truncated,
    malformed_terms,
    mean_scores,
    mean_scores_by,
    output_rates,
)
from .paper_score import SCORE_KEYS, LagrangianScore, score_lagrangian, score_terms, to_terms
from .term_class import TERM_CLASSES, class_counts, class_report, classify_term
from .token_terms import TokenTerm, format_problem, split_terms

__all__ = [
    "SCORE_KEYS",
    "TERM_CLASSES",
    "LagrangianScore",
    "TokenTerm",
    "class_counts",
    "class_report",
    "classify_term",
    "format_problem",
    "decoding_report",
    "is_truncated",
    "malformed_terms",
    "mean_scores",
    "output_rates",
    "mean_scores_by",
    "score_lagrangian",
    "score_terms",
    "split_terms",
    "to_terms",
]
