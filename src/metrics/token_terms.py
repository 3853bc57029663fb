"""Lagrangians as token strings, cut into terms and objects as the paper's scorer reads them (paper.md §6).

A *term* starts at a sign ``+``/``-`` that is immediately followed by ``FIELD``, ``DERIVATIVE``,
``COMMUTATOR_A`` or ``i`` (the ``-`` of ``U1 - 1`` is followed by a digit, so it never splits). Inside a
term, *objects* are:

* poly-token objects: from ``FIELD``/``DERIVATIVE``/``SIGMA_BAR``/``SIGMA`` up to and including the first
  ID token;
* single-token objects: ``+ - i COMMUTATOR_A COMMUTATOR_B``;
* the contraction block: from ``CONTRACTIONS`` to the end of the term.

Any other token met between objects is a *stray* (model output may contain them); it becomes an object of
its own so that the token stream is preserved, and it makes the term's contraction block unreadable.

Example::

    >>> t = TokenTerm.from_text("+ FIELD SPIN 0 ID2 FIELD SPIN 0 DAGGER ID7 CONTRACTIONS")
    >>> t.objects
    (('+',), ('FIELD', 'SPIN', '0', 'ID2'), ('FIELD', 'SPIN', '0', 'DAGGER', 'ID7'), ('CONTRACTIONS',))
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

SPECIALS = frozenset({"[SOS]", "[EOS]", "[PAD]"})
ID_TOKENS = frozenset(f"ID{k}" for k in range(10))
TERM_STARTERS = frozenset({"FIELD", "DERIVATIVE", "COMMUTATOR_A", "i"})
POLY_STARTERS = frozenset({"FIELD", "DERIVATIVE", "SIGMA_BAR", "SIGMA"})
SINGLE_OBJECTS = frozenset({"+", "-", "i", "COMMUTATOR_A", "COMMUTATOR_B"})
CONTRACTIONS = "CONTRACTIONS"
CONTRACTION_GROUPS = frozenset({"SU3", "SU2", "LORENTZ"})
# A term containing any of these needs a contraction block (paper's "good contraction" test on true terms).
NEEDS_BLOCK = ("SU3", "SU2", "LORENTZ", "SPIN 1 / 2", "SIGMA_BAR", "SIGMA", "DERIVATIVE")


def is_id(token: str) -> bool:
    return token in ID_TOKENS


def clean_tokens(tokens: list[str] | str) -> list[str]:
    """Words of a Lagrangian without ``[SOS]``/``[EOS]``/``[PAD]``; accepts a string or a list of words."""
    words = tokens.split() if isinstance(tokens, str) else list(tokens)
    return [w for w in words if w not in SPECIALS]


def split_terms(tokens: list[str] | str) -> list[list[str]]:
    """Cut a Lagrangian into terms at each sign followed by a term starter (and at a trailing lone sign)."""
    words = clean_tokens(tokens)
    cuts = [
        i
        for i, w in enumerate(words)
        if w in ("+", "-") and (i + 1 == len(words) or words[i + 1] in TERM_STARTERS)
    ]
    bounds = [0, *cuts, len(words)]
    return [words[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def split_objects(tokens: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], ...], bool]:
    """The objects of one term, and whether a stray token was met. The objects concatenate to the term."""
    objects: list[tuple[str, ...]] = []
    stray = False
    i = 0
    while i < len(tokens):
        w = tokens[i]
        if w == CONTRACTIONS:  # the block runs to the end of the term
            objects.append(tuple(tokens[i:]))
            break
        if w in POLY_STARTERS:
            j = i + 1
            while j < len(tokens) and tokens[j] not in ID_TOKENS:
                j += 1
            objects.append(tuple(tokens[i : j + 1]))
            i = j + 1
            continue
        stray = stray or w not in SINGLE_OBJECTS
        objects.append((w,))
        i += 1
    return tuple(objects), stray


@dataclass(frozen=True)
class TokenTerm:
    """One term as words, with the views the scorer needs. IDs only link objects to contraction entries."""

    tokens: tuple[str, ...]

    @classmethod
    def from_text(cls, text: str) -> TokenTerm:
        return cls(tuple(text.split()))

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    @cached_property
    def _split(self) -> tuple[tuple[tuple[str, ...], ...], bool]:
        return split_objects(self.tokens)

    @property
    def objects(self) -> tuple[tuple[str, ...], ...]:
        return self._split[0]

    @property
    def has_stray(self) -> bool:
        return self._split[1]

    @cached_property
    def object_key(self) -> tuple[tuple[str, ...], ...]:
        """Sorted ID-less objects; equal keys = the paper's "same objects" (block group labels included)."""
        return tuple(sorted(tuple(w for w in obj if w not in ID_TOKENS) for obj in self.objects))

    @property
    def has_block(self) -> bool:
        return CONTRACTIONS in self.tokens

    @property
    def bare_block(self) -> bool:
        """The term ends in ``CONTRACTIONS`` (the paper's empty block of singlet mass terms)."""
        return bool(self.tokens) and self.tokens[-1] == CONTRACTIONS

    @cached_property
    def labelled(self) -> dict[str, tuple[int, tuple[str, ...]]] | None:
        """ID -> (position among ID-carrying objects, ID-less object). None if an object carries two IDs."""
        out: dict[str, tuple[int, tuple[str, ...]]] = {}
        pos = 0
        for obj in self.objects:
            if obj[0] == CONTRACTIONS:
                continue
            ident = None
            rest = []
            for w in obj:
                if w not in ID_TOKENS:
                    rest.append(w)
                elif ident is None:
                    ident = w
                else:
                    return None
            if ident is not None:
                # a reused ID: the later object wins, as in the paper's dictionary
                out[ident] = (pos, tuple(rest))
                pos += 1
        return out

    @cached_property
    def block_entries(self) -> dict[str, list[list[str]]] | None:
        """The block as {group: [IDs of each ε/δ entry]}; None when it cannot be read.

        Unreadable: no block object, a second ``CONTRACTIONS``, words before the first group label, a stray
        token in the term, or an entry word that is not the ID of an object of the term.
        """
        blocks = [obj for obj in self.objects if obj[0] == CONTRACTIONS]
        if (
            len(blocks) != 1
            or self.tokens.count(CONTRACTIONS) != 1
            or self.has_stray
            or self.labelled is None
        ):
            return None
        entries: dict[str, list[list[str]]] = {}
        current: list[str] | None = None
        for w in blocks[0][1:]:
            if w in CONTRACTION_GROUPS:
                current = []
                entries.setdefault(w, []).append(current)
            elif current is None or w not in self.labelled:
                return None
            else:
                current.append(w)
        # empty entries (a label with no IDs) vanish but the label stays, as in the paper
        return {g: [e for e in es if e] for g, es in entries.items()}

    def contraction_signature(self, positional: bool = False) -> dict | None:
        """ID-agnostic block: per group the sorted tuple of sorted entries, each ID replaced by its ID-less
        object.

        With ``positional`` each ID is replaced by the position of its object among the ID-carrying objects
        instead (the paper's ``check_pos`` compares both signatures). None when the block cannot be read.
        """
        return self._signatures[1 if positional else 0]

    @cached_property
    def _signatures(self) -> tuple[dict | None, dict | None]:
        """(object signature, positional signature), computed once per term."""
        entries = self.block_entries
        if entries is None:
            return None, None
        return tuple(
            {
                g: tuple(sorted(tuple(sorted(self.labelled[i][part] for i in e)) for e in es))
                for g, es in entries.items()
            }
            for part in (1, 0)
        )

    @cached_property
    def structure(self) -> tuple[list[tuple[str, ...]], dict[str, list[tuple[int, ...]]]] | None:
        """(ID-less objects by position, {group: entries as tuples of positions}); None when unreadable."""
        entries = self.block_entries
        if entries is None:
            return None
        by_pos = sorted(self.labelled.values())
        rank = {pos: k for k, (pos, _) in enumerate(by_pos)}  # contiguous even when an ID was reused
        return [obj for _, obj in by_pos], {
            g: [tuple(rank[self.labelled[i][0]] for i in e) for e in es] for g, es in entries.items()
        }

    @cached_property
    def good_contraction(self) -> bool:
        """The paper's test on a true term: a block exists where groups/spinors/derivatives need one, and
        every block ID labels an object of the term."""
        if not self.has_block:
            return not any(n in self.text for n in NEEDS_BLOCK)
        return self.bare_block or self.block_entries is not None


