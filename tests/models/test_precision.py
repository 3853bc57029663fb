"""trainer.precision=auto resolved on every kind of device (each branch forced, not the one this machine
takes); the device settings a machine cannot train with are refused by name; clipping under a loss scaler."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from src.errors import UserError
from src.models import precision
from src.models.precision import check_device, cpu_has_fast_bf16, resolve_precision


def _machine(monkeypatch, *, cuda=False, cuda_bf16=False, gpus=0, cores=2, cpu_bf16=False):
    """What the probes find, forced: a CUDA GPU (with bf16 or not), GPU and core counts, bf16 CPU kernels."""
    monkeypatch.setattr(precision, "cuda_available", lambda: cuda)
    monkeypatch.setattr(precision, "cuda_has_bf16", lambda: cuda and cuda_bf16)
    monkeypatch.setattr(precision, "cuda_device_count", lambda: gpus if cuda else 0)
    monkeypatch.setattr(precision, "cpu_count", lambda: cores)
    monkeypatch.setattr(precision, "cpu_has_fast_bf16", lambda: cpu_bf16)


@pytest.mark.parametrize("explicit", ["32-true", "bf16-mixed", "16-mixed", "bf16-true"])
def test_an_explicit_precision_is_kept_on_any_device(explicit):
    assert resolve_precision(explicit, "cpu") == explicit
    assert resolve_precision(explicit, "auto") == explicit


@pytest.mark.parametrize("cpu_bf16", [True, False], ids=["bf16-kernels", "avx2-only"])
@pytest.mark.parametrize("accelerator", ["cpu", "auto"])
def test_auto_is_fp32_on_every_cpu_with_or_without_bf16_kernels(monkeypatch, cpu_bf16, accelerator):
    _machine(monkeypatch, cpu_bf16=cpu_bf16)  # no GPU: accelerator=auto lands on the CPU
    assert resolve_precision("auto", accelerator) == "32-true"


@pytest.mark.parametrize(("cuda_bf16", "expected"), [(True, "bf16-mixed"), (False, "16-mixed")])
@pytest.mark.parametrize("accelerator", ["gpu", "cuda", "auto"])
def test_auto_on_a_cuda_gpu_is_mixed_precision_in_bf16_where_the_gpu_has_it(
    monkeypatch, cuda_bf16, expected, accelerator
):
    _machine(monkeypatch, cuda=True, cuda_bf16=cuda_bf16, gpus=1)
    assert resolve_precision("auto", accelerator) == expected
    assert resolve_precision("auto", "cpu") == "32-true"  # a GPU machine told to train on its CPU


def test_cpu_bf16_detection_agrees_with_the_kernel_flags_the_processor_reports():
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.exists():
        pytest.skip("no /proc/cpuinfo on this system")
    flags = set()
    for line in cpuinfo.read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            break
    assert cpu_has_fast_bf16() == bool(flags & {"amx_bf16", "avx512_bf16"})


@pytest.mark.parametrize(
    ("machine", "trainer", "named"),
    [
        ({}, {"accelerator": "cpu", "precision": "16-mixed"}, "trainer.precision=16-mixed needs a CUDA GPU"),
        ({}, {"accelerator": "auto", "precision": "16"}, "trainer.precision=16 needs a CUDA GPU"),
        ({}, {"accelerator": "gpu", "precision": "bf16-mixed"}, "trainer.accelerator=gpu: no CUDA GPU"),
        ({}, {"accelerator": "cpu", "devices": 3}, "trainer.devices=3 on trainer.accelerator=cpu"),
        ({}, {"accelerator": "cpu", "devices": 99}, "this machine has 2 CPU cores"),
        ({}, {"accelerator": "cpu", "devices": 0}, "trainer.devices=0"),
        ({}, {"accelerator": "cpu", "devices": "two"}, "trainer.devices='two' must be a number"),
        ({}, {"accelerator": "tpu"}, "trainer.accelerator='tpu'"),
        ({}, {"precision": "fp8"}, "trainer.precision='fp8' is not a precision Lightning knows"),
        ({"cuda": True, "gpus": 2}, {"accelerator": "gpu", "devices": 4}, "this machine has 2 CUDA GPUs"),
        ({"cuda": True, "gpus": 1}, {"accelerator": "gpu", "devices": [0, 1]}, "machine has 1 CUDA GPU"),
    ],
)
def test_a_device_setting_the_machine_cannot_train_with_is_refused_by_name(
    monkeypatch, machine, trainer, named
):
    _machine(monkeypatch, **machine)
    with pytest.raises(UserError, match=named.replace("[", r"\[")):
        check_device(trainer)


@pytest.mark.parametrize(
    ("machine", "trainer"),
    [
        ({}, {"accelerator": "cpu", "devices": 1, "precision": "32-true"}),
        ({}, {"accelerator": "cpu", "devices": 2, "precision": "bf16-mixed"}),  # trainer=ddp_cpu
        ({}, {"accelerator": "auto", "devices": "auto", "precision": "auto"}),
        ({}, {"accelerator": "cpu", "devices": -1, "precision": "bf16-true"}),
        ({"cuda": True, "gpus": 1}, {"accelerator": "gpu", "devices": 1, "precision": "16-mixed"}),
        ({"cuda": True, "gpus": 2}, {"accelerator": "gpu", "devices": "0,1", "precision": "bf16"}),
        ({"cuda": True, "gpus": 8}, {"accelerator": "auto", "devices": "auto", "precision": "auto"}),
    ],
)
def test_a_device_setting_the_machine_has_passes(monkeypatch, machine, trainer):
    _machine(monkeypatch, **machine)
    check_device(trainer)


def test_clipping_under_a_loss_scaler_clips_the_true_gradients_and_steps_as_without_one():
    """16-mixed (a GPU's loss scaler; here the CPU's GradScaler): the fused kernel would unscale inside its
    step, after clipping; clipping unscales first, and the update equals the unscaled run's. (For the loop
    kernel Lightning unscales before clipping itself.)"""
    from src.models.module import LagrangianBart

    def step(scaled: bool):
        torch.manual_seed(0)
        lin = torch.nn.Linear(4, 3)
        opt = torch.optim.AdamW(lin.parameters(), lr=0.1, fused=True)
        loss = (lin(torch.randn(8, 4)) ** 2).sum()
        scaler = torch.amp.GradScaler("cpu", init_scale=2.0**10) if scaled else None
        (scaler.scale(loss) if scaled else loss).backward()
        module = SimpleNamespace(trainer=SimpleNamespace(precision_plugin=SimpleNamespace(scaler=scaler)))
        LagrangianBart.configure_gradient_clipping(module, opt, 0.5, "norm")
        norm = float(torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in lin.parameters()])))
        if scaled:
            scaler.step(opt)
            scaler.update()
        else:
            opt.step()
        return norm, [p.detach().clone() for p in lin.parameters()]

    plain_norm, plain = step(scaled=False)
    scaled_norm, scaled = step(scaled=True)
    assert plain_norm == pytest.approx(0.5, rel=1e-4) and scaled_norm == pytest.approx(0.5, rel=1e-4)
    assert all(torch.allclose(a, b) for a, b in zip(plain, scaled))
