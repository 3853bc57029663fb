"""Generation: byte-identical reruns, worker/shard independence, disjoint splits, atomic writes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from data_helpers import tiny_settings

from src.data import tables
from src.data.generation import generate_dataset
from src.data.splits import MAIN_SPLITS


def file_bytes(directory: Path) -> dict[str, bytes]:
    """Every output file except meta.json (the only one holding timings)."""
    return {
        p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and p.name != "meta.json"
    }


def test_same_config_gives_byte_identical_files(tiny_dir, tmp_path):
    generate_dataset(tiny_settings(), tmp_path, progress=False)
    first, second = file_bytes(tiny_dir), file_bytes(tmp_path)
    assert first.keys() == second.keys() and "train.parquet" in first
    assert first == second


def test_workers_and_shards_do_not_change_the_bytes(tiny_dir, tmp_path):
    generate_dataset(tiny_settings(num_workers=2), tmp_path / "parallel", progress=False)
    for shard in range(3):
        generate_dataset(tiny_settings(shard=shard, num_shards=3), tmp_path / "sharded", progress=False)
    generate_dataset(tiny_settings(merge=True, num_shards=3), tmp_path / "sharded", progress=False)
    expected = file_bytes(tiny_dir)
    assert file_bytes(tmp_path / "parallel") == expected
    assert file_bytes(tmp_path / "sharded") == expected


def test_a_different_seed_gives_different_data(tiny_dir, tmp_path):
    generate_dataset(tiny_settings(seed=1), tmp_path, progress=False)
    assert (tmp_path / "train.parquet").read_bytes() != (tiny_dir / "train.parquet").read_bytes()


def test_no_field_multiset_is_in_two_splits(tiny_dir):
    keys = {}
    for path in tiny_dir.glob("*.parquet"):
        keys[path.stem] = pq.read_table(path, columns=["key"]).column("key").to_pylist()
    for split, ks in keys.items():
        assert len(ks) == len(set(ks)), f"duplicate multiset inside {split}"
    names = sorted(keys)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not set(keys[a]) & set(keys[b]), f"{a} and {b} share a field multiset"


def test_meta_records_counts_rejects_and_code_version(tiny_dir):
    meta = json.loads((tiny_dir / "meta.json").read_text())
    rows = sum(meta["counts"][s] for s in MAIN_SPLITS)
    assert rows == tiny_settings().n_lagrangians
    assert meta["code_version"]["git_sha"] and meta["lagrangians_per_s"] > 0
    assert meta["generation"]["seed"] == 0 and isinstance(meta["rejects"], dict)


def test_a_failed_write_leaves_no_partial_file_and_a_rerun_completes(tiny_dir, tmp_path, monkeypatch):
    real = tables.rows_to_table
    calls = []

    def convert_then_die(rows):
        calls.append(len(rows))
        if len(calls) == 2:  # the second table dies after its file was opened and its header written
            raise KeyboardInterrupt("killed")
        return real(rows)

    monkeypatch.setattr(tables, "rows_to_table", convert_then_die)
    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tiny_settings(), tmp_path, progress=False)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["train.parquet"]  # the finished table only: no temporary, no half file
    assert not (tmp_path / "meta.json").exists()
    monkeypatch.setattr(tables, "rows_to_table", real)
    generate_dataset(tiny_settings(), tmp_path, progress=False)
    assert file_bytes(tmp_path) == file_bytes(tiny_dir)


def test_a_complete_dataset_is_not_regenerated(tiny_dir):
    before = (tiny_dir / "meta.json").read_bytes()
    generate_dataset(tiny_settings(), tiny_dir, progress=False)
    assert (tiny_dir / "meta.json").read_bytes() == before


def test_stale_temporaries_of_dead_runs_are_removed(tmp_path):
    stale = tmp_path / f".train.parquet{tables.TMP_MARK}999999999"
    stale.write_bytes(b"half")
    assert tables.remove_stale_temporaries(tmp_path) == 1
    assert not stale.exists()


@pytest.mark.slow
def test_killed_generation_leaves_only_whole_files_and_a_rerun_completes(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    root = Path(__file__).resolve().parents[2]
    cmd = [
        sys.executable,
        "-m",
        "src.generate",
        "data=tiny",
        "data.n_lagrangians=6000",
        "data.chunk_size=64",
        "data.card=true",
        f"paths.data_dir={tmp_path}",
        "progress=false",
    ]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = tmp_path / "tiny"
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Kill it the moment the write phase starts (a first file, finished or temporary, appears).
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if out.exists() and any(out.iterdir()):
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for p in out.glob("*.parquet") if out.exists() else []:
        pq.read_table(p)  # every finished file is whole
    assert not (out / "meta.json").exists(), "the run finished before it could be killed"
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (out / "meta.json").exists()
    assert not [p for p in out.iterdir() if tables.TMP_MARK in p.name]


def test_main_splits_respect_the_token_cap_and_ood_splits_do_not_need_to(tmp_path):
    generate_dataset(tiny_settings(max_target_tokens=300), tmp_path, progress=False)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["rejects"]["too_many_tokens"] > 0
    for split in MAIN_SPLITS:
        lengths = pq.read_table(tmp_path / f"{split}.parquet").column("n_tokens").to_pylist()
        assert max(lengths) <= 300
    assert sum(meta["counts"][s] for s in MAIN_SPLITS) == tiny_settings().n_lagrangians


def test_sharded_sampled_set_with_redrawn_rows_matches_the_serial_one(tmp_path):
    from data_helpers import compose_data

    from src.data.settings import settings_from_config

    data = compose_data("sampled")
    data.pop("datamodule")
    off = {"enabled": False}
    data.update(
        n_lagrangians=60, max_fields=4, max_target_tokens=900, card=False, chunk_size=16, oversample=2.0
    )
    data["ood"] = {"ood_fields": off, "ood_hypercharge": off, "ood_reps": off, "benchmarks": off}
    meta = generate_dataset(settings_from_config(data), tmp_path / "serial", progress=False)
    assert meta["rejects"]["too_many_tokens"] > 0
    for shard in range(2):
        generate_dataset(
            settings_from_config({**data, "shard": shard, "num_shards": 2}), tmp_path / "sh", False
        )
    merged = generate_dataset(
        settings_from_config({**data, "merge": True, "num_shards": 2}), tmp_path / "sh", False
    )
    assert "short_of_target" not in merged["rejects"]  # the premise: the oversampled pool was large enough
    assert file_bytes(tmp_path / "sh") == file_bytes(tmp_path / "serial")