def _entry_key(entries: dict[str, list[tuple[int, ...]]], relabel) -> dict[str, list[tuple[int, ...]]]:
    return {g: sorted(tuple(sorted(relabel[i] for i in e)) for e in es) for g, es in entries.items()}


def same_structure(a: TokenTerm, b: TokenTerm, max_maps: int = 40320) -> bool:
    """Exact equivalence of two readable blocks: some bijection of a's objects onto equal objects of b maps
    every ε/δ entry of a onto one of b (entries as multisets, since an ε only changes sign under reordering).

    Unlike the paper's ID-agnostic signature this keeps track of *which* copy of a repeated object sits in
    each entry, so (S1 S1†)(S2 S2†) in SU3 with (S1 S2†)(S2 S1†) in SU2 differs from the all-diagonal term.
    """
    sa, sb = a.structure, b.structure
    if sa is None or sb is None or sorted(sa[0]) != sorted(sb[0]):
        return False
    (objs_a, ent_a), (objs_b, ent_b) = sa, sb
    target = _entry_key(ent_b, range(len(objs_b)))
    classes = sorted(set(objs_a))
    slots_a = [[i for i, o in enumerate(objs_a) if o == c] for c in classes]
    slots_b = [[i for i, o in enumerate(objs_b) if o == c] for c in classes]
    maps = itertools.product(*(itertools.permutations(sb_) for sb_ in slots_b))
    for choice in itertools.islice(maps, max_maps):
        relabel = {}
        for src, dst in zip(slots_a, choice):
            relabel.update(zip(src, dst))
        if _entry_key(ent_a, relabel) == target:
            return True
    return False


