"""The analytic FLOP count of a training step equals PyTorch's FlopCounterMode count of a real step."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from src.bench.flops import forward_flops, greedy_decode_flops, train_step_flops
from src.config.model import model_preset
from src.models.bart import generation_config
from src.models.module import LagrangianBart
from src.tokens import build_scheme

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


def _eager_model(preset: str):
    """(arch, scheme, module) of a seeded preset with eager attention: explicit matrix products the counter
    sees (its CPU SDPA kernel is not counted)."""
    scheme = build_scheme("field_refs")
    arch = model_preset(preset)
    torch.manual_seed(0)
    module = LagrangianBart(arch, scheme.vocab_size, scheme=scheme)
    module.model.set_attn_implementation("eager")
    return arch, scheme, module


@pytest.mark.parametrize("preset", ["tiny", "mini"])
@pytest.mark.parametrize("shape", [(2, 7, 11), (3, 20, 5)])
def test_train_step_flops_match_pytorchs_counter(preset, shape):
    batch, source_len, target_len = shape
    arch, scheme, model = _eager_model(preset)
    ids = torch.randint(4, scheme.vocab_size, (batch, source_len))
    labels = torch.randint(4, scheme.vocab_size, (batch, target_len))
    data = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}
    with FlopCounterMode(display=False) as counter:
        model(data).loss.backward()
    counted = counter.get_total_flops()
    ours = train_step_flops(arch, scheme.vocab_size, batch, source_len, target_len)
    assert ours == counted
    assert train_step_flops(arch, scheme.vocab_size, *shape) == 3 * forward_flops(
        arch, scheme.vocab_size, *shape
    )


@pytest.mark.parametrize("preset", ["tiny", "mini"])
@pytest.mark.parametrize("shape", [(2, 7, 5), (3, 12, 9)])
def test_greedy_decode_flops_match_pytorchs_counter_on_generate(preset, shape):
    batch, source_len, new_tokens = shape
    arch, scheme, module = _eager_model(preset)
    bart = module.model.eval()
    with torch.no_grad():  # no row ends early: exactly new_tokens decoder steps
        bart.final_logits_bias[..., module.ids.eos] = -1e4
    ids = torch.randint(4, scheme.vocab_size, (batch, source_len))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        out = bart.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            generation_config=generation_config(module.ids, new_tokens),
        )
    assert out.shape == (batch, new_tokens + 1)
    assert counter.get_total_flops() == greedy_decode_flops(arch, scheme.vocab_size, *shape)
