"""Test doubles of the evaluation tests."""

from __future__ import annotations

import random

import lightning as L

from src.models.module import LagrangianBart
from src.physics.lagrangian import build_lagrangian
from src.tokens.paper import parse_fields_tokens


def decode_through_generate_tokens(module, examples, batch_size, deadline=None, **decoding):
    """``decode_examples`` of a double: its ``generate_tokens`` on consecutive batches."""
    decoding.pop("constraints", None)
    if decoding.pop("write_threshold", None) is not None:
        raise ValueError("these doubles answer whole; they take no write threshold")
    words = []
    for start in range(0, len(examples), batch_size):
        batch = module.scheme.collate(examples[start : start + batch_size])
        words += module.generate_tokens(batch, **decoding)
    return words


class OracleAnswers(LagrangianBart):
    """A LagrangianBart whose ``generate_tokens`` reads the input fields and writes the oracle's answer."""

    decode_examples = decode_through_generate_tokens

    def generate_tokens(self, batch, max_new_tokens=None, num_beams=1, engine="lean", constraints=None):
        out = []
        for ids in batch["input_ids"].tolist():
            fields = parse_fields_tokens(self.scheme.decode(ids))
            out.append(self.scheme.target_tokens(build_lagrangian(fields), random.Random(len(out))))
        return out


class LookupAnswers(LagrangianBart):
    """A LagrangianBart that answers each input (its ids without padding) from a prepared table of words."""

    answers: dict[tuple[int, ...], list[str]]
    decode_examples = decode_through_generate_tokens

    def generate_tokens(self, batch, max_new_tokens=None, num_beams=1, engine="lean", constraints=None):
        pad = self.ids.pad
        return [self.answers[tuple(i for i in ids if i != pad)] for ids in batch["input_ids"].tolist()]


def validate_with(model, dm, callback):
    """Validate one batch of ``model`` on ``dm`` with ``callback`` attached; the callback metrics."""
    trainer = L.Trainer(
        accelerator="cpu",
        logger=False,
        callbacks=[callback],
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_val_batches=1,
    )
    trainer.validate(model, datamodule=dm, verbose=False)
    return trainer.callback_metrics
