"""The contract every token scheme implements (issue 4). Datasets, training and evaluation code against it.

A scheme turns (fields, Lagrangian) into words and back. It owns a word-level HF tokenizer whose ids are
what BART sees. Special tokens and their ids are fixed across schemes: [SOS]=0, [EOS]=1, [PAD]=2, [UNK]=3.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from src.physics.fields import Field
from src.physics.terms import Lagrangian, Term

SOS, EOS, PAD, UNK = "[SOS]", "[EOS]", "[PAD]", "[UNK]"
SPECIAL_TOKENS = (SOS, EOS, PAD, UNK)
SOS_ID, EOS_ID, PAD_ID, UNK_ID = 0, 1, 2, 3
LABEL_PAD = -100


@dataclass
class ParsedTerm:
    """One term read back from tokens. ``term`` is None when the tokens could not be read as a term."""

    tokens: list[str]
    term: Term | None
    valid: bool
    reason: str | None = None  # why it is malformed or physically invalid


@dataclass
class ParsedLagrangian:
    terms: list[ParsedTerm] = field(default_factory=list)
    truncated: bool = False  # no [EOS] / cut mid-term


class TokenScheme(ABC):
    """Render and parse one encoding of Lagrangians. Subclasses: paper, paper_canonical, opaque, field_refs, numeric_u1."""

    name: str

    @abstractmethod
    def source_tokens(self, fields: list[Field]) -> list[str]:
        """Encoder input words (without [SOS]/[EOS])."""

    @abstractmethod
    def target_tokens(self, lagrangian: Lagrangian, rng: random.Random | None = None) -> list[str]:
        """Decoder target words (without [SOS]/[EOS]). ``rng`` draws the per-term IDs where the scheme has them."""

    @abstractmethod
    def parse_target(self, tokens: list[str], fields: list[Field]) -> ParsedLagrangian:
        """Read model output back into terms. Never raises; malformed terms come back with valid=False."""

    # The HF side -------------------------------------------------------------------------------------
    @property
    @abstractmethod
    def tokenizer(self):
        """A ``PreTrainedTokenizerFast`` (word level) with the four special tokens at ids 0-3."""

    @property
    def vocab_size(self) -> int:
        return len(self.tokenizer)

    def encode(self, fields: list[Field], lagrangian: Lagrangian | None, rng: random.Random | None = None) -> dict:
        """One example -> {"input_ids": [...], "labels": [...]?, "u1_values": [...]?} (with [SOS]/[EOS])."""
        raise NotImplementedError

    def collate(self, examples: list[dict]) -> dict:
        """Pad a list of ``encode`` outputs: input_ids/attention_mask with [PAD], labels with -100 (torch tensors)."""
        raise NotImplementedError

    def decode(self, ids) -> list[str]:
        """Ids -> words, stopping at [EOS], dropping [SOS]/[PAD]."""
        raise NotImplementedError

    def save_pretrained(self, path: str | Path) -> None:
        raise NotImplementedError

    @classmethod
    def from_pretrained(cls, path: str | Path) -> TokenScheme:
        raise NotImplementedError
