"""Terms and Lagrangians as plain data: which fields, conjugated or not, and how their indices contract.

A ``Term`` never stores token IDs: token schemes assign IDs when they render. Contractions are
ε-tensors (interactions) or δ-pairings (kinetic and 2-field terms); each entry lists the *factor slots*
(indices into ``Term.factors``) whose fundamental indices it contracts, e.g. ``Contraction("SU3", (0, 0, 1))``
is ε_{ijk} A^{ij} B^k for a 3̄ in slot 0 and a 3 in slot 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache

from .fields import Field

# Term classes by the paper's sections, in the order its Lagrangians list them:
# interactions, kinetic, gauge kinetic, masses
INTERACTION_KINDS = ("scalar_trilinear", "scalar_quartic", "yukawa")
MATTER_KINETIC_KINDS = ("scalar_kinetic", "fermion_kinetic")
GAUGE_KINETIC_KINDS = ("gauge_kinetic",)
MASS_KINDS = ("scalar_mass", "fermion_mass")
SECTIONS = (INTERACTION_KINDS, MATTER_KINETIC_KINDS, GAUGE_KINETIC_KINDS, MASS_KINDS)
SECTION_OF = {k: i for i, kinds in enumerate(SECTIONS) for k in kinds}
KINETIC_KINDS = MATTER_KINETIC_KINDS + GAUGE_KINETIC_KINDS  # terms with derivatives
# All term classes, in the order the JSON contract lists them
KINDS = MASS_KINDS + INTERACTION_KINDS + KINETIC_KINDS
# The kind of a term without derivatives, by its numbers of (scalar, fermion) factors
KIND_BY_FACTORS = {
    (2, 0): "scalar_mass",
    (3, 0): "scalar_trilinear",
    (4, 0): "scalar_quartic",
    (0, 2): "fermion_mass",
    (1, 2): "yukawa",
}
# The kind of a matter kinetic term (derivatives on its factors), by its numbers of (scalar, fermion) factors
KINETIC_BY_FACTORS = {
    (2, 0): "scalar_kinetic",
    (0, 2): "fermion_kinetic",
}
# (number of scalars, number of fermions) of each kind with matter factors (all but gauge_kinetic)
FACTORS_OF_KIND = {kind: n for table in (KIND_BY_FACTORS, KINETIC_BY_FACTORS) for n, kind in table.items()}
GROUPS = ("LORENTZ", "SU3", "SU2")  # contraction entries come in this order
GAUGE_GROUPS = ("SU3", "SU2", "U1")  # a derivative names the groups acting on its field, in this order


@dataclass(frozen=True, order=True)
class Factor:
    """A field occurrence: ``field`` indexes the Lagrangian's field list; ``conjugate`` when daggered."""

    field: int
    conjugate: bool = False


@dataclass(frozen=True, order=True)
class Contraction:
    """One invariant tensor: ``group`` in GROUPS; ``slots`` index the term's factors (repeats allowed).

    ``boxes`` (optional, parallel to ``slots``): which box of its factor's Young diagram each slot's index
    fills, numbered column-major. Without it the k-th occurrence of a factor among the group's entries takes
    its k-th box. The oracle records it where the choice matters (SU(3) 8 and 6̄); it takes no part in
    comparisons: two entries with the same slots are the same entry of a token sequence.
    """

    group: str
    slots: tuple[int, ...]
    boxes: tuple[int, ...] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Term:
    """One term of a Lagrangian.

    * interactions and masses: ``factors`` are the fields, ``contractions`` the ε/δ entries;
    * scalar_kinetic: factors (φ†, φ); fermion_kinetic: factors (right-handed object, left-handed object);
      the derivative (and σ̄) are implied by the kind;
    * gauge_kinetic: no factors, ``group`` names the gauge group (SU3, SU2 or U1).
    """

    kind: str
    factors: tuple[Factor, ...] = ()
    contractions: tuple[Contraction, ...] = ()
    group: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown term kind {self.kind!r}")

    @property
    def n_fields(self) -> int:
        return len(self.factors)

    def multiset(self) -> tuple[Factor, ...]:
        return tuple(sorted(self.factors))

    def to_json(self) -> dict:
        d = {
            "kind": self.kind,
            "factors": [{"field": f.field, "conjugate": f.conjugate} for f in self.factors],
            "contractions": [_contraction_json(c) for c in self.contractions],
        }
        if self.group is not None:
            d["group"] = self.group
        return d

    @classmethod
    def from_json(cls, d: dict) -> Term:
        return cls(
            kind=d["kind"],
            factors=tuple(Factor(int(f["field"]), bool(f["conjugate"])) for f in d.get("factors", [])),
            contractions=tuple(
                Contraction(c["group"], tuple(c["slots"]), tuple(c["boxes"]) if "boxes" in c else None)
                for c in d.get("contractions", [])
            ),
            group=d.get("group"),
        )


def terms_json(terms: list[Term]) -> str:
    """``json.dumps([t.to_json() for t in terms], separators=(",", ":"))``, the same text, written directly
    (the datasets' ``terms`` column; a test holds the two equal)."""
    return "[" + ",".join(_term_text(t) for t in terms) + "]"


def _term_text(t: Term) -> str:
    factors = ",".join(_FACTOR_TEXT[f.conjugate] % f.field for f in t.factors)
    contractions = ",".join(_contraction_text(c.group, c.slots, c.boxes) for c in t.contractions)
    group = "" if t.group is None else f',"group":"{t.group}"'
    return f'{{"kind":"{t.kind}","factors":[{factors}],"contractions":[{contractions}]{group}}}'


_FACTOR_TEXT = ('{"field":%d,"conjugate":false}', '{"field":%d,"conjugate":true}')


@cache
def _contraction_text(group: str, slots: tuple[int, ...], boxes: tuple[int, ...] | None) -> str:
    return json.dumps(_contraction_json(Contraction(group, slots, boxes)), separators=(",", ":"))


def _contraction_json(c: Contraction) -> dict:
    d: dict = {"group": c.group, "slots": list(c.slots)}
    if c.boxes is not None:
        d["boxes"] = list(c.boxes)
    return d


@dataclass
class Lagrangian:
    """Fields in input order plus terms in canonical order: interactions, kinetic, gauge kinetic, masses."""

    fields: list[Field]
    terms: list[Term] = field(default_factory=list)
    basis: str = "independent"

    def by_kind(self, kind: str) -> list[Term]:
        return [t for t in self.terms if t.kind == kind]

    def counts(self) -> dict[str, int]:
        out = {k: 0 for k in KINDS}
        for t in self.terms:
            out[t.kind] += 1
        return out
