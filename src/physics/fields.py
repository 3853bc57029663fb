"""Matter fields and the two input syntaxes of physics.md §1.

Syntax 1 (the paper's): ``FIELD SPIN 0 SU2 2 U1 1 FIELD SPIN 1/2 SU3 3 SU2 2 U1 1/3 HEL -1/2``
(numbers spaced or not: ``U1 - 1 / 3`` equals ``U1 -1/3``).
Syntax 2 (for people): ``H: S(1,2,1/2); Q: L(3,2,1/6); u: R(3,1,2/3)``; S scalar, L/R left/right Weyl,
``3b`` or ``-3`` for 3̄.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from .groups import LEFT_WEYL, RIGHT_WEYL, SCALAR, LorentzRep, SU2Rep, SU3Rep

HALF = Fraction(1, 2)


class FieldError(ValueError):
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
        if self.spin not in (0, HALF):
            raise FieldError(f"spin {self.spin} is not supported (only 0 and 1/2 matter fields)")
        if self.spin == 0 and self.helicity is not None:
            raise FieldError("a scalar cannot carry a helicity (HEL)")
        if self.spin == HALF and self.helicity not in (-HALF, HALF):
            raise FieldError("a spin-1/2 field needs a helicity HEL -1/2 (left) or HEL 1/2 (right)")
        if not isinstance(self.u1, Fraction):
            object.__setattr__(self, "u1", Fraction(self.u1))

    @property
    def is_scalar(self) -> bool:
        return self.spin == 0

    @property
    def is_fermion(self) -> bool:
        return self.spin == HALF

    @property
    def lorentz(self) -> LorentzRep:
        if self.is_scalar:
            return SCALAR
        return LEFT_WEYL if self.helicity == -HALF else RIGHT_WEYL

    @property
    def is_real(self) -> bool:
        """Real scalar: Y = 0 and real SU(3), SU(2) irreps (AutoEFT's rule, physics.md §1). Fermions never."""
        return self.is_scalar and self.u1 == 0 and self.su3.is_real and self.su2.is_real

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
        if self.u1 != 0:
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
# Syntax 1: the paper's token format
_KEYWORDS = {"FIELD", "SPIN", "SU3", "SU2", "U1", "HEL"}


MAX_DIGITS = 30  # a hypercharge's numerator or denominator; physics needs a few, Python refuses > 4,300


def _parse_fraction(text: str, position: int, where: str = "token") -> Fraction:
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


def _number_tokens(tokens: list[str], i: int) -> tuple[str, int]:
    """Collect a (possibly spaced) number starting at token i: '-', digits, '/', digits."""
    j = i
    parts = []
    while j < len(tokens) and tokens[j] not in _KEYWORDS:
        parts.append(tokens[j])
        j += 1
    return " ".join(parts), j


def parse_paper_fields(text: str) -> list[Field]:
    """Parse ``FIELD SPIN 0 SU2 2 U1 1 FIELD ...`` (optionally wrapped in [SOS] ... [EOS]).

    Raises FieldError naming the offending token and its 0-based token position.
    """
    tokens = [t for t in text.split() if t not in ("[SOS]", "[EOS]", "[PAD]")]
    if not tokens:
        raise FieldError("empty field list")
    fields: list[Field] = []
    i = 0
    while i < len(tokens):
        if tokens[i] != "FIELD":
            raise FieldError(f"expected FIELD, found {tokens[i]!r}", i)
        start = i
        i += 1
        if i >= len(tokens) or tokens[i] != "SPIN":
            raise FieldError("FIELD must be followed by SPIN", i)
        i += 1
        spin_text, j = _number_tokens(tokens, i)
        if not spin_text:
            raise FieldError("SPIN needs a value", i)
        spin = _parse_fraction(spin_text, i)
        if spin not in (0, HALF):
            raise FieldError(f"spin {spin_text.replace(' ', '')} is not supported (only 0 and 1/2)", i)
        i = j
        su3, su2, u1, hel = SU3Rep(0, 0), SU2Rep(1), Fraction(0), None
        seen: set[str] = set()
        while i < len(tokens) and tokens[i] != "FIELD":
            key = tokens[i]
            if key not in ("SU3", "SU2", "U1", "HEL"):
                raise FieldError(f"unexpected token {key!r}", i)
            if key in seen:
                raise FieldError(f"{key} given twice in one field", i)
            seen.add(key)
            value, j = _number_tokens(tokens, i + 1)
            if not value:
                raise FieldError(f"{key} needs a value", i + 1)
            try:
                if key == "SU3":
                    su3 = SU3Rep.from_name(value.replace(" ", ""))
                elif key == "SU2":
                    su2 = SU2Rep.from_name(value.replace(" ", ""))
                elif key == "U1":
                    u1 = _parse_fraction(value, i + 1)
                else:
                    hel = _parse_fraction(value, i + 1)
                    if hel not in (-HALF, HALF):
                        raise FieldError(f"helicity {value.replace(' ', '')} must be -1/2 or 1/2", i + 1)
            except FieldError:
                raise
            except ValueError as e:
                raise FieldError(str(e), i + 1) from None
            i = j
        if spin == 0 and hel is not None:
            raise FieldError("a scalar cannot carry a helicity (HEL)", start)
        if spin == HALF and hel is None:
            raise FieldError("a spin-1/2 field needs HEL -1/2 or HEL 1/2", start)
        fields.append(Field(spin, su3, su2, u1, hel, name=f"F{len(fields)}"))
    return fields


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
        u1 = _parse_fraction(args[2], arg_pos[2], "character")
        kind = m["kind"]
        spin = Fraction(0) if kind == "S" else HALF
        hel = None if kind == "S" else (-HALF if kind == "L" else HALF)
        fields.append(Field(spin, su3, su2, u1, hel, name=m["name"] or f"F{len(fields)}"))
    if not fields:
        raise FieldError("empty field list")
    return fields


def parse_fields(text: str) -> list[Field]:
    """Parse either syntax (auto-detected: the paper's syntax starts with FIELD or [SOS])."""
    stripped = text.strip()
    if stripped.startswith("FIELD") or stripped.startswith("[SOS]"):
        return parse_paper_fields(stripped)
    return parse_short_fields(stripped)


def _digits(q: Fraction) -> str:
    """Spaced digit form used by the paper: -1/3 -> '- 1 / 3', 12 -> '1 2'."""
    return " ".join(str(q))


def render_paper_field(f: Field, conjugate: bool = False, spaced: bool = True) -> str:
    """One field in the paper's input/output format, without ID (and with DAGGER when conjugated).

    Order is SPIN, SU3, SU2, U1, HEL; trivial reps and zero charge are omitted.
    ``spaced=False`` gives the compact input form ``SPIN 1/2 ... U1 -1/3 HEL -1/2``.
    """
    g = f.conjugate() if conjugate else f
    num = _digits if spaced else str
    parts = ["FIELD", "SPIN", num(g.spin)]
    if g.su3.dim > 1:
        parts += ["SU3", num(int(g.su3.name))]
    if g.su2.dim > 1:
        parts += ["SU2", num(g.su2.n)]
    if g.u1 != 0:
        parts += ["U1", num(g.u1)]
    if g.helicity is not None:
        parts += ["HEL", num(g.helicity)]
    if conjugate:
        parts.append("DAGGER")
    return " ".join(parts)
