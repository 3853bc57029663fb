"""The machine: a one-line description printed beside every absolute benchmark figure, its peak memory, and
the measured rate of a matrix product (the yardstick of the decoding and GPU benchmarks)."""

from __future__ import annotations

import os
import platform
import time


def describe() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    gpu, bf16 = "no GPU", ""
    try:
        import torch

        from src.models.precision import cpu_has_fast_bf16

        bf16 = ", bf16 kernels (AVX512-BF16/AMX)" if cpu_has_fast_bf16() else ", no bf16 kernels"
        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except Exception:  # torch missing or broken: still describe the CPU
        pass
    return f"{cpu}{bf16}, {os.cpu_count()} cores, {gpu}, Python {platform.python_version()}"


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux ru_maxrss is in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def matmul_peak(
    dtype_name: str = "bfloat16", n: int = 8192, repeats: int = 10, device: str = "cuda"
) -> float:
    """Measured FLOP/s of an n x n x n matrix product on ``device`` (the best of ``repeats``)."""
    import torch

    dtype = getattr(torch, dtype_name)
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for _ in range(3):
        a @ b
    sync()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        sync()
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best
