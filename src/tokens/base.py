"""The contract every token scheme implements. Datasets, training and evaluation code against it.

A scheme turns (fields, Lagrangian) into words and back. It owns a word-level HF tokenizer whose ids are
what BART sees. Special tokens and their ids are fixed across schemes: [SOS]=0, [EOS]=1, [PAD]=2, [UNK]=3.
"""

from __future__ import annotations

import json
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from src.physics.fields import Field
from src.physics.terms import Lagrangian, Term

from .spelling import ChargeSpelling, respell_tokens

SOS, EOS, PAD, UNK = "[SOS]", "[EOS]", "[PAD]", "[UNK]"
SPECIAL_TOKENS = (SOS, EOS, PAD, UNK)
SOS_ID, EOS_ID, PAD_ID, UNK_ID = 0, 1, 2, 3
LABEL_PAD = -100
SCHEME_FILE = "scheme.json"


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
    """Render and parse one encoding of Lagrangians.

    Subclasses: paper, paper_canonical, opaque, field_refs, numeric_u1 (``src.tokens.build_scheme``).
    """

    name: str
    # What a scheme can do, so callers ask the scheme instead of testing its name:
    has_values: bool = False  # the source carries numbers beside the ids (``u1_values``: numeric_u1)
    writes_paper_words: bool = False  # its targets are the paper's own words (paper, paper_canonical)
    needs_fit: bool = False  # its vocabulary depends on the training fields (``fit``: opaque)
    canonical: bool = False  # writes canonical IDs (ID0, ID1, ... per term) and a canonical term order

    def fit(self, field_lists) -> TokenScheme:
        """Adapt the vocabulary to the training field lists (a no-op unless ``needs_fit``)."""
        return self

    @property
    def is_fitted(self) -> bool:
        """Ready to encode: always, unless the vocabulary still has to be fitted to training fields."""
        return True

    @abstractmethod
    def source_tokens(self, fields: list[Field]) -> list[str]:
        """Encoder input words (without [SOS]/[EOS])."""

    @abstractmethod
    def target_tokens(self, lagrangian: Lagrangian, rng: random.Random | None = None) -> list[str]:
        """Decoder target words (without [SOS]/[EOS]). ``rng`` draws the per-term IDs, if any."""

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

    @property
    def spells_charges_by_list(self) -> bool:
        """True when the source spells each charge from the whole list's values (a row's own spelling of its
        charges is then not applied to the source)."""
        return False

    def source_values(self, fields: list[Field]) -> list[float] | None:
        """Continuous values aligned with ``source_tokens`` (numeric_u1's hypercharges), or None."""
        return None

    def options(self) -> dict:
        """Constructor options that rebuild this scheme (written to scheme.json)."""
        return {}

    def ids(self, words: list[str]) -> list[int]:
        """Words -> ids ([UNK]=3 for unknown words), no specials added."""
        return [int(k) for k in self.tokenizer.convert_tokens_to_ids(list(words))]

    def encode(
        self,
        fields: list[Field],
        lagrangian: Lagrangian | None,
        rng: random.Random | None = None,
        spelling: ChargeSpelling | None = None,
    ) -> dict:
        """One example -> {"input_ids": [...], "labels": [...]?, "u1_values": [...]?} (with [SOS]/[EOS]).

        Like the paper's notebook, both sides are ``[SOS] words [EOS]``; ``u1_values`` is 0.0 off [NUM] words.
        ``spelling``: how hypercharges are written where that differs from their reduced value (the
        out-of-distribution spellings, ``src.tokens.spelling``), on both sides.
        """
        source = self.source_tokens(fields)
        if spelling and not self.spells_charges_by_list:
            source = respell_tokens(source, spelling)
        out: dict = {"input_ids": [SOS_ID, *self.ids(source), EOS_ID]}
        values = self.source_values(fields)
        if values is not None:
            out["u1_values"] = [0.0, *map(float, values), 0.0]
        if lagrangian is not None:
            target = self.target_tokens(lagrangian, rng)
            if spelling:
                target = respell_tokens(target, spelling)
            out["labels"] = [SOS_ID, *self.ids(target), EOS_ID]
        return out

    def collate(self, examples: list[dict]) -> dict:
        """Pad a list of ``encode`` outputs: input_ids/attention_mask with [PAD], labels with -100 (torch)."""
        import torch  # only the batching side needs torch

        def pad(key: str, value, dtype):
            width = max(len(e[key]) for e in examples)
            return torch.tensor(
                [list(e[key]) + [value] * (width - len(e[key])) for e in examples], dtype=dtype
            )

        batch = {"input_ids": pad("input_ids", PAD_ID, torch.long)}
        batch["attention_mask"] = (batch["input_ids"] != PAD_ID).long()
        if all("labels" in e for e in examples):
            batch["labels"] = pad("labels", LABEL_PAD, torch.long)
        if all("u1_values" in e for e in examples):
            batch["u1_values"] = pad("u1_values", 0.0, torch.float32)
        return batch

    def decode(self, ids) -> list[str]:
        """Ids -> words, stopping at [EOS], dropping [SOS]/[PAD] (and -100 label padding)."""
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        words = []
        for k in ids:
            k = int(k)
            if k == EOS_ID:
                break
            if k in (SOS_ID, PAD_ID, LABEL_PAD):
                continue
            words.append(self.tokenizer.convert_ids_to_tokens(k) or UNK)
        return words

    def save_pretrained(self, path: str | Path) -> None:
        """The HF tokenizer files plus ``scheme.json`` (name, options, vocabulary)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save_pretrained(str(path))
        vocab = sorted(self.tokenizer.get_vocab().items(), key=lambda kv: kv[1])
        meta = {"name": self.name, "options": self.options(), "vocab": [w for w, _ in vocab]}
        (path / SCHEME_FILE).write_text(json.dumps(meta, indent=1))

    @classmethod
    def from_pretrained(cls, path: str | Path) -> TokenScheme:
        """Rebuild the scheme named in ``scheme.json`` and check the saved tokenizer has its vocabulary."""
        from transformers import PreTrainedTokenizerFast

        from . import build_scheme  # the registry imports the concrete schemes, which import this module

        path = Path(path)
        if not (path / SCHEME_FILE).is_file():
            raise FileNotFoundError(f"{path}: no {SCHEME_FILE}, so not a saved token scheme")
        meta = json.loads((path / SCHEME_FILE).read_text())
        scheme = build_scheme(meta["name"], **meta.get("options", {}))
        saved = PreTrainedTokenizerFast.from_pretrained(str(path))
        if saved.get_vocab() != scheme.tokenizer.get_vocab():
            raise ValueError(f"{path}: tokenizer files do not match the {meta['name']} scheme's vocabulary")
        return scheme
