"""Oracle validity of predicted terms: how many of a model's terms are well formed *and* physically allowed.

Each predicted term is read back with the token scheme's parser (``src.tokens.paper.parse_lagrangian`` for
the paper format), which checks the grammar and then asks the oracle's ``verify_term`` (U(1) conservation,
SU(3), SU(2) and Lorentz singlets, dangling or reused indices, mass dimension, vanishing terms, fields not in
the input).
A term falls in one of three bins:

* ``valid``: parsed and verified;
* ``grammar``: the tokens do not form a term of the format (``incomplete`` when the output stopped inside it);
* ``physics``: a well-formed term the oracle rejects.

validity rate = valid terms / predicted terms (micro average over Lagrangians).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from src.physics.fields import Field
from src.tokens.base import ParsedLagrangian, ParsedTerm

Parser = Callable[[list[str], list[Field]], ParsedLagrangian]


def _paper_parser() -> Parser:
    from src.tokens.paper import parse_lagrangian  # imported late: scoring itself never needs the parser

    return parse_lagrangian


def reason_kind(reason: str) -> str:
    """A countable reason: the oracle's code when the reason starts with one (``u1_not_conserved (…)``),
    otherwise the text with its specifics (positions, quoted words, numbers) blanked."""
    code = re.match(r"([a-z][a-z0-9_]*)(?: \(|$)", reason)
    if code:
        return code.group(1)
    text = re.sub(r"'[^']*'", "'…'", reason)
    text = re.sub(r"\bat \d+\b", "", text)
    text = re.sub(r"-?\d+(/\d+)?", "N", text)
    return re.sub(r"\s+", " ", text).strip()


def term_bin(parsed: ParsedTerm) -> str:
    """``valid``, ``incomplete``, ``grammar`` or ``physics`` (see the module docstring)."""
    if parsed.valid:
        return "valid"
    if parsed.term is None:
        return "incomplete" if (parsed.reason or "").startswith("incomplete") else "grammar"
    return "physics"


def validity_rate(n_valid: int, n_terms: int) -> float:
    """The share of predicted terms that are valid; nan when no term was predicted."""
    return n_valid / n_terms if n_terms else float("nan")


@dataclass
class ValidityReport:
    """Counts of predicted terms per bin and per reason, plus the invalid terms themselves."""

    n_terms: int = 0
    bins: Counter = field(default_factory=Counter)
    reasons: Counter = field(default_factory=Counter)  # (bin, reason kind) -> count
    invalid: list[tuple[str, str, str]] = field(default_factory=list)  # (term text, bin, reason)
    truncated: int = 0  # Lagrangians whose last term was cut

    @property
    def n_valid(self) -> int:
        return self.bins["valid"]

    @property
    def rate(self) -> float:
        return validity_rate(self.n_valid, self.n_terms)

    def __add__(self, other: ValidityReport) -> ValidityReport:
        return ValidityReport(
            self.n_terms + other.n_terms,
            self.bins + other.bins,
            self.reasons + other.reasons,
            self.invalid + other.invalid,
            self.truncated + other.truncated,
        )

    def summary(self) -> dict:
        """Flat numbers for logging: validity rate, counts per bin and the most frequent reasons."""
        out = {"validity_rate": self.rate, "n_terms": self.n_terms, "n_truncated": self.truncated}
        out.update({f"n_{b}": self.bins[b] for b in ("valid", "grammar", "incomplete", "physics")})
        out["top_reasons"] = [
            {"bin": b, "reason": r, "count": n} for (b, r), n in self.reasons.most_common(10)
        ]
        return out


def report_from_parsed(parsed: ParsedLagrangian) -> ValidityReport:
    """The validity report of terms already read back by a scheme's parser."""
    report = ValidityReport(n_terms=len(parsed.terms), truncated=int(parsed.truncated))
    for term in parsed.terms:
        b = term_bin(term)
        report.bins[b] += 1
        if b != "valid":
            reason = term.reason or "invalid"
            report.reasons[(b, reason_kind(reason))] += 1
            report.invalid.append((" ".join(term.tokens), b, reason))
    return report


def validity(tokens: list[str] | str, fields: list[Field], parser: Parser | None = None) -> ValidityReport:
    """Validity of every predicted term of one Lagrangian, for the input ``fields``."""
    words = tokens.split() if isinstance(tokens, str) else list(tokens)
    return report_from_parsed((parser or _paper_parser())(words, fields))


def validity_over(
    predictions: Iterable[list[str] | str], fields: Iterable[list[Field]], parser: Parser | None = None
) -> ValidityReport:
    """The summed report over many (prediction, input fields) pairs."""
    total = ValidityReport()
    for tokens, f in zip(predictions, fields, strict=True):
        total = total + validity(tokens, f, parser)
    return total
