"""A dataset reads as complete only when it is: meta.json with every file's sha256 and the settings, one
writer at a time, and a DataModule that refuses (or with force regenerates) a dataset of other settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from data_helpers import compose_data, tiny_settings

from src.data import tables
from src.data.datamodule import LagrangianDataModule
from src.data.field_space import ConfigError
from src.data.generation import generate_dataset, is_complete, read_complete_meta
from src.tokens import build_scheme

ROOT = Path(__file__).resolve().parents[2]


def file_bytes(directory: Path) -> dict[str, bytes]:
    """Every output file except meta.json (it holds timings) and the lock (removed after writing)."""
    return {
        p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and p.name != "meta.json"
    }


def datamodule(data_dir: Path, force: bool = False, **changes) -> LagrangianDataModule:
    generate = compose_data("tiny", data_dir=str(data_dir.parent))
    generate.update(changes)
    return LagrangianDataModule(str(data_dir), build_scheme("field_refs"), generate=generate, force=force)


def test_meta_records_each_files_sha256(tiny_dir):
    meta = json.loads((tiny_dir / "meta.json").read_text())
    assert set(meta["sha256"]) == set(meta["files"]) and "train.parquet" in meta["files"]
    assert meta["sha256"]["train.parquet"] == tables.sha256_of(tiny_dir / "train.parquet")
    assert read_complete_meta(tiny_dir)[0] == meta


def test_a_killed_regeneration_with_other_settings_never_reads_as_the_old_dataset(
    tiny_dir, tmp_path, monkeypatch
):
    out = tmp_path / "x"
    generate_dataset(tiny_settings(), out, progress=False)
    real, calls = tables.rows_to_table, []

    def die_on_the_third_table(rows):
        calls.append(len(rows))
        if len(calls) == 3:  # train and val of the new settings are already replaced
            raise KeyboardInterrupt("killed")
        return real(rows)

    monkeypatch.setattr(tables, "rows_to_table", die_on_the_third_table)
    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tiny_settings(n_lagrangians=64, seed=5), out, progress=False)
    monkeypatch.setattr(tables, "rows_to_table", real)
    assert not (out / "meta.json").exists()
    assert not is_complete(tiny_settings(), out)  # the old settings do not match the mixed files
    meta, why = read_complete_meta(out)
    assert meta is None and "meta.json is missing" in why
    generate_dataset(tiny_settings(), out, progress=False)  # the first command's rerun rebuilds it whole
    assert file_bytes(out) == file_bytes(tiny_dir)


def test_a_file_changed_after_meta_is_not_complete(tiny_dir, tmp_path):
    out = tmp_path / "x"
    generate_dataset(tiny_settings(), out, progress=False)
    (out / "val.parquet").write_bytes((out / "test.parquet").read_bytes())
    meta, why = read_complete_meta(out)
    assert meta is None and "val.parquet" in why
    assert not is_complete(tiny_settings(), out)
    generate_dataset(tiny_settings(), out, progress=False)
    assert file_bytes(out) == file_bytes(tiny_dir)


def test_a_second_writer_is_refused_in_one_line_and_a_dead_writers_lock_is_taken_over(tiny_dir, tmp_path):
    out = tmp_path / "x"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (out / ".writer.lock").write_text(f"{holder.pid}\n")
        with pytest.raises(ConfigError, match=f"being written by process {holder.pid}") as err:
            generate_dataset(tiny_settings(), out, progress=False)
        assert "\n" not in str(err.value) and not (out / "meta.json").exists()
    finally:
        holder.kill()
        holder.wait()
    generate_dataset(tiny_settings(), out, progress=False)  # its process is gone: the lock is stale
    assert file_bytes(out) == file_bytes(tiny_dir)
    assert not (out / ".writer.lock").exists()


def test_the_datamodule_refuses_a_dataset_of_other_settings_naming_the_setting(tiny_dir, tmp_path):
    out = tmp_path / "tiny"
    generate_dataset(tiny_settings(), out, progress=False)
    before = file_bytes(out)
    with pytest.raises(ConfigError) as err:
        datamodule(out, n_lagrangians=64).prepare_data()
    message = str(err.value)
    assert "data.n_lagrangians: 48 on disk, 64 requested" in message and "data.force=true" in message
    assert file_bytes(out) == before  # nothing was touched
    datamodule(out).prepare_data()  # the same settings: accepted as it is
    assert file_bytes(out) == before


def test_force_regenerates_a_dataset_of_other_settings(tiny_dir, tmp_path):
    out = tmp_path / "tiny"
    generate_dataset(tiny_settings(), out, progress=False)
    datamodule(out, force=True, n_lagrangians=64).prepare_data()
    meta, _ = read_complete_meta(out)
    assert (
        meta["generation"]["n_lagrangians"] == 64
        and sum(meta["counts"][s] for s in ("train", "val", "test")) == 64
    )


def test_the_datamodule_regenerates_a_dataset_without_meta(tiny_dir, tmp_path, capsys):
    out = tmp_path / "tiny"
    generate_dataset(tiny_settings(), out, progress=False)
    (out / "meta.json").unlink()
    datamodule(out).prepare_data()
    assert "regenerating" in capsys.readouterr().err
    assert file_bytes(out) == file_bytes(tiny_dir)


def test_a_datamodule_without_settings_needs_a_complete_dataset(tiny_dir, tmp_path):
    out = tmp_path / "tiny"
    generate_dataset(tiny_settings(), out, progress=False)
    (out / "meta.json").unlink()
    dm = LagrangianDataModule(str(out), build_scheme("field_refs"))
    with pytest.raises(ConfigError, match="not a complete dataset"):
        dm.prepare_data()


def test_training_on_a_name_with_other_settings_is_one_line_and_exit_2(tiny_dir, tmp_path):
    generate_dataset(tiny_settings(), tmp_path / "tiny", progress=False)
    env = {**os.environ, "WANDB_MODE": "disabled", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [
            sys.executable, "-m", "src.train", "data=tiny", "tokenizer=field_refs", "model=tiny",
            f"paths.data_dir={tmp_path}", f"paths.output_dir={tmp_path / 'runs'}", "data.n_lagrangians=64",
            "logger=csv", "trainer.max_steps=1",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert "data.n_lagrangians: 48 on disk, 64 requested" in lines[-1] and lines[-1].startswith("error:")


def test_a_writer_waits_for_a_live_lock_when_asked_then_finds_the_dataset_complete(
    tiny_dir, tmp_path, capsys, monkeypatch
):
    import shutil
    import threading

    out = tmp_path / "x"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    (out / ".writer.lock").write_text(f"{holder.pid}\n")
    checked = threading.Event()
    real_alive = tables._pid_alive

    def alive(pid):  # the waiting writer has looked at the lock
        checked.set()
        return real_alive(pid)

    monkeypatch.setattr(tables, "_pid_alive", alive)

    def other_writer_finishes():  # once the writer waits: the holder's dataset appears, then its lock goes
        checked.wait(60)
        for p in tiny_dir.iterdir():
            shutil.copy(p, out / p.name)
        (out / ".writer.lock").unlink()

    finisher = threading.Thread(target=other_writer_finishes)
    finisher.start()
    try:
        meta = generate_dataset(tiny_settings(), out, progress=False, wait_s=60)
    finally:
        finisher.join()
        holder.kill()
        holder.wait()
    assert f"waiting for process {holder.pid}" in capsys.readouterr().err
    assert meta == json.loads((tiny_dir / "meta.json").read_text())  # used, not regenerated
