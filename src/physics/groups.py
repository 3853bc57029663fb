"""Representations of SU(3), SU(2) and the Lorentz group, computed from their definitions.

Conventions (physics.md §3): every irrep is a Young diagram of fundamental (upper) indices.

* SU(3) irreps are labelled by Dynkin labels (p, q); Young diagram rows [p+q, q].
  3 = (1,0) = [1], 3̄ = (0,1) = [1,1], 6 = (2,0) = [2], 6̄ = (0,2) = [2,2], 8 = (1,1) = [2,1].
  dim = (p+1)(q+1)(p+q+2)/2 (Weyl dimension formula); conjugate swaps p and q, i.e. [a, b] -> [a, a-b].
* SU(2) n-plets are [n-1]; every SU(2) irrep is self-conjugate.
* Lorentz = SU(2)_l x SU(2)_r: left Weyl ([1], []), right Weyl ([], [1]), scalar ([], []).

Weights come from semistandard Young tableaux (the Schur polynomial is the character), so that the
weight-based counting in ``counting.py`` never touches the contraction machinery.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

YoungDiagram = tuple[int, ...]


def normalize_diagram(rows: tuple[int, ...], n: int) -> YoungDiagram:
    """Drop zero rows; remove full columns of height n (they are SU(n) singlets: an ε)."""
    rows = tuple(r for r in rows if r > 0)
    if len(rows) > n:
        raise ValueError(f"Young diagram {rows} has more than {n} rows")
    if len(rows) == n:
        m = rows[-1]
        rows = tuple(r - m for r in rows if r - m > 0)
    return rows


@cache
def semistandard_tableaux(diagram: YoungDiagram, n: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """All semistandard Young tableaux of the given shape with entries 0..n-1.

    Rows weakly increase, columns strictly increase. Their number is the dimension of the SU(n) irrep.
    """
    boxes = [(r, c) for r, length in enumerate(diagram) for c in range(length)]
    results: list[tuple[tuple[int, ...], ...]] = []
    filling: dict[tuple[int, int], int] = {}

    def place(k: int) -> None:
        if k == len(boxes):
            results.append(
                tuple(tuple(filling[(r, c)] for c in range(diagram[r])) for r in range(len(diagram)))
            )
            return
        r, c = boxes[k]
        lo = 0
        if c > 0:
            lo = max(lo, filling[(r, c - 1)])
        if r > 0:
            lo = max(lo, filling[(r - 1, c)] + 1)
        for v in range(lo, n):
            filling[(r, c)] = v
            place(k + 1)
        filling.pop((r, c), None)

    place(0)
    return tuple(results)


@cache
def diagram_weights(diagram: YoungDiagram, n: int) -> tuple[tuple[int, ...], ...]:
    """Content vectors (how often each of 0..n-1 occurs) of all semistandard tableaux: the GL(n) weights."""
    out = []
    for t in semistandard_tableaux(diagram, n):
        content = [0] * n
        for row in t:
            for v in row:
                content[v] += 1
        out.append(tuple(content))
    return tuple(out)


# A character: weight (GL(n) content vector) -> multiplicity
Character = dict[tuple[int, ...], int]


def multiply_characters(a: Character, b: Character) -> Character:
    """The character of a tensor product: weights add, multiplicities multiply."""
    out: dict = {}
    for wa, ma in a.items():
        for wb, mb in b.items():
            w = tuple(x + y for x, y in zip(wa, wb))
            out[w] = out.get(w, 0) + ma * mb
    return {w: m for w, m in out.items() if m}


def permutation_sign(perm: Sequence[int]) -> int:
    """+1 for an even permutation of 0..n-1, -1 for an odd one (from its cycle lengths)."""
    sign, seen = 1, set()
    for start in range(len(perm)):
        if start in seen:
            continue
        length, j = 0, start
        while j not in seen:
            seen.add(j)
            j = perm[j]
            length += 1
        sign *= -1 if length % 2 == 0 else 1
    return sign


@cache
def diagram_singlet_count(diagrams: tuple[tuple[int, ...], ...], n: int) -> int:
    """Multiplicity of the SU(n) singlet in the tensor product of the irreps with these Young diagrams."""
    char: Character = {(0,) * n: 1}
    for diagram in diagrams:
        char = multiply_characters(char, dict(Counter(diagram_weights(diagram, n))))
    boxes = sum(next(iter(char)))
    if boxes % n:
        return 0
    rect = (boxes // n,) * n
    rho = tuple(range(n - 1, -1, -1))
    total = 0
    for w in itertools.permutations(range(n)):
        shifted = [rect[j] + rho[j] for j in range(n)]
        total += permutation_sign(w) * char.get(tuple(shifted[w[j]] - rho[j] for j in range(n)), 0)
    return int(total)


def diagram_dimension(diagram: YoungDiagram, n: int) -> int:
    """Hook-content formula: dim = prod_(boxes) (n + c - r) / hook(box)."""
    num = Fraction(1)
    cols = [sum(1 for r in diagram if r > c) for c in range(diagram[0])] if diagram else []
    for r, length in enumerate(diagram):
        for c in range(length):
            hook = (length - c - 1) + (cols[c] - r - 1) + 1
            num *= Fraction(n + c - r, hook)
    assert num.denominator == 1
    return int(num)


@dataclass(frozen=True, order=True)
class SU3Rep:
    """SU(3) irrep with Dynkin labels (p, q). Supported names: 1, 3, -3, 6, -6, 8."""

    p: int
    q: int

    @property
    def diagram(self) -> YoungDiagram:
        return normalize_diagram((self.p + self.q, self.q), 3)

    @property
    def dim(self) -> int:
        return (self.p + 1) * (self.q + 1) * (self.p + self.q + 2) // 2

    def conjugate(self) -> SU3Rep:
        return SU3Rep(self.q, self.p)

    @property
    def triality(self) -> int:
        return (self.p - self.q) % 3

    @property
    def boxes(self) -> int:
        return sum(self.diagram)

    @property
    def is_real(self) -> bool:
        return self.p == self.q

    @property
    def name(self) -> str:
        """ "3", "-3", "8", ...: the dimension, negative for the conjugate of a complex irrep with q > p."""
        return f"-{self.dim}" if self.q > self.p else str(self.dim)

    @classmethod
    def from_name(cls, name: str | int) -> SU3Rep:
        s = str(name).strip().replace(" ", "")
        if s.lower().endswith("b") or s.endswith("bar"):
            s = "-" + s.rstrip("bar").rstrip("b")
        try:
            d = int(s)
        except ValueError:
            raise ValueError(f"unknown SU(3) representation {name!r}") from None
        for p in range(0, 4):
            for q in range(0, 4):
                r = cls(p, q)
                if r.name == str(d):
                    return r
        raise ValueError(f"unknown SU(3) representation {name!r} (supported: 1, 3, -3, 6, -6, 8)")

    def __str__(self) -> str:
        return self.name


SU3_NAMES = ("1", "3", "-3", "6", "-6", "8")
SU2_DIMS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, order=True)
class SU2Rep:
    """SU(2) n-plet, Young diagram [n-1]."""

    n: int

    @property
    def diagram(self) -> YoungDiagram:
        return normalize_diagram((self.n - 1,), 2)

    @property
    def dim(self) -> int:
        return self.n

    def conjugate(self) -> SU2Rep:
        return self

    @property
    def boxes(self) -> int:
        return self.n - 1

    @property
    def is_real(self) -> bool:
        """Orthogonal (real) for odd n; pseudo-real for even n."""
        return self.n % 2 == 1

    @property
    def name(self) -> str:
        return str(self.n)

    @classmethod
    def from_name(cls, name: str | int) -> SU2Rep:
        try:
            n = int(str(name).strip())
        except ValueError:
            raise ValueError(f"unknown SU(2) representation {name!r}") from None
        if n not in SU2_DIMS:
            raise ValueError(f"unknown SU(2) representation {name!r} (supported: 1-5)")
        return cls(n)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, order=True)
class LorentzRep:
    """(j_l, j_r) as box counts of the SU(2)_l and SU(2)_r Young diagrams.

    Scalar (0,0), left Weyl (1,0), right Weyl (0,1).
    """

    left: int
    right: int

    @property
    def diagrams(self) -> tuple[YoungDiagram, YoungDiagram]:
        return normalize_diagram((self.left,), 2), normalize_diagram((self.right,), 2)

    @property
    def dim(self) -> int:
        return (self.left + 1) * (self.right + 1)

    def conjugate(self) -> LorentzRep:
        return LorentzRep(self.right, self.left)


SCALAR = LorentzRep(0, 0)
LEFT_WEYL = LorentzRep(1, 0)
RIGHT_WEYL = LorentzRep(0, 1)


def young_tableau_boxes(diagram: YoungDiagram) -> list[tuple[int, int]]:
    """Boxes (row, column) in column-major reading order: column 0 top to bottom, then column 1, ..."""
    if not diagram:
        return []
    return [(r, c) for c in range(diagram[0]) for r in range(len(diagram)) if diagram[r] > c]


def all_su3_reps() -> list[SU3Rep]:
    return [SU3Rep.from_name(n) for n in SU3_NAMES]


def all_su2_reps() -> list[SU2Rep]:
    return [SU2Rep(n) for n in SU2_DIMS]


__all__ = [
    "SU3Rep",
    "SU2Rep",
    "LorentzRep",
    "SCALAR",
    "LEFT_WEYL",
    "RIGHT_WEYL",
    "SU3_NAMES",
    "SU2_DIMS",
    "diagram_dimension",
    "diagram_weights",
    "semistandard_tableaux",
    "normalize_diagram",
    "young_tableau_boxes",
    "all_su3_reps",
    "all_su2_reps",
]
