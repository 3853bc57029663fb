"""The paper's order-invariant Lagrangian score (paper.md §6), re-implemented from its description.

With N_true true terms, N_pred predicted terms, N_correct true terms matched by exactly one prediction and
N_correct_objects true terms with at least one prediction carrying the same objects::

    S_contraction = N_correct / N_true
    P_length      = max(0, N_pred - N_true) / N_true        # only extra terms are penalised
    S_lagrangian  = S_contraction - P_length                 # in (-inf, 1]; 1 = perfect
    S_object      = N_correct_objects / N_true

Matching: a (true, predicted) pair is a candidate when both terms have the same number of tokens; it is an
object match when their sorted ID-less objects agree, and a full match when, in addition, the true term's
block is readable and the ID-agnostic contractions agree. A true term with several full matches keeps those
whose contracted objects also sit at the same positions (``check_pos``); then candidates that are the unique
match of another true term are dropped, and of the rest the last one is kept.

Where the paper's code would stop with an error or count one prediction twice, this version decides
deterministically instead: an ambiguous true term keeps the last candidate not claimed by another, and a
predicted term is credited to at most one true term (in the order of the sorted true-term texts). Duplicate
predicted terms get fresh random IDs from a seeded rng, as in the paper; matching ignores IDs, so this only
keeps the listed terms distinct.

``matching="exact"`` (not in the paper) replaces the ID-agnostic signature by exact equivalence
(``token_terms.same_structure``: some mapping of objects onto equal objects maps entry onto entry). The
paper's signature forgets which copy of a repeated object sits in which entry, so it can credit a
predicted term with a different contraction pattern; and when two true terms share a signature it falls
back on object positions, so object order inside a term starts to matter. The exact rule has neither
problem and never uses positions.

Example::

    >>> s = score_lagrangian("+ FIELD SPIN 0 ID1 FIELD SPIN 0 DAGGER ID2 CONTRACTIONS",
    ...                      "+ FIELD SPIN 0 ID5 FIELD SPIN 0 DAGGER ID0 CONTRACTIONS")
    >>> s.S_lagrangian, s.perfect
    (1.0, True)
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import asdict, dataclass, field

from .token_terms import ID_TOKENS, TokenTerm, same_contractions, split_terms

SCORE_KEYS = ("S_lagrangian", "S_contraction", "P_length", "S_object", "perfect")
MATCHINGS = ("paper", "exact")
_ALL_IDS = tuple(sorted(ID_TOKENS))


@dataclass
class LagrangianScore:
    """Scores of one predicted Lagrangian against its target, with the term lists behind them."""

    S_lagrangian: float
    S_contraction: float
    P_length: float
    S_object: float
    perfect: bool
    n_true: int
    n_pred: int
    n_correct: int
    n_correct_objects: int
    matched: list[tuple[str, str]] = field(default_factory=list)  # (true term, predicted term)
    missing: list[str] = field(default_factory=list)  # true terms without a unique full match
    extra: list[str] = field(default_factory=list)  # predicted terms credited to no true term

    def scores(self) -> dict[str, float]:
        return {k: float(getattr(self, k)) for k in SCORE_KEYS}

    def to_dict(self) -> dict:
        return asdict(self)


def relabel(term: TokenTerm, rng: random.Random) -> TokenTerm:
    """The same term with its IDs mapped injectively onto IDs drawn at random (same structure, new labels)."""
    ids = list(dict.fromkeys(w for w in term.tokens if w in ID_TOKENS))
    new = dict(zip(ids, rng.sample(_ALL_IDS, len(ids))))
    return TokenTerm(tuple(new.get(w, w) for w in term.tokens))


def relabel_duplicates(terms: list[TokenTerm], rng: random.Random, tries: int = 50) -> list[TokenTerm]:
    """Give every copy of a repeated term fresh IDs so all texts differ (ID-less terms stay as they are).

    Once every labelling of a term's shape is taken (a term with k IDs has 10!/(10-k)! of them), further
    copies keep a random labelling without retrying: a line with many copies of one short term stays linear.
    """
    counts = Counter(terms)
    seen = {t for t, n in counts.items() if n == 1}
    used: Counter = Counter(_shape(t) for t in seen)
    out = []
    for t in terms:
        if counts[t] == 1:
            out.append(t)
            continue
        shape = _shape(t)
        new = t
        exhausted = used[shape] >= math.perm(len(_ALL_IDS), shape[1])
        for _ in range(1 if exhausted else tries):
            new = relabel(t, rng)
            if new not in seen:
                break
        if new not in seen:
            used[shape] += 1
        seen.add(new)
        out.append(new)
    return out


def _shape(term: TokenTerm) -> tuple[tuple[str, ...], int]:
    """The term with its IDs replaced by their order of first appearance, and its number of distinct IDs."""
    order: dict[str, str] = {}
    words = tuple(order.setdefault(w, f"#{len(order)}") if w in ID_TOKENS else w for w in term.tokens)
    return words, len(order)


def _block_key(term: TokenTerm):
    """A hashable key: ``same_contractions(a, b)`` holds exactly when the keys are equal and not None (the
    paper's rule, not ``exact``); unreadable blocks get None and match nothing."""
    if not term.has_block:
        return ("none",)
    if term.bare_block:
        return ("bare",)
    return _signature_key(term.contraction_signature())


def _positional_key(term: TokenTerm):
    """With ``_block_key``, the key of ``same_contractions(a, b, positional=True)``: the positional signature
    (None where the block key alone decides: no block, a bare one, an unreadable one)."""
    if not term.has_block or term.bare_block:
        return None
    return _signature_key(term.contraction_signature(positional=True))


def _signature_key(sig: dict | None):
    if sig is None:
        return None
    return ("sig", tuple(sorted(sig.items())))


def _full_matches(
    true_terms: list[TokenTerm], pred_terms: list[TokenTerm], exact: bool = False
) -> tuple[list[list[int]], set[int]]:
    """Per true term the predicted indices that fully match it, and the true indices with an object match.

    Predictions are grouped by hashable keys (length and ID-less objects; then the contraction signature, then
    the positional one), so a long Lagrangian costs linear time; true terms with the same key share one list.
    """
    by_key: dict[tuple, list[int]] = {}  # candidates share the length and the ID-less objects
    by_block: dict[tuple, list[int]] = {}
    by_position: dict[tuple, list[int]] = {}
    for p, pt in enumerate(pred_terms):
        key = (len(pt), pt.object_key)
        by_key.setdefault(key, []).append(p)
        if not exact and (block := _block_key(pt)) is not None:
            by_block.setdefault((*key, block), []).append(p)
            by_position.setdefault((*key, block, _positional_key(pt)), []).append(p)
    cands: list[list[int]] = []
    object_hits: set[int] = set()
    for t, tt in enumerate(true_terms):
        key = (len(tt), tt.object_key)
        if by_key.get(key):
            object_hits.add(t)
        if not tt.good_contraction:
            hits: list[int] = []
        elif exact:
            hits = [p for p in by_key.get(key, []) if same_contractions(tt, pred_terms[p], exact=True)]
        else:
            block = _block_key(tt)
            hits = by_block.get((*key, block), []) if block is not None else []
            if len(hits) > 1:  # ambiguity: contracted objects must also sit at the same positions
                hits = by_position.get((*key, block, _positional_key(tt)), [])
        cands.append(hits)
    return cands, object_hits


def _resolve(true_terms: list[TokenTerm], cands: list[list[int]]) -> list[int | None]:
    """One predicted index (or None) per true term, never the same prediction for two true terms.

    In the order of the sorted true-term texts, a true term with several candidates keeps the last one that
    is not the single candidate of another true term. Candidate lists may be shared between true terms and
    are not changed; a prediction once claimed stays claimed, so each shared list is scanned from its end
    only once.
    """
    order = sorted(range(len(true_terms)), key=lambda t: (true_terms[t].text, t))
    single = Counter(c[0] for c in cands if len(c) == 1)
    cursor: dict[int, int] = {}  # id(list) -> index of its last element not yet known to be claimed
    reduced: list[list[int]] = list(cands)
    for t in order:
        lst = cands[t]
        if len(lst) > 1:
            k = cursor.get(id(lst), len(lst) - 1)
            while k >= 0 and single[lst[k]] > 0:
                k -= 1
            cursor[id(lst)] = k
            reduced[t] = [lst[k]] if k >= 0 else []
            if k >= 0:
                single[lst[k]] += 1
    chosen: list[int | None] = [None] * len(true_terms)
    used: set[int] = set()
    for t in order:
        if len(reduced[t]) == 1 and reduced[t][0] not in used:
            chosen[t] = reduced[t][0]
            used.add(reduced[t][0])
    return chosen


def score_terms(
    true_terms: list[TokenTerm], pred_terms: list[TokenTerm], seed: int = 0, matching: str = "paper"
) -> LagrangianScore:
    """Score already split terms (see the module docstring). ``seed`` drives the relabelling of duplicates;
    ``matching`` is ``paper`` or ``exact``."""
    if matching not in MATCHINGS:
        raise ValueError(f"matching must be one of {MATCHINGS}, not {matching!r}")
    pred_terms = relabel_duplicates(list(pred_terms), random.Random(seed))
    cands, object_hits = _full_matches(true_terms, pred_terms, exact=matching == "exact")
    chosen = _resolve(true_terms, cands)
    n_true, n_pred = len(true_terms), len(pred_terms)
    n_correct = sum(p is not None for p in chosen)
    if n_true:
        s_contraction, s_object = n_correct / n_true, len(object_hits) / n_true
        p_length = max(0, n_pred - n_true) / n_true
    else:  # an empty target: nothing to find, every prediction is extra
        s_contraction, s_object, p_length = 1.0, 1.0, float(n_pred)
    used = {p for p in chosen if p is not None}
    return LagrangianScore(
        S_lagrangian=s_contraction - p_length,
        S_contraction=s_contraction,
        P_length=p_length,
        S_object=s_object,
        perfect=s_contraction - p_length == 1.0,
        n_true=n_true,
        n_pred=n_pred,
        n_correct=n_correct,
        n_correct_objects=len(object_hits),
        matched=[(true_terms[t].text, pred_terms[p].text) for t, p in enumerate(chosen) if p is not None],
        missing=[true_terms[t].text for t, p in enumerate(chosen) if p is None],
        extra=[pt.text for p, pt in enumerate(pred_terms) if p not in used],
    )


def to_terms(tokens: list[str] | str) -> list[TokenTerm]:
    """A Lagrangian (words or text, optional [SOS]/[EOS]/[PAD]) as its list of terms."""
    return [TokenTerm(tuple(t)) for t in split_terms(tokens)]


def score_lagrangian(
    target: list[str] | str, prediction: list[str] | str, seed: int = 0, matching: str = "paper"
) -> LagrangianScore:
    """Score one predicted Lagrangian against its target, both in the paper's token format."""
    return score_terms(to_terms(target), to_terms(prediction), seed=seed, matching=matching)
