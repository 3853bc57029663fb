"""The distributed path on the CPU: Lightning's DDP, 2 processes (gloo), through ``python -m src.train``."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from train_helpers import LAUNCHER_VARIABLES

from src.data import batching
from src.data.batching import LengthBucketBatchSampler

ROOT = Path(__file__).resolve().parents[2]
TINY_DDP = [
    "data=tiny",
    "model=tiny",
    "trainer=ddp_cpu",
    "data.datamodule.batch_size=4",
    "decode.max_new_tokens=24",
    "callbacks.decoding_scores.num_examples=4",
    "callbacks.embedding_analysis=null",
    "final_eval.limit=2",
    "logger=csv",
]


@pytest.mark.parametrize("world", [2, 3])
def test_each_rank_gets_its_own_batches_and_none_twice(monkeypatch, world):
    lengths = [(7 * i) % 23 + 1 for i in range(50)]
    per_rank, n_batches = [], []
    for rank in range(world):
        monkeypatch.setattr(batching, "_distributed", lambda rank=rank: (rank, world))
        sampler = LengthBucketBatchSampler(lengths, batch_size=4, seed=3)
        sampler.set_epoch(1)
        batches = sampler.batches()
        assert len(batches) == len(sampler)
        per_rank.append([i for b in batches for i in b])
        n_batches.append(len(batches))
    seen = [i for rows in per_rank for i in rows]
    assert len(seen) == len(set(seen))  # no row on two ranks, none twice
    assert len(set(n_batches)) == 1  # every rank takes as many steps (no rank waits at a collective)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    # none of a launcher's variables inherited (LOCAL_RANK would make rank 0 wait for a rank nobody starts)
    env = {k: v for k, v in os.environ.items() if k not in LAUNCHER_VARIABLES}
    env.update(OMP_NUM_THREADS="1", WANDB_MODE="offline", WANDB_SILENT="true")
    env["MASTER_PORT"] = str(_free_port())  # each run its own rendezvous port (a port taken is EADDRINUSE)
    return subprocess.run(
        [sys.executable, "-m", "src.train", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow  # two processes that each import torch and Lightning, twice
def test_ddp_on_two_cpu_processes_trains_checkpoints_and_resumes(tiny_data_root, tmp_path):
    run_dir = tmp_path / "run"
    common = [*TINY_DDP, f"paths.root_dir={tiny_data_root}", f"hydra.run.dir={run_dir}"]
    first = _run([*common, "trainer.max_steps=4", "trainer.max_epochs=1"], tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    results = json.loads((run_dir / "results.json").read_text())
    assert results["global_step"] == 4
    last = run_dir / "checkpoints" / "last.ckpt"
    assert last.is_file()
    with open(run_dir / "csv" / "metrics.csv", newline="") as f:
        steps = [int(float(r["step"])) for r in csv.DictReader(f) if r.get("train/loss")]
    assert steps and len(steps) == len(set(steps))  # one writer: rank 0 only
    with open(run_dir / "csv" / "metrics.csv", newline="") as f:
        probes = [r for r in csv.DictReader(f) if r.get("val/S_lagrangian")]
    assert probes  # the validation decodings, each rank's share gathered, were scored and logged
    assert list(tmp_path.rglob("results.json")) == [run_dir / "results.json"]  # none of rank 1
    # the final scores: each rank decoded one of the two rows, and both were scored
    for rank in (0, 1):
        assert f"final decoding: val (2 rows, 1 on rank {rank}; greedy)" in first.stdout
    assert results["validation"]["final/val/rows"] == 2.0
    resumed = _run([*common, "trainer.max_steps=6", "trainer.max_epochs=2", f"ckpt_path={last}"], tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert json.loads((run_dir / "results.json").read_text())["global_step"] == 6


def _gather_worker(rank: int, world: int, init_file: str, out_dir: str) -> None:
    import torch.distributed as dist

    from src.callbacks.probe import rank_zero_says
    from src.decoding import gather_shares

    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world)
    try:
        n = 7
        mine = [f"row{k}" for k in range(rank, n, world)]  # this rank's share, as the callback decodes it
        gathered = gather_shares(mine, n, world)
        # each rank's own clock says otherwise (only rank 0 is past its deadline): all follow rank 0
        agreed = rank_zero_says(rank == 0, world)
        Path(out_dir, f"{rank}.json").write_text(json.dumps([gathered, agreed]))
    finally:
        dist.destroy_process_group()


@pytest.mark.slow  # three processes that each import torch and Lightning
def test_validation_decodings_are_gathered_in_row_order_on_every_rank(tmp_path):
    """Three real gloo processes: each holds its share of the probe rows; all end with all rows, and all
    take rank 0's decision."""
    world = 3
    import torch.multiprocessing as mp

    mp.spawn(_gather_worker, args=(world, str(tmp_path / "pg"), str(tmp_path)), nprocs=world, join=True)
    want = [f"row{k}" for k in range(7)]
    for rank in range(world):
        assert json.loads((tmp_path / f"{rank}.json").read_text()) == [want, True]
