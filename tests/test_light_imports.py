"""The physicist's commands import neither torch nor transformers (they cost ~1-2 s of start-up)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "tokenizers", "lightning")

# Runs the command as ``python -m`` would, then prints which heavy packages ended up imported.
PROBE = """
import runpy, sys
sys.argv = {argv!r}
try:
    runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
except SystemExit as e:
    if e.code not in (0, None):
        raise
print("HEAVY:" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def _heavy_imports(module: str, *args: str) -> list[str]:
    code = PROBE.format(argv=[module, *args], module=module, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    line = [x for x in out.stdout.splitlines() if x.startswith("HEAVY:")][-1]
    return [m for m in line[len("HEAVY:") :].split(",") if m]


@pytest.mark.parametrize(
    "args",
    [
        ["H: S(1,2,1/2); Q: L(3,2,1/6)"],
        ["--model", "sm", "--format", "paper"],
        ["--model", "sm", "--format", "json"],
    ],
)
def test_lagrangian_without_checkpoint_stays_light(args):
    assert _heavy_imports("src.lagrangian", *args) == []


def test_tokens_stats_stays_light():
    assert _heavy_imports("src.tokens", "stats", "--n", "12", "--max-fields", "2") == []


def test_score_stays_light(tmp_path):
    higgs = "+ FIELD SPIN 0 SU2 2 U1 - 1 DAGGER ID6 FIELD SPIN 0 SU2 2 U1 1 ID7 CONTRACTIONS SU2 ID6 ID7"
    (tmp_path / "t.txt").write_text(higgs + "\n")
    (tmp_path / "p.txt").write_text(higgs + "\n")
    assert _heavy_imports("src.score", str(tmp_path / "t.txt"), str(tmp_path / "p.txt")) == []


@pytest.mark.parametrize("module", ["src.physics", "src.metrics", "src.tokens"])
def test_library_packages_import_light(module):
    code = f"import sys, {module}; print('HEAVY:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "HEAVY:"
