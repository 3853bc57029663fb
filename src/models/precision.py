"""The device and precision a run trains in: ``trainer.precision=auto`` and the combinations that cannot work.

``auto`` is what pays in the real training loop, not in a bare kernel benchmark. On a CUDA GPU it is
bf16-mixed (16-mixed where the GPU has no bf16). On every CPU it is 32-true: a bare BART step
(``scripts/precision_probe.py``) runs bf16 1.3-2x faster on CPUs with AVX512-BF16 or AMX, but the whole
training loop does not. Measured on a 2-core AMD EPYC with AVX512-BF16 (the quickstart, runs alternated,
RESULTS.md "Precision in the real loop"): 32-true made about 1.45x the steps of bf16-mixed in the same time;
on a 2-core Intel Xeon with AMX (learn_sublists' d192, 800 steps) 1.47x; on AVX2-only EPYCs bf16 autocast
is ~20x slower. bf16-mixed stays one override away
(``trainer.precision=bf16-mixed``) and trains on any CPU.

``check_device`` refuses, before any compute, what Lightning would only find out with a traceback (or, for
too many CPU processes, by starting them all): a precision Lightning does not know, 16-mixed on a CPU, a GPU
asked for where none is visible, more devices than the machine has.
"""

from __future__ import annotations

import os

from src.errors import UserError

AUTO = "auto"
# Lightning's precision strings, with its aliases (lightning.fabric.plugins.precision.precision)
PRECISIONS = (
    "32-true",
    "bf16-mixed",
    "bf16-true",
    "16-mixed",
    "16-true",
    "64-true",
    "transformer-engine",
    "transformer-engine-float16",
)
ALIASES = {"32": "32-true", "64": "64-true", "16": "16-mixed", "bf16": "bf16-mixed"}
CPU_PRECISIONS = ("32-true", "bf16-mixed", "bf16-true", "16-true", "64-true")


def cpu_has_fast_bf16() -> bool:
    """True when oneDNN reports native bf16 support (AMX or AVX512-BF16) on this CPU (a fact recorded in
    the machine description; ``auto`` does not follow it, see the module's docstring)."""
    import torch

    try:
        if torch.ops.mkldnn._is_mkldnn_bf16_supported():
            return True
    except (AttributeError, RuntimeError):  # a build without oneDNN
        pass
    probes = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def cuda_has_bf16() -> bool:
    import torch

    return torch.cuda.is_available() and torch.cuda.is_bf16_supported()


def cuda_device_count() -> int:
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def uses_cuda(accelerator: str | None) -> bool:
    """Whether Lightning's ``accelerator`` setting lands on a CUDA GPU here."""
    acc = str(accelerator or "auto").lower()
    if acc in ("cpu",):
        return False
    if acc in ("gpu", "cuda"):
        return True
    return acc == "auto" and cuda_available()


def resolve_precision(precision, accelerator) -> str:
    """Lightning's precision string: ``auto`` resolved for this device, anything else kept."""
    text = str(precision)
    if text != AUTO:
        return text
    if uses_cuda(accelerator):
        return "bf16-mixed" if cuda_has_bf16() else "16-mixed"
    return "32-true"


def _device_count(devices, available: int) -> int | None:
    """How many devices ``trainer.devices`` asks for; None for 'auto' (Lightning takes what there is)."""
    if devices is None or str(devices).strip().lower() == AUTO:
        return None
    if isinstance(devices, list | tuple):
        return len(devices)
    text = str(devices).strip()
    if "," in text:  # "0,1": device indices
        return len([d for d in text.split(",") if d.strip()])
    try:
        n = int(text)
    except ValueError:
        raise UserError(f"trainer.devices={devices!r} must be a number, a list of indices or auto") from None
    return available if n == -1 else n


def check_device(trainer: dict, prefix: str = "trainer") -> None:
    """Refuse a device, device count or precision this machine cannot train with (UserError naming the keys).

    ``trainer``: the trainer node as a plain dict (``accelerator``, ``devices``, ``precision``)."""
    accelerator = str(trainer.get("accelerator") or AUTO).lower()
    precision = str(trainer.get("precision") or "32-true")
    if precision != AUTO and ALIASES.get(precision, precision) not in PRECISIONS:
        raise UserError(
            f"{prefix}.precision={precision!r} is not a precision Lightning knows "
            f"(use auto, {', '.join(PRECISIONS[:5])})"
        )
    gpu = uses_cuda(accelerator)
    if gpu and not cuda_available():
        raise UserError(
            f"{prefix}.accelerator={accelerator}: no CUDA GPU is visible on this machine "
            f"(use {prefix}.accelerator=cpu, or trainer=auto)"
        )
    if accelerator not in ("cpu", "gpu", "cuda", AUTO):
        raise UserError(f"{prefix}.accelerator={accelerator!r}: use cpu, gpu or auto")
    resolved = resolve_precision(precision, accelerator)
    resolved = ALIASES.get(resolved, resolved)
    if not gpu and resolved not in CPU_PRECISIONS:
        raise UserError(
            f"{prefix}.precision={precision} needs a CUDA GPU; on the CPU "
            f"({prefix}.accelerator={accelerator}) use {', '.join(CPU_PRECISIONS[:3])} or auto"
        )
    available = cuda_device_count() if gpu else cpu_count()
    what = "CUDA GPUs" if gpu else "CPU cores (one training process each)"
    wanted = _device_count(trainer.get("devices"), available)
    if wanted is not None and (wanted < 1 or wanted > available):
        raise UserError(
            f"{prefix}.devices={trainer.get('devices')} on {prefix}.accelerator={accelerator}: "
            f"this machine has {available} {what}"
        )
