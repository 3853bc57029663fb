"""Vocabularies and the word-level Hugging Face tokenizer that carries them.

The paper's 41 words sit at the paper's ids (paper.md §4.2), so that a checkpoint trained on that vocabulary
loads: the four specials at 0-3, then the order the authors' tokenizer assigned. Schemes with extra words
(field labels, opaque field words, [NUM]) append them after id 40, so the paper's ids never move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import EOS, PAD, SOS, SPECIAL_TOKENS, UNK

if TYPE_CHECKING:  # importing transformers costs ~1 s: only the tokenizer builder needs it
    from transformers import PreTrainedTokenizerFast

DIGITS_IN_PAPER_ORDER = ("0", "3", "4", "5", "6", "7", "8", "9")  # 1 and 2 come earlier, with '/' and '-'
PAPER_VOCAB: tuple[str, ...] = (
    *SPECIAL_TOKENS,  # 0-3
    "/",
    "1",
    "2",
    "-",
    "+",
    *DIGITS_IN_PAPER_ORDER,  # 9-16
    "COMMUTATOR_A",
    "COMMUTATOR_B",
    "CONTRACTIONS",
    "DAGGER",
    "DERIVATIVE",
    "FIELD",
    "HEL",
    *(f"ID{k}" for k in range(10)),  # 24-33
    "LORENTZ",
    "SIGMA_BAR",
    "SPIN",
    "SU2",
    "SU3",
    "U1",
    "i",
)


def extend_vocab(base: tuple[str, ...], extra) -> tuple[str, ...]:
    """``base`` then the words of ``extra`` it lacks, in the given order (ids of ``base`` unchanged)."""
    seen = set(base)
    out = list(base)
    for w in extra:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return tuple(out)


def build_tokenizer(words: tuple[str, ...]) -> PreTrainedTokenizerFast:
    """A word-level tokenizer with ``words[k]`` at id k; words are whitespace-separated already.

    WhitespaceSplit (not the paper's regex Whitespace) keeps multi-character words such as ``F3`` or
    ``S(1,2,1/2)`` whole; on paper-format text, already spaced digit by digit, the two agree.
    """
    if tuple(words[:4]) != SPECIAL_TOKENS:
        raise ValueError("the vocabulary must start with [SOS], [EOS], [PAD], [UNK]")
    if len(set(words)) != len(words) or any(not w or any(c.isspace() for c in w) for w in words):
        raise ValueError("vocabulary words must be distinct, non-empty and without whitespace")
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit
    from transformers import PreTrainedTokenizerFast

    model = WordLevel({w: k for k, w in enumerate(words)}, unk_token=UNK)
    tok = Tokenizer(model)
    tok.pre_tokenizer = WhitespaceSplit()
    tok.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=SOS, eos_token=EOS, pad_token=PAD, unk_token=UNK
    )
