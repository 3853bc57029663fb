"""One generated example scored every way: the paper's score, oracle validity, truncation, a per-term diff.

The prediction is in the model's token scheme; the target in the paper's format (the dataset's
``lagrangian`` column). Paper-format schemes (``paper``, ``paper_canonical``) are scored on their raw words,
as the paper did; other schemes are read back by their parser and re-rendered in the paper's format first
(``scheme.to_paper_tokens``), so every scheme is scored with the same metric.
"""

from __future__ import annotations

from dataclasses import dataclass

from src.physics.fields import Field
from src.tokens.base import ParsedLagrangian

from .paper_score import LagrangianScore, score_lagrangian
from .validity import ValidityReport, report_from_parsed


def _writes_paper_words(scheme) -> bool:
    """The prediction is already in the paper's words (no scheme given: paper words)."""
    return scheme is None or scheme.writes_paper_words


@dataclass
class ExampleResult:
    score: LagrangianScore
    validity: ValidityReport
    truncated: bool
    prediction_paper: list[str]  # the prediction in the paper's format (what was scored)
    exact: LagrangianScore | None = None  # the same prediction under exact matching (paper_score docstring)
    prediction: tuple[str, ...] = ()  # the model's own words (a collapsed model writes one for every input)

    def diff(self) -> dict[str, str]:
        """Per-term diff as text, one term per line: missing (true, unmatched), extra (predicted, unmatched),
        invalid (predicted terms the parser or the oracle rejects, with the reason)."""
        return {
            "missing": "\n".join(self.score.missing),
            "extra": "\n".join(self.score.extra),
            "invalid": "\n".join(f"{t}  <- {b}: {r}" for t, b, r in self.validity.invalid),
        }


def score_prediction(
    target: list[str] | str,
    prediction: list[str],
    fields: list[Field],
    scheme=None,
    max_new_tokens: int | None = None,
    seed: int = 0,
    verified: bool = False,
    spelling: dict | None = None,
) -> ExampleResult:
    """Score one prediction (``scheme``'s words, without specials) against a paper-format target.

    ``scheme`` None means the paper format. Truncated: the parser saw the output stop inside a term, or the
    output filled ``max_new_tokens`` (no room was left for [EOS]). ``verified``: score only the predicted
    terms that the parser and the oracle accept (oracle-verified decoding); validity is still that
    of the whole prediction. ``spelling``: the row's out-of-distribution charge spellings (``U1 2 / 4``),
    applied to re-rendered words so that they are written like the target; raw paper words stay as written.
    """
    if scheme is None:
        from src.tokens.paper import parse_lagrangian

        parsed = parse_lagrangian(list(prediction), fields)
    else:
        parsed = scheme.parse_target(list(prediction), fields)
    paper_words = _paper_words(prediction, parsed, fields, scheme, verified, spelling)
    cut = max_new_tokens is not None and len(prediction) >= max_new_tokens
    return ExampleResult(
        score=score_lagrangian(target, paper_words, seed=seed),
        validity=report_from_parsed(parsed),
        truncated=bool(parsed.truncated or cut),
        prediction_paper=paper_words,
        exact=score_lagrangian(target, paper_words, seed=seed, matching="exact"),
        prediction=tuple(prediction),
    )


def _paper_words(prediction, parsed: ParsedLagrangian, fields, scheme, verified: bool, spelling) -> list[str]:
    """The words to score: raw paper words as written, or the scheme's output re-rendered (with the row's
    charge spellings); only valid terms if ``verified``."""
    raw = _writes_paper_words(scheme)
    if not verified:
        return list(prediction) if raw else scheme.to_paper_tokens(parsed, fields, spelling)
    kept = [t for t in parsed.terms if t.valid]
    if raw:
        return [w for t in kept for w in t.tokens]
    return scheme.to_paper_tokens(ParsedLagrangian(kept, parsed.truncated), fields, spelling)
