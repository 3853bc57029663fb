"""How hypercharges are *written*, apart from their value: the out-of-distribution spellings.

``Field.u1`` is an exact ``Fraction``, so 2/4 is 1/2. The hypercharge OOD split (paper.md §5.5) asks whether
a model copes with an unreduced spelling such as ``U1 2 / 4`` or a two-digit one such as ``U1 1 2 / 7``.
A ``ChargeSpelling`` maps each positive reduced value to the (numerator, denominator) written for it; the
negative value is written with a leading minus. Rendered tokens are rewritten after the fact, so every
occurrence of a field's charge, conjugated or not, carries the same spelling (the paper's ``U1 - 4 / 2``).

Example: ``respell_tokens("U1 - 1 / 2 DAGGER".split(), {Fraction(1, 2): (2, 4)})`` gives
``['U1', '-', '2', '/', '4', 'DAGGER']``.
"""

from __future__ import annotations

from fractions import Fraction

ChargeSpelling = dict[Fraction, tuple[int, int]]
NUMBER_WORDS = frozenset("0123456789-/")  # the words a spaced number is written with


def spell_charge(q: Fraction, spelling: ChargeSpelling | None = None) -> str:
    """Compact text of a charge, e.g. '-2/4' (unspelled values print as Fraction does: '-1/2', '3')."""
    if spelling and abs(q) in spelling:
        num, den = spelling[abs(q)]
        text = str(num) if den == 1 else f"{num}/{den}"
        return f"-{text}" if q < 0 else text
    return str(q)


def spaced(text: str) -> list[str]:
    """Digit-level tokens of a number: '-12/7' -> ['-', '1', '2', '/', '7']."""
    return list(text)


def number_words(tokens: list[str], i: int) -> tuple[str, int]:
    """The spaced number that starts at ``i``, joined, and the position after it: ``- 1 2 / 7`` gives
    ('-12/7', i + 5); ('', i) when ``tokens[i]`` is not a number word. The one reader of spaced numbers:
    respelling here, the paper's field syntax in ``src.tokens.paper``."""
    j = i
    while j < len(tokens) and tokens[j] in NUMBER_WORDS:
        j += 1
    return "".join(tokens[i:j]), j


def _read_fraction(tokens: list[str], i: int) -> tuple[Fraction | None, int]:
    text, j = number_words(tokens, i)
    try:
        return Fraction(text), j
    except (ValueError, ZeroDivisionError):
        return None, j


def respell_tokens(tokens: list[str], spelling: ChargeSpelling | None) -> list[str]:
    """Rewrite every ``U1 <number>`` of a spaced token list with the charge's spelling."""
    if not spelling:
        return list(tokens)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        out.append(tokens[i])
        if tokens[i] != "U1":
            i += 1
            continue
        value, j = _read_fraction(tokens, i + 1)
        if value is None:
            out.extend(tokens[i + 1 : j])
        else:
            out.extend(spaced(spell_charge(value, spelling)))
        i = j
    return out


def spelling_to_json(spelling: ChargeSpelling | None) -> dict[str, str]:
    return {str(k): f"{n}/{d}" for k, (n, d) in sorted((spelling or {}).items())}


def spelling_from_json(data: dict[str, str] | None) -> ChargeSpelling:
    out: ChargeSpelling = {}
    for k, v in (data or {}).items():
        n, _, d = v.partition("/")
        out[Fraction(k)] = (int(n), int(d or 1))
    return out
