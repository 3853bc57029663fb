"""Oracle-constrained decoding: the decoder may only write terms the oracle lists for the input fields.

For one field list the oracle's expanded basis (``build_lagrangian(fields, basis="expanded")``: every
distinct non-vanishing invariant monomial of dimension <= 4, which contains every term of the independent
basis) is rendered term by term through a token scheme with canonical IDs, and the renderings are put in a
trie of token ids, each term with its rank in the scheme's canonical term order. ``TermConstraint`` walks
that trie as the decoder writes:

    [SOS] term term ... term [EOS]

where every term is one of the trie's terms, the terms come in strictly increasing rank (the canonical
order of the targets, so no term twice), and [EOS] may follow only a complete term. ``allowed()`` gives the
token ids that may come next; ``advance(token)`` moves on. A sequence written under the constraint
therefore always parses, and each of its terms is invariant: the decoder chooses which of the oracle's
terms to write and when to stop, nothing else. Scores of constrained decoding measure the model *with the
oracle's help* and are reported beside the plain greedy ones, never instead of them.

With random IDs (``paper``, and every scheme with ``canonical=false``) a term has many spellings: the trie
holds each term with its IDs renumbered ID0, ID1, ... in order of appearance, and ``RandomIdConstraint``
walks it through that renumbering: where the trie expects a new object's ID the decoder may take any ID the
term has not used yet, where it expects a reference only the ID the decoder gave that object. Such targets
list their terms in the oracle's order, not the canonical one, so the terms may then come in any order
(still no term twice). ``oracle_constraint(scheme, fields)`` picks the right walk for a scheme.

``IdConstraint`` is much weaker and works for every scheme: only the grammar's rule on IDs (an object's ID is
new within its term; a contraction names only declared IDs), with the same ``allowed``/``advance`` walk.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from src.physics.fields import Field
from src.physics.terms import Lagrangian

from .base import EOS_ID, SOS_ID
from .grammar import ID_PATTERN, renumber_term_ids
from .paper import canonical_order


@dataclass
class _Node:
    children: dict[int, int] = field(default_factory=dict)
    end_rank: int = -1  # rank of the term that ends here, -1 if none
    max_rank: int = -1  # highest rank of a term ending at or below this node
    ranks: list[int] = field(default_factory=list)  # ranks of the terms ending at or below this node


class TermTrie:
    """Token-id sequences of terms, each with a rank; shared read-only by the constraints built on it."""

    def __init__(self, terms: list[list[int]]):
        self.nodes = [_Node()]
        self.n_terms = 0
        for rank, ids in enumerate(terms):
            if not ids:
                raise ValueError(f"term {rank} has no tokens")
            path = [0]
            for tok in ids:
                node = self.nodes[path[-1]]
                if tok not in node.children:
                    node.children[tok] = len(self.nodes)
                    self.nodes.append(_Node())
                path.append(node.children[tok])
            leaf = self.nodes[path[-1]]
            if leaf.end_rank >= 0:
                continue  # the same spelling twice: keep the first rank
            leaf.end_rank = rank
            self.n_terms += 1
            for k in path:
                self.nodes[k].max_rank = max(self.nodes[k].max_rank, rank)
                self.nodes[k].ranks.append(rank)

    @classmethod
    def for_fields(cls, scheme, fields: list[Field]) -> TermTrie:
        """The trie of the oracle's expanded-basis terms of ``fields``, in the scheme's canonical order, each
        spelled with the IDs renumbered ID0, ID1, ... in order of appearance (a canonical scheme's own)."""
        from src.physics.lagrangian import build_lagrangian

        fields = list(fields)
        terms = canonical_order(build_lagrangian(fields, basis="expanded").terms, fields)
        # IDs are numbered per term, so a term spells the same alone as inside a Lagrangian
        draw = random.Random(0)  # a scheme that draws IDs draws them here, not from its own generator
        spelled = [scheme.target_tokens(Lagrangian(fields, [t], "expanded"), draw) for t in terms]
        return cls([scheme.ids(renumber_term_ids(words)) for words in spelled])


class TermConstraint:
    """One row's walk through a ``TermTrie``: [SOS], terms, then [EOS]. ``ordered``: the terms in increasing
    rank (the canonical order); otherwise in any order. Either way no term twice."""

    def __init__(self, trie: TermTrie, bos: int = SOS_ID, eos: int = EOS_ID, ordered: bool = True):
        self.trie, self.bos, self.eos = trie, int(bos), int(eos)
        self.ordered = bool(ordered)
        self.started = False
        self.done = False
        self.node = 0
        self.last_rank = -1  # rank of the last complete term
        self.written: set[int] = set()  # ranks of the complete terms
        self.terms_written = 0

    def _alive(self, node: int) -> bool:
        """Whether ``node`` still leads to a term that may be written."""
        n = self.trie.nodes[node]
        if self.ordered:
            return n.max_rank > self.last_rank
        return any(r not in self.written for r in n.ranks)

    def _open(self, node: int) -> list[int]:
        """Children of ``node`` that still lead to a term that may be written."""
        return [tok for tok, child in self.trie.nodes[node].children.items() if self._alive(child)]

    def _complete(self) -> bool:
        rank = self.trie.nodes[self.node].end_rank
        if self.node == 0 or rank < 0:
            return False
        return rank > self.last_rank if self.ordered else rank not in self.written

    def _close(self) -> None:
        rank = self.trie.nodes[self.node].end_rank
        self.last_rank = rank
        self.written.add(rank)

    def allowed(self) -> list[int]:
        """Token ids that may come next (never empty: [EOS] when nothing else may)."""
        if self.done:
            return [self.eos]
        if not self.started:
            return [self.bos]
        out = self._open(self.node)
        if self._complete():
            saved = self.last_rank, set(self.written)
            self._close()
            out = out + [t for t in self._open(0) if t not in out] + [self.eos]
            self.last_rank, self.written = saved
        elif self.node == 0 and (self.terms_written or not out):
            out = out + [self.eos]
        return out or [self.eos]

    def advance(self, token: int) -> None:
        """Move on by ``token``; ValueError if it is not one of ``allowed()``."""
        token = int(token)
        if token not in self.allowed():
            raise ValueError(f"token {token} is not allowed here")
        if self.done:
            return
        if not self.started:
            self.started = True
            return
        nodes = self.trie.nodes
        child = nodes[self.node].children.get(token)
        if child is not None and self._alive(child):
            self.node = child  # a continuation of the current term wins over closing it
            return
        if self._complete():
            self._close()
            self.terms_written += 1
            self.node = 0
        if token == self.eos:
            self.done = True
            return
        self.node = nodes[0].children[token]


class RandomIdConstraint:
    """``TermConstraint`` for schemes that draw their IDs: the walk goes through each term's IDs renumbered
    in order of appearance. A new object may take any ID its term has not used; a contraction may name an
    object only by the ID the decoder gave it. Terms in any order, none twice."""

    def __init__(self, trie: TermTrie, scheme):
        vocab = scheme.tokenizer.get_vocab()
        ids = sorted((int(w[2:]), i) for w, i in vocab.items() if ID_PATTERN.fullmatch(w))
        self.id_token = [i for _, i in ids]  # ID0, ID1, ... -> token id
        self.rank_of = {i: k for k, i in enumerate(self.id_token)}
        self.walk = TermConstraint(trie, ordered=False)
        self.given: list[int] = []  # the current term's IDs, in order of appearance

    @property
    def done(self) -> bool:
        return self.walk.done

    @property
    def terms_written(self) -> int:
        return self.walk.terms_written

    def allowed(self) -> list[int]:
        out: list[int] = []
        for tok in self.walk.allowed():
            k = self.rank_of.get(tok)
            if k is None:
                out.append(tok)
            elif k < len(self.given):
                out.append(self.given[k])
            elif k == len(self.given):
                out += [t for t in self.id_token if t not in self.given]
        return out or [self.walk.eos]

    def advance(self, token: int) -> None:
        token = int(token)
        if token not in self.allowed():
            raise ValueError(f"token {token} is not allowed here")
        before = self.walk.terms_written
        if token in self.rank_of:
            if token not in self.given:
                self.given.append(token)
            token = self.id_token[self.given.index(token)]
        self.walk.advance(token)
        if self.walk.terms_written != before:  # this token opened a new term (a sign): its IDs start afresh
            self.given = []


def oracle_constraint(scheme, fields: list[Field]) -> TermConstraint | RandomIdConstraint:
    """The oracle's constraint for one row: canonical schemes walk their own spelling in canonical order;
    schemes that draw IDs walk it through the IDs they chose, terms in any order."""
    trie = TermTrie.for_fields(scheme, fields)
    if scheme.canonical:
        return TermConstraint(trie)
    return RandomIdConstraint(trie, scheme)


class IdConstraint:
    """The term grammar's rule on IDs, for any scheme (random IDs included): within a term an object takes
    an ID no other object of the term has, and a contraction names only IDs the term's objects declared.

    Greedy decoding of a model that has not yet learned to draw IDs without replacement picks the same
    most likely ID for every object (``ID2 ... ID2 ... ID2``: the grammar rejects the term); this rule
    removes exactly those choices and leaves every other token to the model. A term starts at a sign that
    follows an ID (or opens the sequence); signs inside numbers (``U1 - 8 / 5``) follow a word, never an ID.
    Scores under it are reported as grammar-constrained decoding, beside plain greedy.
    """

    def __init__(self, scheme):
        vocab = scheme.tokenizer.get_vocab()
        self.id_tokens = frozenset(i for w, i in vocab.items() if ID_PATTERN.fullmatch(w))
        self.signs = frozenset(vocab[w] for w in ("+", "-"))
        self.contractions = vocab["CONTRACTIONS"]
        self.vocab = range(len(vocab))
        self.declared: set[int] = set()
        self.in_contractions = False
        self.after_id = True  # the sequence start behaves like the end of a term

    def allowed(self) -> list[int]:
        """Every token but the IDs this position may not take (never empty)."""
        if self.in_contractions:
            banned = self.id_tokens - self.declared
        else:
            banned = self.declared if len(self.declared) < len(self.id_tokens) else set()
        return [t for t in self.vocab if t not in banned]

    def advance(self, token: int) -> None:
        token = int(token)
        if token in self.signs and self.after_id:
            self.declared, self.in_contractions = set(), False
        elif token == self.contractions:
            self.in_contractions = True
        elif token in self.id_tokens and not self.in_contractions:
            self.declared.add(token)
        self.after_id = token in self.id_tokens
