"""The collapse probe: it fires on a real BART whose decoder cannot see its input and not on one that can.

A decoder that ignores its input is made by zeroing the output projection of every cross-attention block of a
tiny BART: the decoder then computes the same thing for every input, exactly the failure RESULTS.md found.
"""

from __future__ import annotations

import pytest
import torch
from eval_helpers import validate_with

from src.callbacks.probe import DecodingProbe
from src.metrics.collapse import CollapseDetector, distinct_share, encoder_spread
from src.models.module import LagrangianBart


def test_distinct_share_counts_distinct_sequences():
    assert distinct_share([("a", "b"), ("a", "b"), ("c",)]) == pytest.approx(2 / 3)
    assert distinct_share([["x"]] * 5) == pytest.approx(1 / 5)
    assert distinct_share([]) == 0.0


def test_encoder_spread_is_zero_for_identical_inputs_and_ignores_padding():
    same = torch.ones(4, 3, 8)
    mask = torch.ones(4, 3, dtype=torch.long)
    assert encoder_spread(same, mask) == 0.0
    padded = same.clone()
    padded[1, 2] = 100.0  # a padded position: must not count
    mask[1, 2] = 0
    assert encoder_spread(padded, mask) == 0.0
    different = torch.randn(4, 3, 8, generator=torch.Generator().manual_seed(0))
    assert encoder_spread(different, torch.ones(4, 3)) > 0.1


def test_detector_threshold_scales_with_the_probe_size():
    d = CollapseDetector(max_distinct_share=0.1)
    assert d.collapsed(1 / 8, 8) and not d.collapsed(2 / 8, 8)  # fewer than 20 inputs: one answer only
    assert d.collapsed(3 / 32, 32) and not d.collapsed(4 / 32, 32)
    with pytest.raises(ValueError):
        CollapseDetector(max_distinct_share=1.0)


def test_detector_stops_only_after_consecutive_late_collapsed_probes():
    d = CollapseDetector(stop_after=2, min_step=100)
    d.update(50, 1 / 32, 32)
    d.update(80, 1 / 32, 32)
    assert not d.should_stop()  # early: every untrained model starts collapsed
    d.update(120, 1 / 32, 32)
    assert not d.should_stop()
    d.update(150, 1 / 32, 32)
    assert d.should_stop()
    s = d.summary()
    assert s["collapsed"] and s["first_collapsed_step"] == 120 and len(s["probes"]) == 4
    d.update(200, 20 / 32, 32)
    assert not d.should_stop() and not d.summary()["collapsed"]
    restored = CollapseDetector()
    restored.load_state_dict(d.state_dict())
    assert restored.history == d.history


def _tiny_bart(dm, tiny_arch) -> LagrangianBart:
    torch.manual_seed(0)
    arch = {**tiny_arch, "init_std": 0.3}  # large enough that an untrained decoder reads its input
    return LagrangianBart(arch, vocab_size=dm.scheme.vocab_size, scheme=dm.scheme, max_new_tokens=16)


def _cut_cross_attention(model: LagrangianBart) -> None:
    for layer in model.model.model.decoder.layers:
        torch.nn.init.zeros_(layer.encoder_attn.out_proj.weight)
        torch.nn.init.zeros_(layer.encoder_attn.out_proj.bias)


def test_probe_fires_on_a_decoder_that_ignores_its_input(tiny_datamodule, tiny_arch, capsys):
    model = _tiny_bart(tiny_datamodule, tiny_arch)
    _cut_cross_attention(model)
    callback = DecodingProbe(num_examples=8, batch_size=8, collapse={"stop_after": 1})
    metrics = validate_with(model, tiny_datamodule, callback)
    assert float(metrics["val/collapsed"]) == 1.0
    assert float(metrics["val/distinct_outputs"]) * len(
        tiny_datamodule.table("val").iloc[:8]
    ) == pytest.approx(1)
    assert float(metrics["val/input_dependence"]) == pytest.approx(0.0, abs=1e-6)
    assert float(metrics["val/encoder_spread"]) > 0.0  # the encoder still tells inputs apart
    assert callback.detector.should_stop()
    assert "COLLAPSE at step" in capsys.readouterr().out


def test_probe_stays_quiet_on_a_decoder_that_reads_its_input(tiny_datamodule, tiny_arch, capsys):
    model = _tiny_bart(tiny_datamodule, tiny_arch)
    callback = DecodingProbe(num_examples=8, batch_size=8, collapse={"stop_after": 1})
    metrics = validate_with(model, tiny_datamodule, callback)
    assert float(metrics["val/collapsed"]) == 0.0
    assert float(metrics["val/distinct_outputs"]) > 0.5
    assert abs(float(metrics["val/input_dependence"])) > 1e-4
    assert not callback.detector.should_stop()
    assert "COLLAPSE" not in capsys.readouterr().out
