"""The notebooks: committed without outputs and without logic (fast), and executed end to end on a tiny
fixture run (slow): ``python -m src.train`` on the tiny dataset, ``python -m src.evaluate`` on a few rows,
then all three notebooks through nbclient, their inputs pointed at that run by environment variables."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = ("01-dataset", "02-results", "03-embeddings")
TINY_TRAIN = [
    "data=tiny",
    "model=tiny",
    "data.datamodule.batch_size=8",
    "decode.max_new_tokens=48",
    "callbacks=loss_only",
    "logger=csv",
    "debug=limit",
    "final_eval.limit=0",
    "test_after_fit=false",
    "trainer.enable_progress_bar=false",
]
SHOWN = ("display_data", "execute_result")
LOGIC = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While, ast.Lambda)


def _read(name: str):
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_is_committed_without_outputs_and_without_logic(name):
    nb = _read(name)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    for cell in code:
        tree = ast.parse(cell.source)
        assert not [type(n).__name__ for n in ast.walk(tree) if isinstance(n, LOGIC)], cell.source
    assert "os.environ.get" in code[0].source  # inputs set in the first cell, overridable


def _run(args: list[str], env: dict, cwd: Path) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.fixture(scope="module")
def fixture_run(tmp_path_factory) -> dict[str, Path]:
    """A tiny trained run with an evaluation: {data, run, eval} folders."""
    root = tmp_path_factory.mktemp("nb_run")
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    run = root / "run"
    train = [sys.executable, "-m", "src.train", *TINY_TRAIN, f"paths.root_dir={root}", f"run_dir={run}"]
    _run(train, env, ROOT)
    assert (run / "best_model").is_dir()
    evaluate = [sys.executable, "-m", "src.evaluate", f"ckpt={run / 'best_model'}", "limit=3"]
    _run(
        [*evaluate, "decode.max_new_tokens=32", "wandb=false", f"out_dir={run / 'eval' / 'fixture'}"],
        env,
        ROOT,
    )
    return {"data": root / "outputs" / "data" / "tiny", "run": run, "eval": run / "eval" / "fixture"}


def _outputs(nb, kind: str) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == kind]


@pytest.mark.slow  # one tiny training run, one evaluation, three kernels: about 45 s here
def test_all_notebooks_run_on_a_tiny_fixture_run(fixture_run, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("LAGRANGIAN_DATA_DIR", str(fixture_run["data"]))
    monkeypatch.setenv("LAGRANGIAN_EVAL_DIR", str(fixture_run["run"]))  # the newest evaluation below it
    monkeypatch.setenv("LAGRANGIAN_MODEL_DIR", str(fixture_run["run"]))  # the best_model below it
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("WANDB_MODE", "disabled")
    executed = {}
    for name in NOTEBOOKS:
        nb = _read(name)
        client = NotebookClient(
            nb, kernel_name="python3", timeout=240, resources={"metadata": {"path": str(NOTEBOOK_DIR)}}
        )
        client.execute()  # raises CellExecutionError on any failing cell
        executed[name] = nb
    images = {
        name: len([o for k in SHOWN for o in _outputs(nb, k) if "image/png" in o.data])
        for name, nb in executed.items()
    }
    assert images["01-dataset"] == 4 and images["02-results"] == 2 and images["03-embeddings"] == 1
    first = executed["01-dataset"].cells[1].outputs[-1].data["text/plain"]
    assert str(fixture_run["data"]) in first  # the environment variable, not the default, was read
    printed = "".join(o.text for o in _outputs(executed["02-results"], "stream"))
    assert str(fixture_run["eval"]) in printed
    numbers = executed["03-embeddings"].cells[2].outputs[-1].data["text/plain"]
    assert "conjugation_coherence" in numbers and "random_baseline" in numbers
