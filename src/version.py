"""The code version recorded by every run, dataset and benchmark: the git SHA and a dirty flag."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_version() -> dict:
    """``{"git_sha": ..., "dirty": ...}`` (dirty: tracked files differ); Nones outside a git checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return {"git_sha": sha, "dirty": bool(dirty)}
    except (OSError, subprocess.CalledProcessError):
        return {"git_sha": None, "dirty": None}


def describe_version() -> str:
    """Short form for reports: ``5b5bd55`` or ``5b5bd55 (dirty)``."""
    v = code_version()
    if not v["git_sha"]:
        return "unknown"
    return v["git_sha"][:7] + (" (dirty)" if v["dirty"] else "")
