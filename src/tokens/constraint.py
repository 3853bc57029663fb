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

Only schemes with canonical IDs have one spelling per term (``tokenizer.canonical=true``); with random IDs
``for_fields`` raises ``ValueError``.

``IdConstraint`` is much weaker and works for every scheme: only the grammar's rule on IDs (an object's ID is
new within its term; a contraction names only declared IDs), with the same ``allowed``/``advance`` walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from src.physics.fields import Field
from src.physics.terms import Lagrangian

from .base import EOS_ID, SOS_ID
from .grammar import ID_PATTERN
from .paper import canonical_order


@dataclass
class _Node:
    children: dict[int, int] = field(default_factory=dict)
    end_rank: int = -1  # rank of the term that ends here, -1 if none
    max_rank: int = -1  # highest rank of a term ending at or below this node


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

    @classmethod
    def for_fields(cls, scheme, fields: list[Field]) -> TermTrie:
        """The trie of the oracle's expanded-basis terms of ``fields``, in the scheme's canonical order."""
        from src.physics.lagrangian import build_lagrangian

        if not getattr(scheme, "canonical", False):
            raise ValueError(
                f"oracle-constrained decoding needs one spelling per term: scheme {scheme.name!r} draws "
                "random IDs; use tokenizer.canonical=true"
            )
        fields = list(fields)
        terms = canonical_order(build_lagrangian(fields, basis="expanded").terms, fields)
        # canonical IDs are numbered per term, so a term spells the same alone as inside a Lagrangian
        spelled = [scheme.target_tokens(Lagrangian(fields, [t], "expanded")) for t in terms]
        return cls([scheme.ids(words) for words in spelled])


class TermConstraint:
    """One row's walk through a ``TermTrie``: [SOS], terms in increasing rank, then [EOS]."""

    def __init__(self, trie: TermTrie, bos: int = SOS_ID, eos: int = EOS_ID):
        self.trie, self.bos, self.eos = trie, int(bos), int(eos)
        self.started = False
        self.done = False
        self.node = 0
        self.last_rank = -1  # rank of the last complete term
        self.terms_written = 0

    def _open(self, node: int) -> list[int]:
        """Children of ``node`` that still lead to a term ranked after the last one."""
        nodes = self.trie.nodes
        return [tok for tok, child in nodes[node].children.items() if nodes[child].max_rank > self.last_rank]

    def _complete(self) -> bool:
        rank = self.trie.nodes[self.node].end_rank
        return self.node != 0 and rank > self.last_rank

    def allowed(self) -> list[int]:
        """Token ids that may come next (never empty: [EOS] when nothing else may)."""
        if self.done:
            return [self.eos]
        if not self.started:
            return [self.bos]
        out = self._open(self.node)
        if self._complete():
            rank = self.trie.nodes[self.node].end_rank
            saved, self.last_rank = self.last_rank, rank
            out = out + [t for t in self._open(0) if t not in out] + [self.eos]
            self.last_rank = saved
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
        if child is not None and nodes[child].max_rank > self.last_rank:
            self.node = child  # a continuation of the current term wins over closing it
            return
        if self._complete():
            self.last_rank = nodes[self.node].end_rank
            self.terms_written += 1
            self.node = 0
        if token == self.eos:
            self.done = True
            return
        self.node = nodes[0].children[token]


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
