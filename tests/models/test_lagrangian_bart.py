"""LagrangianBart without data: loss, schedule, value channel, generation, save/load."""

import math

import pytest
import torch

from src.config.model import model_preset
from src.models.module import LagrangianBart, ValueChannel, lr_factor

ARCH = model_preset("tiny")


def batch(vocab=20, b=3, s=7, t=9, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, vocab, (b, s), generator=g)
    labels = torch.randint(4, vocab, (b, t), generator=g)
    labels[0, -3:] = -100
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}


def test_loss_ignores_label_padding():
    torch.manual_seed(0)
    m = LagrangianBart(ARCH, vocab_size=20).eval()
    b = batch()
    full = m(b).loss
    b2 = {**b, "labels": b["labels"].clone()}
    b2["labels"][0, -3:] = 5  # un-pad three positions: the loss must change
    assert not torch.isclose(full, m(b2).loss)
    b3 = {**b, "labels": b["labels"].clone()}
    assert torch.isclose(full, m(b3).loss)


def test_decision_weight_one_is_the_plain_mean_and_w_counts_the_first_answer_word_w_times():
    from src.models.module import decision_weighted_loss

    torch.manual_seed(0)
    m = LagrangianBart(ARCH, vocab_size=20).eval()
    b = batch()
    out = m(b)
    labels = b["labels"]
    assert torch.isclose(decision_weighted_loss(out.logits, labels, 1.0), out.loss, atol=1e-6)
    # by hand: each target token's negative log-likelihood, the position-1 ones (the decision) w times
    logp = torch.log_softmax(out.logits.float(), -1)
    total, count, w = 0.0, 0.0, 7.0
    for i in range(labels.shape[0]):
        for t in range(labels.shape[1]):
            if labels[i, t] != -100:
                k = w if t == 1 else 1.0
                total += -k * float(logp[i, t, labels[i, t]])
                count += k
    assert math.isclose(float(decision_weighted_loss(out.logits, labels, w)), total / count, rel_tol=1e-5)


def test_the_decision_weight_changes_the_training_loss_only():
    torch.manual_seed(0)
    plain = LagrangianBart(ARCH, vocab_size=20).eval()
    weighted = LagrangianBart(ARCH, vocab_size=20, optim={"decision_weight": 5.0}).eval()
    weighted.load_state_dict(plain.state_dict())
    b = batch()
    plain.log = weighted.log = lambda *a, **k: None  # no trainer to log to
    assert torch.isclose(plain._step(b, "val"), weighted._step(b, "val"))
    assert not torch.isclose(plain._step(b, "train"), weighted._step(b, "train"))


def test_lr_warms_up_linearly_then_decays_to_the_floor():
    assert lr_factor(0, 10, 100, "linear", 0.0) == pytest.approx(0.1)
    assert lr_factor(9, 10, 100, "linear", 0.0) == pytest.approx(1.0)
    assert lr_factor(55, 10, 100, "linear", 0.0) == pytest.approx(0.5)
    assert lr_factor(100, 10, 100, "cosine", 0.1) == pytest.approx(0.1)
    assert lr_factor(55, 10, 100, "cosine", 0.0) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))


def test_value_channel_leaves_non_number_positions_untouched():
    vc = ValueChannel(16)
    out = vc(torch.tensor([[0.0, 0.5, -1.5, 0.0]]))
    assert torch.all(out[0, 0] == 0) and torch.all(out[0, 3] == 0)
    assert out[0, 1].abs().sum() > 0 and not torch.allclose(out[0, 1], out[0, 2])


def test_u1_values_change_the_encoder_state_only_with_the_value_channel():
    torch.manual_seed(0)
    b = batch()
    u1 = torch.zeros_like(b["input_ids"], dtype=torch.float)
    u1[:, 2] = 0.5
    for numeric, should_differ in ((True, True), (False, False)):
        m = LagrangianBart(ARCH, vocab_size=20, numeric_u1=numeric).eval()
        plain = m.encoder_first_state(b["input_ids"], b["attention_mask"])
        valued = m.encoder_first_state(b["input_ids"], b["attention_mask"], u1_values=u1)
        assert plain.shape == (3, ARCH["d_model"])
        assert (not torch.allclose(plain, valued)) == should_differ