def same_contractions(a: TokenTerm, b: TokenTerm, positional: bool = False, exact: bool = False) -> bool:
    """paper.md §6 step 5: both blocks absent -> same; one absent -> different; both bare -> same;
    one bare -> different; otherwise compare the ID-agnostic signatures (unreadable never equals anything).
    ``exact``: compare with ``same_structure`` instead (not the paper's rule; see ``paper_score``)."""
    if a.has_block != b.has_block:
        return False
    if not a.has_block:
        return True
    if a.bare_block or b.bare_block:
        return a.bare_block and b.bare_block
    if exact:
        return same_structure(a, b)
    sa, sb = a.contraction_signature(), b.contraction_signature()
    if sa is None or sb is None or sa != sb:
        return False
    return not positional or a.contraction_signature(positional=True) == b.contraction_signature(
        positional=True
    )


def format_problem(term: TokenTerm) -> str | None:
    """Why a term breaks the paper's grammar (paper.md §4.3), or None. Token-level only: no physics here.

    Checks: it starts with a sign, has no stray word, every object ends with its ID, no ID labels two objects,
    and the block (if any) is readable, every entry non-empty and made of IDs of the term's objects.
    """
    if not term.tokens or term.tokens[0] not in ("+", "-"):
        return "does not start with a sign"
    if term.has_stray:
        stray = next(o[0] for o in term.objects if len(o) == 1 and o[0] not in SINGLE_OBJECTS)
        return f"stray word {stray!r}"
    for obj in term.objects:
        if obj[0] in POLY_STARTERS and not is_id(obj[-1]):
            return f"object {' '.join(obj)!r} has no ID"
    ids = [w for obj in term.objects if obj[0] != CONTRACTIONS for w in obj if is_id(w)]
    if len(ids) != len(set(ids)):
        return "an ID labels two objects"
    if term.has_block and not term.bare_block:
        if term.block_entries is None:
            return "unreadable contraction block"
        block = term.tokens[term.tokens.index(CONTRACTIONS) + 1 :]
        if any(
            w in CONTRACTION_GROUPS and (k + 1 == len(block) or block[k + 1] in CONTRACTION_GROUPS)
            for k, w in enumerate(block)
        ):
            return "a contraction entry without IDs"
    return None
