"""The released-dataset CSV layout (fields, Lagrangian, train/eval) read into our tables."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
from data_helpers import compose_data

from src.data.generation import generate_dataset
from src.data.rows import lagrangian_from_row
from src.data.settings import settings_from_config

FIXTURE = Path(__file__).parent / "fixtures" / "paper_layout.csv"


def read_fixture(out: Path) -> dict:
    data = compose_data("paper_csv", [f"data.csv_path={FIXTURE}"])
    generate_dataset(settings_from_config(data), out, progress=False)
    return {s: pq.read_table(out / f"{s}.parquet").to_pylist() for s in ("train", "val", "test")}


def test_paper_csv_rows_land_in_train_and_eval_splits(tmp_path):
    tables = read_fixture(tmp_path)
    train_keys = sorted(r["key"] for r in tables["train"])
    eval_keys = sorted(r["key"] for r in tables["val"] + tables["test"])
    assert "S(1,1,0)" in train_keys and len(train_keys) == 4
    assert eval_keys == ["S(1,2,1)"]  # the singlet's eval copy is a duplicate; the garbage row is dropped


def test_paper_csv_keeps_the_released_tokens_and_parses_the_terms(tmp_path):
    tables = read_fixture(tmp_path)
    higgs = (tables["val"] + tables["test"])[0]
    assert higgs["lagrangian"].startswith("+ FIELD SPIN 0 SU2 2 U1 1 ID4 FIELD SPIN 0 SU2 2 U1 1 ID7")
    assert higgs["n_tokens"] == 193 and higgs["n_terms"] == 6  # the paper's own count (paper.md §4.4 b)
    assert higgs["n_scalar_quartic"] == 2  # AutoEFT's redundant pair is kept as released
    lag = lagrangian_from_row(higgs)
    assert [t.kind for t in lag.terms][-1] == "scalar_mass"
    singlet = next(r for r in tables["train"] if r["key"] == "S(1,1,0)")
    assert singlet["n_tokens"] == 59 and singlet["fields"] == "FIELD SPIN 0"


def test_paper_csv_drops_duplicates_and_unreadable_rows_and_counts_them(tmp_path):
    read_fixture(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["rejects"]["duplicate_multiset"] == 1
    assert meta["rejects"]["csv_unreadable_term"] == 1
    assert meta["candidates"] == 7


def _generate_cli(csv_path: Path, out: Path):
    import os
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "src.generate", "data=paper_csv", f"data.csv_path={csv_path}"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    root = Path(__file__).resolve().parents[2]
    return subprocess.run(
        [*cmd, f"paths.data_dir={out}"], cwd=root, capture_output=True, text=True, env=env, timeout=120
    )


def test_a_csv_with_no_readable_row_exits_2_naming_the_first_bad_row(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "fields,Lagrangian,train/eval\n"
        "FIELD SPIN 0,+ FIELD SPIN 0 ID1 NONSENSE,train\n"
        "NOT A FIELD,+ FIELD SPIN 0 ID1,eval\n"
    )
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"fields,Lagrangian,train/eval\n\xff\xfe\x00\x81,x,train\n")
    for path, words in [
        (bad, "no row of bad.csv could be read (2 rows); the first bad one, line 2: a term of its"),
        (binary, "binary.csv is not UTF-8 text"),
    ]:
        proc = _generate_cli(path, tmp_path / "out")
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in proc.stderr
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.parquet"))
