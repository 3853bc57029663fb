"""The analytic FLOP count of a training step equals PyTorch's FlopCounterMode count of a real step."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml
from torch.utils.flop_counter import FlopCounterMode

from src.bench.flops import forward_flops, train_step_flops
from src.models.module import LagrangianBart
from src.tokens import build_scheme

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


@pytest.mark.parametrize("preset", ["tiny", "mini"])
@pytest.mark.parametrize("shape", [(2, 7, 11), (3, 20, 5)])
def test_train_step_flops_match_pytorchs_counter(preset, shape):
    batch, source_len, target_len = shape
    scheme = build_scheme("field_refs")
    arch = yaml.safe_load((CONF_DIR / "model" / f"{preset}.yaml").read_text())
    arch.pop("name")
    torch.manual_seed(0)
    model = LagrangianBart(arch, scheme.vocab_size, scheme=scheme)
    # eager attention: explicit matrix products the counter sees (its CPU SDPA kernel is not counted)
    model.model.set_attn_implementation("eager")
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
