"""A one-line description of the machine, printed beside every absolute benchmark figure."""

from __future__ import annotations

import os
import platform


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
    gpu = "no GPU"
    try:
        import torch

        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except Exception:  # torch missing or broken: still describe the CPU
        pass
    return f"{cpu}, {os.cpu_count()} cores, {gpu}, Python {platform.python_version()}"


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux ru_maxrss is in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
