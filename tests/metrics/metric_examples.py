"""Test data: the literal Lagrangians of paper.md §4.4 and helpers that rewrite a Lagrangian without
changing it."""

from __future__ import annotations

import random

from src.metrics.token_terms import CONTRACTIONS, ID_TOKENS, TERM_STARTERS, split_objects, split_terms

# paper.md §4.4 (b): the released model's output for one Higgs doublet, 193 tokens, 6 terms.
HIGGS = (
    "+ FIELD SPIN 0 SU2 2 U1 1 ID4 FIELD SPIN 0 SU2 2 U1 1 ID7 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID0 "
    "FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID9 CONTRACTIONS SU2 ID4 ID0 SU2 ID7 ID9 "
    "+ FIELD SPIN 0 SU2 2 U1 1 ID6 FIELD SPIN 0 SU2 2 U1 1 ID4 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID2 "
    "FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID0 CONTRACTIONS SU2 ID6 ID4 SU2 ID2 ID0 "
    "+ DERIVATIVE SU2 U1 ID6 FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID7 DERIVATIVE SU2 U1 ID0 "
    "FIELD SPIN 0 SU2 2 U1 1 ID4 CONTRACTIONS LORENTZ ID6 ID0 SU2 ID7 ID4 "
    "- COMMUTATOR_A DERIVATIVE SU2 ID6 COMMUTATOR_B DERIVATIVE SU2 ID0 COMMUTATOR_A DERIVATIVE SU2 ID4 "
    "COMMUTATOR_B DERIVATIVE SU2 ID1 CONTRACTIONS LORENTZ ID6 ID4 LORENTZ ID0 ID1 "
    "- COMMUTATOR_A DERIVATIVE U1 ID6 COMMUTATOR_B DERIVATIVE U1 ID0 COMMUTATOR_A DERIVATIVE U1 ID4 "
    "COMMUTATOR_B DERIVATIVE U1 ID1 CONTRACTIONS LORENTZ ID6 ID4 LORENTZ ID0 ID1 "
    "+ FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID6 FIELD SPIN 0 SU2 2 U1 1 ID7 CONTRACTIONS SU2 ID6 ID7"
)
HIGGS_CLASSES = [
    "scalar_quartic",
    "scalar_quartic",
    "scalar_kinetic",
    "gauge_kinetic",
    "gauge_kinetic",
    "scalar_mass",
]

# paper.md §4.4 (c): a real singlet, 59 tokens: no block on the interactions, a bare block on the mass term.
SINGLET = (
    "+ FIELD SPIN 0 ID2 FIELD SPIN 0 ID3 FIELD SPIN 0 ID8 "
    "+ FIELD SPIN 0 ID1 FIELD SPIN 0 ID5 FIELD SPIN 0 ID7 FIELD SPIN 0 ID0 "
    "+ DERIVATIVE ID5 FIELD SPIN 0 DAGGER ID8 DERIVATIVE ID3 FIELD SPIN 0 ID7 CONTRACTIONS LORENTZ ID5 ID3 "
    "+ FIELD SPIN 0 DAGGER ID9 FIELD SPIN 0 ID2 CONTRACTIONS"
)
SINGLET_CLASSES = ["scalar_trilinear", "scalar_quartic", "scalar_kinetic", "scalar_mass"]

# paper.md §4.4 (d): a 3̄ field (ID8) sits twice in one SU(3) ε; an SU(2) triplet sits in two ε's.
SU3_QUARTIC = (
    "+ FIELD SPIN 0 SU2 3 U1 - 1 ID5 FIELD SPIN 0 SU2 3 U1 1 DAGGER ID0 FIELD SPIN 0 SU3 - 3 U1 9 ID8 "
    "FIELD SPIN 0 SU3 3 U1 - 9 DAGGER ID1 CONTRACTIONS SU3 ID8 ID8 ID1 SU2 ID5 ID0 SU2 ID5 ID0"
)

# Terms written from the templates of paper.md §3 (a lepton doublet L, a right-handed singlet e, a Higgs H).
YUKAWA = (
    "+ FIELD SPIN 1 / 2 SU2 2 U1 - 1 HEL - 1 / 2 ID3 FIELD SPIN 1 / 2 U1 2 HEL - 1 / 2 DAGGER ID1 "
    "FIELD SPIN 0 SU2 2 U1 - 1 ID5 CONTRACTIONS LORENTZ ID3 ID1 SU2 ID3 ID5"
)
FERMION_KINETIC = (
    "+ i FIELD SPIN 1 / 2 U1 2 HEL 1 / 2 ID2 SIGMA_BAR ID5 DERIVATIVE U1 ID7 "
    "FIELD SPIN 1 / 2 U1 - 2 HEL - 1 / 2 DAGGER ID0 CONTRACTIONS LORENTZ ID5 ID7 LORENTZ ID5 ID2 ID0"
)
FERMION_MASS = (
    "- FIELD SPIN 1 / 2 HEL - 1 / 2 ID1 FIELD SPIN 1 / 2 HEL - 1 / 2 ID4 CONTRACTIONS LORENTZ ID1 ID4"
)


S = "FIELD SPIN 0 SU3 3 SU2 2 U1 1"
S_BAR = "FIELD SPIN 0 SU3 - 3 SU2 2 U1 - 1 DAGGER"
# S S S† S†: colour pairs (S1 S1†)(S2 S2†); isospin pairs either the same way or crossed
DIAGONAL = (
    f"+ {S} ID1 {S} ID2 {S_BAR} ID3 {S_BAR} ID4 CONTRACTIONS SU3 ID1 ID3 SU3 ID2 ID4 SU2 ID1 ID3 SU2 ID2 ID4"
)
CROSSED = (
    f"+ {S} ID1 {S} ID2 {S_BAR} ID3 {S_BAR} ID4 CONTRACTIONS SU3 ID1 ID3 SU3 ID2 ID4 SU2 ID1 ID4 SU2 ID2 ID3"
)


def relabel_ids(tokens: list[str], rng: random.Random) -> list[str]:
    """Map the IDs of one term injectively onto random IDs (what a fresh rendering of the term would do)."""
    ids = list(dict.fromkeys(w for w in tokens if w in ID_TOKENS))
    new = dict(zip(ids, rng.sample(sorted(ID_TOKENS), len(ids))))
    return [new.get(w, w) for w in tokens]


def shuffle_objects(tokens: list[str], rng: random.Random) -> list[str]:
    """Permute the objects between the sign and the block, a term starter first so the term still splits."""
    objects, _ = split_objects(tuple(tokens))
    head, body = objects[:1], list(objects[1:])
    tail = [body.pop()] if body and body[-1][0] == CONTRACTIONS else []
    for _ in range(20):
        rng.shuffle(body)
        if body[0][0] in TERM_STARTERS:
            break
    else:
        body = list(objects[1 : len(objects) - len(tail)])
    return [w for obj in (*head, *body, *tail) for w in obj]


def rewrite(lagrangian: str, rng: random.Random, objects: bool = True) -> str:
    """The same Lagrangian: terms in random order, fresh IDs, and (optionally) objects shuffled in terms."""
    terms = split_terms(lagrangian)
    rng.shuffle(terms)
    out = []
    for t in terms:
        t = relabel_ids(t, rng)
        out.append(" ".join(shuffle_objects(t, rng) if objects else t))
    return " ".join(out)
