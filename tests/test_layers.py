"""The code's floors hold and it carries no dead code: the import-linter contract of ``pyproject.toml``
(each layer imports only the layers below it, no circles) and vulture's dead-code search, as ``make lint``
runs them; here so that CI runs them too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_every_layer_imports_only_the_layers_below_it():
    out = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-1000:]
    assert "1 kept, 0 broken" in out.stdout


def test_vulture_finds_no_dead_code():
    cmd = [str(BIN / "vulture"), "src", "scripts", "tests", "--min-confidence", "60"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
