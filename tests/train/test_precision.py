"""trainer.precision=auto: bf16 only where the device has fast bf16 kernels, explicit choices kept."""

from pathlib import Path

import pytest
import torch

from src.models import precision
from src.models.precision import cpu_has_fast_bf16, resolve_precision


@pytest.mark.parametrize("explicit", ["32-true", "bf16-mixed", "16-mixed", "bf16-true"])
def test_an_explicit_precision_is_kept_on_any_device(explicit):
    assert resolve_precision(explicit, "cpu") == explicit
    assert resolve_precision(explicit, "auto") == explicit


@pytest.mark.parametrize(("fast", "expected"), [(True, "bf16-mixed"), (False, "32-true")])
def test_auto_on_a_cpu_follows_the_cpus_bf16_kernels(monkeypatch, fast, expected):
    monkeypatch.setattr(precision, "cpu_has_fast_bf16", lambda: fast)
    assert resolve_precision("auto", "cpu") == expected
    if not torch.cuda.is_available():  # accelerator=auto lands on the CPU here
        assert resolve_precision("auto", "auto") == expected


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


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_auto_on_a_gpu_is_mixed_precision():
    assert resolve_precision("auto", "gpu") in ("bf16-mixed", "16-mixed")
    assert resolve_precision("auto", "auto") in ("bf16-mixed", "16-mixed")
