"""``python -m src.bench data [--n N] [--workers W] [--sampler sampled|uniform] [--no-full] [--json PATH]``.

Measures, on this machine: Lagrangians per second of dataset generation (the main set only, the oracle's
cache cold at the start), the CPU time it took (so that the time on idle cores can be told apart from
the wall time on a shared machine), and the padding fraction of training batches of 32 with and without
length buckets (paper-format target lengths of the generated rows). Then, unless ``--no-full``, it
generates the whole paper-sized set once, as ``python -m src.generate data=sampled`` does (286,000
Lagrangians of 1-6 fields, the out-of-distribution sets, the benchmarks and the card), into a temporary
folder, and reports its wall and CPU time; with ``--no-full`` that time is extrapolated from N and
labelled so.
"""

from __future__ import annotations

import json
import tempfile
import time

from src.bench import report
from src.bench.machine import describe, peak_rss_mib
from src.cli import ArgumentParser, UserError, run_main

PAPER_SIZE = 286_000
ORACLE_ROWS = 4000  # the oracle alone is timed on (at most) the first rows of the written train split


def _settings(n: int | None, workers: int, sampler: str):
    """The shipped ``conf/data/<sampler>.yaml`` settings; resized to n without OOD sets and card, or as
    shipped (paper-sized, every set, the card) when n is None."""
    from omegaconf import OmegaConf

    import src.config  # noqa: F401  (registers the schemas of the config groups)
    from src.cli import compose
    from src.data.settings import settings_from_config

    cfg = compose("generate", [f"data={sampler}"])
    data = OmegaConf.to_container(cfg.data, resolve=True)
    data.pop("datamodule")
    data.update(name=f"bench_{sampler}", num_workers=workers)
    if n is not None:
        data.update(n_lagrangians=n, card=False)
        for split in ("ood_fields", "ood_hypercharge", "ood_reps", "benchmarks"):
            data["ood"][split]["enabled"] = False
    return settings_from_config(data)


def _cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the pool's workers)."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def padding(lengths: list[int], batch_size: int = 32) -> dict[str, float]:
    from src.data.batching import LengthBucketBatchSampler, padding_fraction

    out = {}
    for name, bucket in (("bucketed", True), ("unbucketed", False)):
        sampler = LengthBucketBatchSampler(lengths, batch_size, shuffle=True, bucket=bucket, seed=0)
        out[name] = padding_fraction(lengths, sampler.batches())
    return out


def generate_timed(settings, out_dir: str) -> tuple[dict, float, float]:
    """(meta, wall seconds, CPU seconds of this process and its workers) of one dataset generation."""
    from src.data.generation import generate_dataset

    cpu0, t0 = _cpu_seconds(), time.perf_counter()
    meta = generate_dataset(settings, out_dir, progress=False, force=True)
    return meta, time.perf_counter() - t0, _cpu_seconds() - cpu0


def run(n: int, workers: int, sampler: str) -> dict:
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory() as tmp:
        meta, wall, cpu = generate_timed(_settings(n, workers, sampler), tmp)
        table = pq.read_table(f"{tmp}/train.parquet", columns=["n_tokens", "fields_json"])
        lengths = [n + 2 for n in table.column("n_tokens").to_pylist()]  # + [SOS], [EOS]
        oracle_ms = oracle_cpu_ms(table.column("fields_json").to_pylist()[:ORACLE_ROWS])
    rate = n / wall
    return {
        "machine": describe(),
        "sampler": sampler,
        "n": n,
        "workers": workers,
        "wall_s": round(wall, 2),
        "lagrangians_per_s": round(rate, 1),
        "max_target_tokens": meta["config"]["max_target_tokens"],
        "candidates": meta["candidates"],
        "rejects": meta["rejects"],
        "paper_size_s": round(PAPER_SIZE / rate, 1),
        "cpu_s": round(cpu, 2),
        # What the wall time would be with `workers` otherwise idle cores: CPU time spread over them.
        "paper_size_idle_s": round(PAPER_SIZE / n * cpu / workers, 1),
        "paper_size_measured": n >= PAPER_SIZE,
        "padding_fraction": {k: round(v, 4) for k, v in padding(lengths).items()},
        "peak_rss_mib_main_process": round(peak_rss_mib(), 1),
        "cpu_ms_per_lagrangian": round(1000 * cpu / n, 3),
        "oracle_cpu_ms_per_lagrangian": round(oracle_ms, 3),
    }


def run_full(workers: int) -> dict:
    """The shipped sampled set generated once, as ``python -m src.generate data=sampled`` writes it."""
    settings = _settings(None, workers, "sampled")
    with tempfile.TemporaryDirectory() as tmp:
        meta, wall, cpu = generate_timed(settings, tmp)
    return {
        "n_lagrangians": settings.n_lagrangians,
        "rows": sum(meta["counts"].values()),
        "candidates": meta["candidates"],
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "cpu_ms_per_row": round(1000 * cpu / sum(meta["counts"].values()), 3),
    }


