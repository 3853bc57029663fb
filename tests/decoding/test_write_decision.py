"""``scripts/write_decision.py``: the write probability read after the target's words before its terms."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest
import torch

from src.config.model import model_preset
from src.models.module import LagrangianBart
from src.physics.terms import Lagrangian
from src.tokens import build_scheme
from src.tokens.stats import random_fields

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "write_decision.py"


@pytest.fixture(scope="module")
def write_decision():
    spec = importlib.util.spec_from_file_location("write_decision", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def untrained(scheme) -> LagrangianBart:
    torch.manual_seed(0)
    arch = model_preset("tiny")
    model = LagrangianBart(arch, vocab_size=scheme.vocab_size, scheme=scheme, max_new_tokens=8)
    return model.eval()


def one_by_one(model, fields) -> tuple[float, bool]:
    """The same numbers from one unpadded forward pass of a single list."""
    scheme, vocab = model.scheme, model.scheme.tokenizer.get_vocab()
    batch = scheme.collate([scheme.encode(fields, None)])
    prefix = scheme.ids(scheme.target_tokens(Lagrangian(list(fields), [])))
    decoder = torch.tensor([[model.ids.decoder_start, vocab["[SOS]"], *prefix]])
    with torch.no_grad():
        logits = model.model(
            **model.encoder_inputs(batch), attention_mask=batch["attention_mask"], decoder_input_ids=decoder
        ).logits[0]
    p = logits[-1].softmax(-1)
    right = bool((logits[1:-1].argmax(-1) == torch.tensor(prefix, dtype=torch.long)).all())
    return float(p[vocab["+"]] + p[vocab["-"]]), right


@pytest.mark.parametrize("sums", [False, True])
def test_batched_reading_equals_one_list_at_a_time(write_decision, sums):
    options = {"charges": "common_denominator", "charge_sums": True} if sums else {}
    model = untrained(build_scheme("field_refs", canonical=True, **options))
    rng = random.Random(1)
    lists = [random_fields(rng, rng.randint(1, 4)) for _ in range(7)]  # sums of different lengths
    probs, rights = write_decision.write_probabilities(model, lists, batch_size=4)
    assert len(probs) == len(rights) == 7
    for fields, p, right in zip(lists, probs, rights):
        q, r = one_by_one(model, fields)
        assert p == pytest.approx(q, abs=1e-5) and 0.0 <= p <= 1.0
        assert right == r
