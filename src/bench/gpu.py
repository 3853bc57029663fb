"""``python -m src.bench gpu [--out DIR] [--quick-steps 300] [--paper-steps 50] [--paper-batch 8]``
(``make gpu-check``): the GPU paths end to end on a machine with one CUDA GPU, in a few minutes.

0. before anything is measured, a short fit of the quickstart as a GPU run trains it (``trainer=gpu``:
   bf16-mixed, gradient clipping, the default fused AdamW): if a step fails, one line says what failed and
   the check stops with exit code 1;
1. the quickstart recipe (``experiment=quickstart trainer=gpu``, bf16-mixed) for ``--quick-steps`` steps: the
   training loss falls, the final scores are printed;
2. the ``paper`` preset (12+12 layers, d_model 1024) for ``--paper-steps`` AdamW steps in bf16 autocast on
   oracle Lagrangians of 1-6 random fields in the paper's format: target tokens/s, peak GPU memory and model
   FLOPs utilisation (``src.bench.flops`` FLOPs per step over the measured bf16 matrix-multiply rate of
   this GPU, both measured here);
3. ``trainer=ddp`` with one device for a few steps (the DDP code path: sampler sharding, rank-0 writes);
4. one JSON with every figure: ``DIR/report.json`` (default ``outputs/gpu_check/<time>``).

Without a CUDA GPU it says so in one line, writes nothing and exits 0.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from src.bench.machine import matmul_peak
from src.cli import ArgumentParser, run_main
from src.runs import RESULTS

ROOT = Path(__file__).resolve().parents[2]


def mfu(flops: float, seconds: float, peak_flops_per_s: float) -> float:
    """Model FLOPs utilisation: useful FLOPs per second over the peak rate."""
    if seconds <= 0 or peak_flops_per_s <= 0:
        return float("nan")
    return flops / seconds / peak_flops_per_s


def write_report(path: Path, report: dict) -> Path:
    """The report as indented JSON, written atomically (NaN becomes null: the file stays valid JSON)."""
    from src.jsonsafe import dumps

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(report, indent=2) + "\n")
    tmp.replace(path)
    return path


def _train_cli(out: Path, name: str, overrides: list[str], timeout: int = 600) -> dict:
    """Run ``python -m src.train`` with ``overrides`` into ``out/name``; its results.json and loss curve."""
    run_dir = out / name
    env = {**os.environ, "WANDB_MODE": "offline"}
    cmd = [sys.executable, "-m", "src.train", *overrides, f"run_dir={run_dir}", "logger=csv"]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    result = {
        "command": " ".join(cmd[1:]),
        "returncode": proc.returncode,
        "seconds": time.monotonic() - start,
    }
    if proc.returncode != 0:
        result["stderr_tail"] = proc.stderr[-2000:]
        return result
    summary = json.loads((run_dir / RESULTS).read_text())
    result.update(
        {
            "steps": summary["global_step"],
            "scores": {k: v for k, v in summary["test"].items() if k.startswith("final/test/")},
        }
    )
    metrics = run_dir / "csv" / "metrics.csv"
    if metrics.is_file():
        import pandas as pd

        loss = pd.read_csv(metrics).dropna(subset=["train/loss"])["train/loss"]
        if len(loss) >= 2:
            k = max(1, len(loss) // 5)
            result["train_loss_first"] = float(loss.iloc[:k].mean())
            result["train_loss_last"] = float(loss.iloc[-k:].mean())
            result["loss_fell"] = result["train_loss_last"] < result["train_loss_first"]
    return result


FIT_CHECK = [  # the GPU trainer's precision, clipping and optimiser as every GPU run uses them
    "experiment=quickstart",
    "trainer=gpu",
    "budget.total=null",
    "trainer.max_steps=10",
    "final_eval.limit=0",
    "test_after_fit=false",
    "callbacks.embedding_analysis=null",
    "callbacks.decoding_scores.num_examples=4",
]


def fit_check(out: Path, extra: list[str] = ()) -> tuple[bool, str]:
    """A few optimiser steps of a GPU run (``FIT_CHECK`` + ``extra``): (trained, one line saying so or what
    failed: the last line of the error)."""
    result = _train_cli(out, "fit_check", [*FIT_CHECK, *extra], timeout=900)
    if result["returncode"] == 0:
        return True, f"fit check: {result['steps']} steps of trainer=gpu (bf16-mixed, clipping, fused AdamW)"
    lines = [ln.strip() for ln in result.get("stderr_tail", "").splitlines() if ln.strip()]
    last = lines[-1] if lines else f"exit code {result['returncode']}"
    return (
        False,
        f"gpu check failed: a step of trainer=gpu (bf16-mixed, clipping, fused AdamW) stopped: {last}",
    )


def paper_preset(steps: int, batch: int, seed: int = 0) -> dict:
    """``steps`` timed AdamW steps of the paper preset on the GPU in bf16 autocast (after 3 untimed ones)."""
    import torch

    from src.bench.flops import train_step_flops
    from src.config.model import model_preset
    from src.models.module import LagrangianBart
    from src.physics.lagrangian import build_lagrangian
    from src.tokens import build_scheme
    from src.tokens.stats import random_fields

    scheme = build_scheme("paper", seed=seed)
    arch = model_preset("paper")
    torch.manual_seed(seed)
    model = LagrangianBart(arch, scheme.vocab_size, scheme=scheme).cuda().train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    rng = random.Random(seed)

    def make_batch() -> dict:
        rows = []
        while len(rows) < batch:
            fields = random_fields(rng, rng.randint(1, 6))
            row = scheme.encode(fields, build_lagrangian(fields), rng)
            if len(row["labels"]) <= 2048:
                rows.append(row)
        return {k: v.cuda() for k, v in scheme.collate(rows).items()}

    batches = [make_batch() for _ in range(steps + 3)]
    torch.cuda.reset_peak_memory_stats()
    flops = tokens = 0
    elapsed = 0.0
    for i, b in enumerate(batches):
        torch.cuda.synchronize()
        start = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(b).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # as trainer.gradient_clip_val does
        opt.step()
        opt.zero_grad(set_to_none=True)
        torch.cuda.synchronize()
        if i >= 3:
            elapsed += time.perf_counter() - start
            tokens += int((b["labels"] != -100).sum())
            bsz, s = b["input_ids"].shape
            flops += train_step_flops(arch, scheme.vocab_size, bsz, s, b["labels"].shape[1])
    peak = matmul_peak()
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "steps": steps,
        "batch": batch,
        "target_tokens_per_s": tokens / elapsed if elapsed else float("nan"),
        "seconds_per_step": elapsed / steps if steps else float("nan"),
        "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30,
        "model_tflops_per_s": flops / elapsed / 1e12 if elapsed else float("nan"),
        "bf16_matmul_peak_tflops_per_s": peak / 1e12,
        "mfu": mfu(flops, elapsed, peak),
    }


def main(argv: list[str] | None = None) -> int:
    """The benchmark's exit code; a bad argument is one line ``error: ...`` and exit code 2 (``src.cli``)."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = ArgumentParser(prog="python -m src.bench gpu", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="report folder (default outputs/gpu_check/<time>)")
    parser.add_argument("--quick-steps", type=int, default=300)
    parser.add_argument("--paper-steps", type=int, default=50)
    parser.add_argument("--paper-batch", type=int, default=8)
    args = parser.parse_args(argv)
    import torch

    if not torch.cuda.is_available():
        print("gpu check skipped: no CUDA GPU on this machine (torch.cuda.is_available() is False)")
        return 0
    from src.bench.machine import describe
    from src.version import describe_version

    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    out = Path(args.out) if args.out else ROOT / "outputs" / "gpu_check" / stamp
    report: dict = {"machine": describe(), "code": describe_version(), "torch": torch.__version__}
    trained, line = fit_check(out)
    print(line, flush=True)
    if not trained:
        return 1
    common = ["experiment=quickstart", "budget.total=null", "data.datamodule.stream.epoch_batches=100"]
    report["quickstart_gpu_bf16"] = _train_cli(
        out,
        "quickstart",
        [*common, "trainer=gpu", f"trainer.max_steps={args.quick_steps}", "final_eval.limit=64"],
    )
    print(
        f"quickstart on the GPU: {json.dumps(report['quickstart_gpu_bf16'], default=str)[:600]}", flush=True
    )
    report["paper_preset"] = paper_preset(args.paper_steps, args.paper_batch)
    print(f"paper preset: {json.dumps(report['paper_preset'])}", flush=True)
    report["ddp_one_device"] = _train_cli(
        out,
        "ddp",
        [*common, "trainer=ddp", "trainer.devices=1", "trainer.max_steps=30", "final_eval.limit=8"],
    )
    print(f"ddp, one device: returncode {report['ddp_one_device']['returncode']}", flush=True)
    path = write_report(out / "report.json", report)
    print(f"wrote {path}")
    ok = all(report[k]["returncode"] == 0 for k in ("quickstart_gpu_bf16", "ddp_one_device"))
    return 0 if ok and report["quickstart_gpu_bf16"].get("loss_fell", False) else 1