def oracle_cpu_ms(fields_json: list[str]) -> float:
    """CPU ms per Lagrangian of the oracle alone (one process, caches cleared) on the given rows' fields."""
    from src.data.rows import fields_from_row
    from src.physics.lagrangian import build_lagrangian, clear_caches

    lists = [fields_from_row({"fields_json": text}) for text in fields_json]
    clear_caches()
    start = time.process_time()
    for fields in lists:
        build_lagrangian(fields)
    return 1000 * (time.process_time() - start) / max(1, len(lists))


def main(argv: list[str] | None = None) -> int:
    """The benchmark's exit code; a bad argument is one line ``error: ...`` and exit code 2 (``src.cli``)."""
    return run_main(lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    parser = ArgumentParser(prog="python -m src.bench data", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4000, help="Lagrangians to generate (default 4000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sampler", choices=("sampled", "uniform"), default="sampled")
    parser.add_argument("--no-full", action="store_true", help="extrapolate the paper-sized set from N")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    if args.n < 1 or args.workers < 1:
        raise UserError("--n and --workers must be >= 1")
    r = run(args.n, args.workers, args.sampler)
    how = "measured" if r["paper_size_measured"] else f"extrapolated from N={r['n']}"
    print(f"machine: {r['machine']}")
    print(
        f"generation ({r['sampler']}, {r['workers']} processes): {r['n']} Lagrangians in {r['wall_s']} s "
        f"= {r['lagrangians_per_s']} Lagrangians/s"
    )
    if args.no_full:
        print(f"paper-sized set ({PAPER_SIZE}): {r['paper_size_s'] / 60:.1f} min wall ({how})")
    print(
        f"  CPU time {r['cpu_s']} s for N={r['n']}: {r['paper_size_idle_s'] / 60:.1f} min on "
        f"{r['workers']} idle cores (CPU time / cores; other jobs on this machine inflate the wall time)"
    )
    print(
        f"candidates drawn: {r['candidates']} (redrawn over {r['max_target_tokens']} tokens: "
        f"{r['rejects'].get('too_many_tokens', 0)}); peak memory of the main process "
        f"{r['peak_rss_mib_main_process']:.0f} MiB"
    )
    pf = r["padding_fraction"]
    print(
        f"padding fraction, batches of 32: bucketed {pf['bucketed']:.3f}, unbucketed {pf['unbucketed']:.3f}"
    )
    print(
        f"CPU per Lagrangian: generation {r['cpu_ms_per_lagrangian']} ms, the oracle alone on the same "
        f"field lists {r['oracle_cpu_ms_per_lagrangian']} ms"
    )
    command = f"python -m src.bench data --n {args.n}"
    oracle = f"the oracle alone on (up to {ORACLE_ROWS:,} of) the same field lists"
    report.add("data", f"CPU per Lagrangian, {r['n']} {r['sampler']} Lagrangians", r["cpu_ms_per_lagrangian"],
               oracle, r["oracle_cpu_ms_per_lagrangian"], "ms",
               higher_is_better=False, note="the rest is sampling, tokenising, Parquet, worker start-up",
               command=command)  # fmt: skip
    if args.no_full:
        report.add("data", f"paper-sized set ({PAPER_SIZE:,} Lagrangians), wall time ({how})",
                   r["paper_size_s"], "the 3-minute goal (a goal, not a measurement)", 180.0, "s",
                   higher_is_better=False, note=f"{r['workers']} processes, {r['lagrangians_per_s']}/s",
                   command=command)  # fmt: skip
    else:
        full = run_full(args.workers)
        r["paper_sized"] = full
        print(
            f"paper-sized set, generated once as `python -m src.generate data=sampled` does: "
            f"{full['rows']:,} rows ({full['n_lagrangians']:,} main + OOD sets + benchmarks) from "
            f"{full['candidates']:,} candidates in {full['wall_s']} s wall = {full['wall_s'] / 60:.2f} min, "
            f"{full['cpu_s']} s CPU ({full['cpu_ms_per_row']} ms per row written)"
        )
        report.add("data", f"paper-sized set ({PAPER_SIZE:,} Lagrangians + OOD sets + card), wall time, "
                   "measured", full["wall_s"], "the 3-minute goal (a goal, not a measurement)", 180.0, "s",
                   higher_is_better=False,
                   note=f"{args.workers} processes, {full['cpu_s']} s CPU, generated once",
                   command="python -m src.bench data (as python -m src.generate data=sampled)")  # fmt: skip
    report.add("data", "padding of batches of 32 (paper-format targets)", pf["bucketed"],
               "unbucketed batches", pf["unbucketed"], "fraction", higher_is_better=False,
               note="length buckets", command=command)  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, indent=2)
    return 0
