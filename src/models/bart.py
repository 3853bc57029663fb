"""Build ``BartForConditionalGeneration`` from a preset, never from downloaded weights.

A preset (``conf/model/*.yaml``) names the geometry only: layers, widths, heads, positions, dropout. The
vocabulary size and every special id come from the tokenizer, so nothing here knows the vocabulary:

    >>> ids = SpecialIds.from_scheme(scheme)           # pad 2, bos 0, eos 1 for every scheme
    >>> model = build_bart(preset, vocab_size=41, ids=ids)

With the paper's geometry (12+12 layers, d_model 1024, FFN 4096, 2048 positions) and the paper's 41 words this
is 356,959,232 parameters: embeddings V*d (shared by encoder, decoder and the tied LM head) + 2 learned
position tables (P+2)*d (BART offsets positions by 2) + per layer 4 attention projections 4(d^2+d), FFN
2*d*f+f+d, layer norms; decoder layers add a cross-attention block; plus the final-logits bias V.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from transformers import (
    BartConfig,
    BartForConditionalGeneration,
    GenerationConfig,
    MBartConfig,
    MBartForConditionalGeneration,
)

from src.errors import UserError
from src.models import MAX_NEW_TOKENS
from src.tokens.base import EOS_ID, PAD_ID, SOS_ID

# The geometry keys a preset may set (BartConfig silently accepts typos, so we check our own).
ARCH_KEYS = frozenset(
    {
        "d_model",
        "encoder_layers",
        "decoder_layers",
        "encoder_attention_heads",
        "decoder_attention_heads",
        "encoder_ffn_dim",
        "decoder_ffn_dim",
        "max_position_embeddings",
        "dropout",
        "attention_dropout",
        "activation_dropout",
        "activation_function",
        "encoder_layerdrop",
        "decoder_layerdrop",
        "init_std",
        "scale_embedding",
        "norm",
    }
)
# ``norm``: where each layer normalises. "post" (BART: LayerNorm after each residual sum) or "pre" (mBART's
# configuration of the same encoder-decoder: LayerNorm before each block, a final LayerNorm per stack).
MODEL_CLASSES = {"post": BartForConditionalGeneration, "pre": MBartForConditionalGeneration}
CONFIG_CLASSES = {"post": BartConfig, "pre": MBartConfig}
# Keys that belong to a GenerationConfig or to the tokenizer: a preset carrying them is a mistake.
FORBIDDEN_KEYS = frozenset(
    {
        "vocab_size",
        "pad_token_id",
        "bos_token_id",
        "eos_token_id",
        "decoder_start_token_id",
        "forced_eos_token_id",
        "forced_bos_token_id",
        "num_beams",
        "max_length",
        "min_length",
        "no_repeat_ngram_size",
        "early_stopping",
        "length_penalty",
    }
)


class ModelConfigError(UserError):
    """A preset key that is unknown, or that must come from the tokenizer or the generation config."""


@dataclass(frozen=True)
class SpecialIds:
    """The tokenizer's special ids as BART needs them: decoding starts at [SOS], is forced to end at [EOS]."""

    pad: int = PAD_ID
    bos: int = SOS_ID
    eos: int = EOS_ID

    @property
    def decoder_start(self) -> int:
        return self.bos

    @classmethod
    def from_scheme(cls, scheme) -> SpecialIds:
        tok = scheme.tokenizer
        return cls(pad=int(tok.pad_token_id), bos=int(tok.bos_token_id), eos=int(tok.eos_token_id))

    def as_kwargs(self) -> dict[str, int]:
        return {
            "pad_token_id": self.pad,
            "bos_token_id": self.bos,
            "eos_token_id": self.eos,
            "decoder_start_token_id": self.decoder_start,
            "forced_eos_token_id": self.eos,
        }


def validate_arch(arch: dict) -> dict:
    """Return ``arch`` as plain python values; raise ModelConfigError on an unknown or misplaced key."""
    arch = {k: v for k, v in dict(arch).items() if k != "name" and v is not None}  # None: BART's default
    misplaced = sorted(set(arch) & FORBIDDEN_KEYS)
    if misplaced:
        raise ModelConfigError(
            f"model preset must not set {misplaced}: they come from the tokenizer or generation"
        )
    unknown = sorted(set(arch) - ARCH_KEYS)
    if unknown:
        raise ModelConfigError(f"unknown model preset keys {unknown}; allowed: {sorted(ARCH_KEYS)}")
    if arch.get("norm", "post") not in MODEL_CLASSES:
        raise ModelConfigError(f"model norm={arch['norm']!r}: use one of {sorted(MODEL_CLASSES)}")
    return arch


def bart_config(arch: dict, vocab_size: int, ids: SpecialIds) -> BartConfig | MBartConfig:
    """The model config: preset + the tokenizer's vocabulary size and special ids (no generation keys)."""
    kwargs = validate_arch(arch)
    norm = kwargs.pop("norm", "post")
    return CONFIG_CLASSES[norm](vocab_size=int(vocab_size), **ids.as_kwargs(), **kwargs)


def model_class(arch: dict):
    """BartForConditionalGeneration (post-LN) or MBartForConditionalGeneration (pre-LN) for a preset."""
    return MODEL_CLASSES[dict(arch).get("norm", "post")]


def generation_config(
    ids: SpecialIds, max_new_tokens: int = MAX_NEW_TOKENS, num_beams: int = 1
) -> GenerationConfig:
    """Greedy (or beam) decoding that starts at [SOS], stops at [EOS] and pads with [PAD]."""
    return GenerationConfig(
        **ids.as_kwargs(),
        max_new_tokens=int(max_new_tokens),
        num_beams=int(num_beams),
        do_sample=False,
    )


def build_bart(
    arch: dict, vocab_size: int, ids: SpecialIds, max_new_tokens: int = MAX_NEW_TOKENS
) -> BartForConditionalGeneration:
    """A randomly initialised BART with ``model.generation_config`` set from the same special ids."""
    model = model_class(arch)(bart_config(arch, vocab_size, ids))
    model.generation_config = generation_config(ids, max_new_tokens=max_new_tokens)
    return model


def count_parameters(arch: dict, vocab_size: int, ids: SpecialIds | None = None) -> int:
    """Unique trainable parameters of the preset, counted on the meta device (no memory is allocated)."""
    with torch.device("meta"):
        model = model_class(arch)(bart_config(arch, vocab_size, ids or SpecialIds()))
    seen, total = set(), 0
    for (
        p
    ) in model.parameters():  # .parameters() already skips tied duplicates; the set guards against aliases
        if id(p) not in seen:
            seen.add(id(p))
            total += p.numel()
    return total