def test_greedy_generation_starts_at_sos_and_respects_max_new_tokens():
    torch.manual_seed(0)
    m = LagrangianBart(ARCH, vocab_size=20)
    ids = m.generate_ids(batch(), max_new_tokens=5)
    assert ids.shape[0] == 3 and ids.shape[1] <= 6
    assert torch.all(ids[:, 0] == 0)


def test_save_and_load_pretrained_give_the_same_outputs(tmp_path):
    torch.manual_seed(0)
    m = LagrangianBart(ARCH, vocab_size=20, numeric_u1=True).eval()
    m.save_pretrained(tmp_path / "best_model")
    back = LagrangianBart.load_pretrained(tmp_path / "best_model")
    b = batch()
    b["u1_values"] = torch.rand(b["input_ids"].shape)
    assert torch.allclose(m(b).logits, back(b).logits, atol=1e-6)


def test_pre_layernorm_preset_builds_mbart_and_round_trips(tmp_path):
    from transformers import MBartForConditionalGeneration

    torch.manual_seed(0)
    m = LagrangianBart({**ARCH, "norm": "pre"}, vocab_size=20).eval()
    assert isinstance(m.model, MBartForConditionalGeneration)
    m.save_pretrained(tmp_path / "best_model")
    back = LagrangianBart.load_pretrained(tmp_path / "best_model")
    assert isinstance(back.model, MBartForConditionalGeneration)
    assert torch.allclose(m(batch()).logits, back(batch()).logits, atol=1e-6)


@pytest.mark.parametrize("norm", ["post", "pre"])
def test_teacher_forcing_starts_from_sos_as_generation_does(norm):
    # the logits at position 0 are the decoder's answer to [SOS] alone, exactly what greedy decoding reads
    torch.manual_seed(0)
    m = LagrangianBart({**ARCH, "norm": norm}, vocab_size=20).eval()
    b = batch()
    first = m(b).logits[:, 0].argmax(-1)
    generated = m.generate_ids(b, max_new_tokens=2)[:, 1]  # (the last step is forced to [EOS])
    assert torch.equal(first, generated)


def _groups(scale):
    m = LagrangianBart(ARCH, vocab_size=20, optim={"lr": 1e-3, "encoder_lr_scale": scale})
    opt = m.configure_optimizers()["optimizer"]
    names = {id(p): n for n, p in m.named_parameters()}
    return [
        (g["initial_lr"], g["weight_decay"], [names[id(p)] for p in g["params"]]) for g in opt.param_groups
    ], m


def test_encoder_lr_scale_slows_only_the_encoders_own_parameters():
    groups, m = _groups(0.25)
    every = [n for _, _, names in groups for n in names]
    assert sorted(every) == sorted(n for n, p in m.named_parameters() if p.requires_grad)  # each once
    for lr, wd, names in groups:
        encoder = {".encoder." in f".{n}" for n in names}
        assert len(encoder) == 1  # a group is all encoder or all not
        assert lr == pytest.approx(2.5e-4 if encoder == {True} else 1e-3)
        if wd == 0.0:
            assert all(m.get_parameter(n).ndim < 2 or "norm" in n for n in names)
    shared = [n for _, _, names in groups for n in names if "shared" in n or "embed_tokens" in n]
    assert shared and all(lr == pytest.approx(1e-3) for lr, _, names in groups for n in names if n in shared)
    assert any(lr == pytest.approx(2.5e-4) for lr, _, _ in groups)


def test_encoder_lr_scale_one_keeps_two_groups_decay_then_no_decay():
    groups, _ = _groups(1.0)  # the layout of earlier checkpoints, so their optimiser state still loads
    assert [wd for _, wd, _ in groups] == [0.01, 0.0]


def test_adamw_is_fused_unless_the_config_says_otherwise_and_a_loop_state_resumes_in_it():
    fused = LagrangianBart(ARCH, vocab_size=20).configure_optimizers()["optimizer"]
    loop = LagrangianBart(ARCH, vocab_size=20, optim={"fused": False}).configure_optimizers()["optimizer"]
    assert fused.defaults["fused"] is True and not loop.defaults["fused"]
    params = [p for g in loop.param_groups for p in g["params"]]
    for p in params:
        p.grad = torch.ones_like(p)
    loop.step()
    fused.load_state_dict(loop.state_dict())  # a checkpoint of the per-tensor loop (runs before the key)
    assert float(fused.state_dict()["state"][0]["step"]) == 1.0
