"""The training precision that pays on the device at hand: ``trainer.precision=auto``.

bf16 autocast halves the memory traffic, but on a CPU it is fast only where oneDNN has bf16 kernels
(AMX or AVX512-BF16). Measured with ``scripts/precision_probe.py`` (a bare BART step, small model,
batch 16 x 190 target tokens, 2 threads): an Intel Xeon with AMX ran bf16 1.2-1.8x faster than fp32,
an AMD EPYC with AVX2 only ran it 20x *slower* (152 against 2,995 target tokens/s). So ``auto`` means
bf16-mixed on a CUDA GPU that supports bf16 (16-mixed on an older one), bf16-mixed on a CPU with
native bf16 kernels, and 32-true on any other CPU.
"""

from __future__ import annotations

AUTO = "auto"


def cpu_has_fast_bf16() -> bool:
    """True when oneDNN reports native bf16 support (AMX or AVX512-BF16) on this CPU."""
    import torch

    try:
        if torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return True
    except (AttributeError, RuntimeError):  # a build without oneDNN
        pass
    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def uses_cuda(accelerator: str | None) -> bool:
    """Whether Lightning's ``accelerator`` setting lands on a CUDA GPU here."""
    import torch

    acc = str(accelerator or "auto").lower()
    if acc in ("cpu",):
        return False
    if acc in ("gpu", "cuda"):
        return True
    return acc == "auto" and torch.cuda.is_available()


def resolve_precision(precision, accelerator) -> str:
    """Lightning's precision string: ``auto`` resolved for this device, anything else kept."""
    text = str(precision)
    if text != AUTO:
        return text
    if uses_cuda(accelerator):
        import torch

        return "bf16-mixed" if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else "16-mixed"
    return "bf16-mixed" if cpu_has_fast_bf16() else "32-true"
