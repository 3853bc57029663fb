"""Matter fields and the short input syntax of physics.md §1 (for people):
``H: S(1,2,1/2); Q: L(3,2,1/6); u: R(3,1,2/3)``; S scalar, L/R left/right Weyl, ``3b`` or ``-3`` for 3̄.

The paper's syntax (``FIELD SPIN 0 SU2 2 U1 1 ...``) is read and written by ``src.tokens.paper``, which also
reads either syntax (``parse_fields``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from src.errors import UserError

from .groups import LEFT_WEYL, RIGHT_WEYL, SCALAR, LorentzRep, SU2Rep, SU3Rep

HALF = Fraction(1, 2)


class FieldError(UserError):
    """Bad field input. ``position`` is the token index (syntax 1) or character offset (syntax 2)."""

    def __init__(self, message: str, position: int | None = None, where: str = "token"):
        self.position = position
        self.where = where
        text = message if position is None else f"{message} (at {where} {position})"
        super().__init__(text)


@dataclass(frozen=True)
class Field:
    """One matter field: spin 0 or a Weyl fermion, with SU(3)xSU(2)xU(1) quantum numbers.

    ``helicity`` is -1/2 (left-handed), +1/2 (right-handed), or None for scalars.
    """

    spin: Fraction
    su3: SU3Rep = SU3Rep(0, 0)
    su2: SU2Rep = SU2Rep(1)
    u1: Fraction = Fraction(0)
    helicity: Fraction | None = None
    name: str = field(default="", compare=False)

    def __post_init__(self):
        # Numbers are stored as Fractions (an int 0 becomes Fraction(0): equal, same hash), so the tests
        # below and the properties can read their integer parts.
        for name in ("spin", "u1", "helicity"):
            value = getattr(self, name)
            if value is not None and type(value) is not Fraction:
                if not isinstance(value, int | float | Fraction):
                    raise FieldError(f"{name} {value!r} is not a number")
                object.__setattr__(self, name, Fraction(value))
        spin, hel = self.spin, self.helicity
        if spin != 0 and spin != HALF:
            raise FieldError(f"spin {spin} is not supported (only 0 and 1/2 matter fields)")
        if spin.numerator == 0 and hel is not None:
            raise FieldError("a scalar cannot carry a helicity (HEL)")
        if spin.numerator != 0 and (hel is None or (hel != HALF and hel != -HALF)):
            raise FieldError("a spin-1/2 field needs a helicity HEL -1/2 (left) or HEL 1/2 (right)")
        # The quantum numbers as integers, kept with the field: fields key the oracle's and the renderer's
        # caches, and comparing or hashing Fractions is slow. Equality and hash read them (never the name).
        q = self.u1
        key = (spin.numerator, 0 if hel is None else hel.numerator, self.su3.p, self.su3.q, self.su2.n)
        key += (q.numerator, q.denominator)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_hash", hash(key))

    def __eq__(self, other) -> bool:
        if not isinstance(other, Field):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return self._hash

    @property
    def is_scalar(self) -> bool:
        return self.spin.numerator == 0

    @property
    def is_fermion(self) -> bool:
        return self.spin.numerator != 0

    @property
    def lorentz(self) -> LorentzRep:
        if self.is_scalar:
            return SCALAR
        return LEFT_WEYL if self.helicity.numerator < 0 else RIGHT_WEYL

    @property
    def is_real(self) -> bool:
        """Real scalar: Y = 0 and real SU(3), SU(2) irreps (AutoEFT's rule, physics.md §1). Fermions never."""
        return self.spin.numerator == 0 and self.u1.numerator == 0 and self.su3.is_real and self.su2.is_real

    @property
    def mass_dimension(self) -> Fraction:
        return Fraction(1) if self.is_scalar else Fraction(3, 2)

    @property
    def charged_groups(self) -> tuple[str, ...]:
        """Gauge groups acting on the field, in the order SU3, SU2, U1."""
        out = []
        if self.su3.dim > 1:
            out.append("SU3")
        if self.su2.dim > 1:
            out.append("SU2")
        if self.u1.numerator != 0:
            out.append("U1")
        return tuple(out)

    def conjugate(self) -> Field:
        """The conjugate field (its reps conjugated, U(1) negated, helicity flipped)."""
        return Field(
            spin=self.spin,
            su3=self.su3.conjugate(),
            su2=self.su2,
            u1=-self.u1,
            helicity=None if self.helicity is None else -self.helicity,
            name=self.name,
        )

    def quantum_numbers(self) -> tuple:
        """Hashable tuple of all quantum numbers (the name excluded)."""
        return (self.spin, self.helicity, self.su3.name, self.su2.n, self.u1)

    def to_json(self, name: str | None = None, u1: str | None = None) -> dict:
        """The field as JSON (the oracle's ``--format json`` and the datasets' ``fields_json``): quantum
        numbers as strings; ``name`` and the hypercharge's spelling ``u1`` (``"2/4"``) may be given."""
        return {
            "name": self.name if name is None else name,
            "spin": str(self.spin),
            "helicity": None if self.helicity is None else str(self.helicity),
            "su3": self.su3.name,
            "su2": self.su2.name,
            "u1": str(self.u1) if u1 is None else u1,
            "real": self.is_real,
        }

    @classmethod
    def from_json(cls, d: dict) -> Field:
        """Inverse of ``to_json`` (a respelled hypercharge reads as its value; ``real`` is derived)."""
        return cls(
            spin=Fraction(d["spin"]),
            su3=SU3Rep.from_name(d["su3"]),
            su2=SU2Rep.from_name(d["su2"]),
            u1=Fraction(d["u1"]),
            helicity=None if d.get("helicity") in (None, "") else Fraction(d["helicity"]),
            name=d.get("name", ""),
        )

    def short(self) -> str:
        """Syntax-2 form, e.g. ``L(3,2,1/6)``."""
        kind = "S" if self.is_scalar else ("L" if self.helicity == -HALF else "R")
        return f"{kind}({self.su3.name},{self.su2.n},{self.u1})"

    def __str__(self) -> str:
        return f"{self.name}: {self.short()}" if self.name else self.short()


def scalar(su3="1", su2=1, u1=0, name="") -> Field:
    return Field(Fraction(0), SU3Rep.from_name(su3), SU2Rep.from_name(su2), Fraction(u1), None, name)


def left(su3="1", su2=1, u1=0, name="") -> Field:
    return Field(HALF, SU3Rep.from_name(su3), SU2Rep.from_name(su2), Fraction(u1), -HALF, name)


def right(su3="1", su2=1, u1=0, name="") -> Field:
    return Field(HALF, SU3Rep.from_name(su3), SU2Rep.from_name(su2), Fraction(u1), HALF, name)


# ---------------------------------------------------------------------------------------------------------
# Numbers (both syntaxes)

MAX_DIGITS = 30  # a hypercharge's numerator or denominator; physics needs a few, Python refuses > 4,300


def parse_fraction(text: str, position: int, where: str = "token") -> Fraction:
    s = text.replace(" ", "")
    if not re.fullmatch(r"[+-]?\d+(/\d+)?", s):
        raise FieldError(f"{text!r} is not a number", position, where)
    longest = max(len(part.lstrip("+-")) for part in s.split("/"))
    if longest > MAX_DIGITS:
        shown = s if len(s) <= 24 else f"{s[:12]}...{s[-8:]}"
        raise FieldError(f"{shown!r} has {longest} digits (at most {MAX_DIGITS})", position, where)
    num, _, den = s.partition("/")
    if den and int(den) == 0:
        raise FieldError(f"{text!r} has a zero denominator", position, where)
    return Fraction(int(num), int(den) if den else 1)


# ---------------------------------------------------------------------------------------------------------
# Syntax 2: "H: S(1,2,1/2); Q: L(3,2,1/6)"
_ITEM = re.compile(r"^\s*(?:(?P<name>[A-Za-z_][\w']*)\s*:\s*)?(?P<kind>[SLR])\s*\((?P<args>[^)]*)\)\s*$")


def parse_short_fields(text: str) -> list[Field]:
    """Parse ``H: S(1,2,1/2); Q: L(3,2,1/6); u: R(3,1,2/3)``. Names optional; separators ';' or newlines."""
    if not text.strip():
        raise FieldError("empty field list")
    fields: list[Field] = []
    offset = 0
    for raw in re.split(r"[;\n]", text):
        start = offset
        pos = offset + (len(raw) - len(raw.lstrip()))
        offset += len(raw) + 1
        if not raw.strip():
            continue
        m = _ITEM.match(raw)
        if not m:
            raise FieldError(
                f"cannot read field {raw.strip()!r}; expected NAME: S|L|R(su3,su2,u1)", pos, "character"
            )
        args = [a.strip() for a in m["args"].split(",")]
        if len(args) != 3:
            raise FieldError(
                f"field {raw.strip()!r} needs three quantum numbers (su3,su2,u1)", pos, "character"
            )
        # character offset of each quantum number, so errors point at the offending one
        arg_pos, cursor = [], start + m.start("args")
        for part in m["args"].split(","):
            arg_pos.append(cursor + len(part) - len(part.lstrip()))
            cursor += len(part) + 1
        try:
            su3 = SU3Rep.from_name(args[0])
        except ValueError as e:
            raise FieldError(f"{e} in {raw.strip()!r}", arg_pos[0], "character") from None
        try:
            su2 = SU2Rep.from_name(args[1])
        except ValueError as e:
            raise FieldError(f"{e} in {raw.strip()!r}", arg_pos[1], "character") from None
        u1 = parse_fraction(args[2], arg_pos[2], "character")
        kind = m["kind"]
        spin = Fraction(0) if kind == "S" else HALF
        hel = None if kind == "S" else (-HALF if kind == "L" else HALF)
        fields.append(Field(spin, su3, su2, u1, hel, name=m["name"] or f"F{len(fields)}"))
    if not fields:
        raise FieldError("empty field list")
    return fields
