"""Generate a dataset: draw candidate field lists, run the oracle, dedupe, split, write Parquet + metadata.

Candidate i of a stream (``main``, ``ood_fields``, ...) is drawn from
``random.Random(f"{seed}:{stream}:{i}")``, so any candidate can be recomputed alone: workers and shards
only decide *who* computes it, never *what* comes out. The main set is the first ``n_lagrangians``
distinct keys in candidate order (more candidates are drawn while duplicates leave it short), split by a
hash of the key (``splits.py``). Out-of-distribution sets drop keys already used by the main set. Files
are written atomically; ``meta.json`` is removed before the first file changes and written last, with the
settings and every file's sha256, so it marks a complete dataset: an interrupted run is simply rerun, and a
dataset reads as complete only when every file is the one its ``meta.json`` names. One writer at a time
(``.writer.lock`` in the folder); a second one stops with a one-line error.

Sharding: ``shard=i, num_shards=n`` computes block i of the first ceil(N * oversample) candidates of every
stream into ``shards/``; ``merge=true`` reads all blocks and finishes the dataset (identical to an
unsharded run whenever the oversampled pool already holds N distinct keys).
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import multiprocessing as mp
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from src.version import code_version

from .field_space import ConfigError
from .rows import make_row
from .samplers import (
    HyperchargeOODSampler,
    RepsOODSampler,
    Sample,
    SamplingError,
    TrilinearSampler,
    UniformSampler,
)
from .settings import OOD_SPLITS, DataSettings
from .splits import MAIN_SPLITS, split_of
from .tables import (
    LockedError,
    read_rows,
    remove_stale_temporaries,
    sha256_of,
    write_rows,
    write_text,
    writer_lock,
)

WARM_CHUNKS = 2  # chunks computed in the parent before forking the workers
MAX_POOL_FACTOR = 20  # give up extending the main pool after 20 N candidates (vocabulary exhausted)


# ---------------------------------------------------------------------------------------------------------
# Streams: one sampler per output set


def make_sampler(settings: DataSettings, stream: str):
    v, dup = settings.vocabulary, settings.allow_duplicate_fields
    if stream == "main":
        if settings.sampler == "uniform":
            return UniformSampler(v, settings.max_fields, allow_duplicates=dup)
        s = settings.sampled
        return TrilinearSampler(
            v,
            settings.max_fields,
            field_count_decay=float(s["field_count_decay"]),
            low_count_weight=float(s["low_count_weight"]),
            yukawa_share=float(s["yukawa_share"]),
            allow_duplicates=dup,
        )
    o = settings.ood[stream]
    if stream == "ood_fields":
        return UniformSampler(v, o["max_fields"], min_fields=o["min_fields"], allow_duplicates=dup)
    if stream == "ood_hypercharge":
        return HyperchargeOODSampler(
            v,
            o["max_fields"] or settings.max_fields,
            min_fields=o["min_fields"],
            ood_share=float(o["ood_share"]),
            two_digit_share=float(o["two_digit_share"]),
            max_value=int(o["max_value"]),
            allow_duplicates=dup,
        )
    if stream == "ood_reps":
        return RepsOODSampler(
            v,
            o["max_fields"],
            ood_su3=tuple(str(x) for x in o["su3"]),
            ood_su2=tuple(int(x) for x in o["su2"]),
            min_fields=o["min_fields"],
            ood_share=float(o["ood_share"]),
            allow_duplicates=dup,
        )
    raise ValueError(f"unknown stream {stream!r}")


def stream_target(settings: DataSettings, stream: str) -> int:
    return settings.n_lagrangians if stream == "main" else int(settings.ood[stream]["size"])


def enabled_streams(settings: DataSettings) -> list[str]:
    out = [] if settings.sampler == "paper_csv" else ["main"]
    for s in OOD_SPLITS:
        if s != "benchmarks" and settings.ood[s]["enabled"] and settings.ood[s]["size"] > 0:
            out.append(s)
    return out


def planted_confirmed(sample: Sample, lag) -> bool:
    """The oracle's verdict: does the Lagrangian hold a trilinear on exactly the planted fields?"""
    want = set(sample.planted)
    return any(
        t.kind in ("scalar_trilinear", "yukawa") and {f.field for f in t.factors} == want for t in lag.terms
    )


def candidate_row(
    settings: DataSettings,
    stream: str,
    sampler,
    index: int,
    rejects: Counter,
    rng_key: str | None = None,
    precheck: Callable[[Sample], str | None] | None = None,
    own_terms_only: bool = False,
) -> dict | None:
    """Draw candidate ``index`` of a stream and turn it into a row; None (and a reject reason) if refused.

    The candidate's generator is ``Random(rng_key)``, by default ``f"{settings.seed}:{stream}:{index}"``.
    ``precheck(sample)`` runs before the oracle: a reason string refuses the candidate without solving it.
    ``own_terms_only``: the row's Lagrangian keeps only the terms that hold every field of the list
    (``src.physics.lagrangian.own_terms``), the answers compositional decoding assembles.
    """
    from src.physics.lagrangian import build_lagrangian, own_terms
    from src.tokens.paper import lagrangian_length

    rng = random.Random(rng_key or f"{settings.seed}:{stream}:{index}")
    try:
        sample = sampler.sample(rng, rejects)
    except SamplingError:
        rejects["sampling_failed"] += 1
        return None
    reason = precheck(sample) if precheck is not None else None
    if reason:
        rejects[reason] += 1
        return None
    lag = build_lagrangian(sample.fields, basis=settings.basis)
    if sample.planted and not planted_confirmed(sample, lag):
        rejects["planted_trilinear_not_invariant"] += 1
        return None
    if own_terms_only:
        lag = own_terms(lag)
    # Only the in-distribution set is capped: OOD sets probe exactly the lengths a model never saw.
    cap = settings.max_target_tokens if stream == "main" else None
    # A Lagrangian with many terms is counted before it is written (a term averages ~47 words, few pass
    # 64); any other is written and checked after. Either way the same rows are kept.
    if cap and not sample.spelling and len(lag.terms) * 64 > cap and lagrangian_length(lag) > cap:
        rejects["too_many_tokens"] += 1
        return None
    row = make_row(index, sample.fields, lag, rng, sample.spelling, sample.planted_kind)
    if cap and row["n_tokens"] > cap:
        rejects["too_many_tokens"] += 1
        return None
    return row


# ---------------------------------------------------------------------------------------------------------
# Parallel computation of candidate ranges

_WORKER: dict = {}


def _init_worker(settings: DataSettings) -> None:
    os.environ["OMP_NUM_THREADS"] = "1"  # one thread per process: oversubscription is ruinous on 2 cores
    _WORKER["settings"] = settings
    _WORKER["samplers"] = {}


def _run_chunk(task: tuple[str, int, int]) -> tuple[list[dict], Counter]:
    stream, start, stop = task
    settings = _WORKER["settings"]
    sampler = _WORKER["samplers"].get(stream) or make_sampler(settings, stream)
    _WORKER["samplers"][stream] = sampler
    rejects: Counter = Counter()
    rows = [r for i in range(start, stop) if (r := candidate_row(settings, stream, sampler, i, rejects))]
    return rows, rejects


def compute_ranges(
    settings: DataSettings, tasks: list[tuple[str, int, int]], progress: bool = True
) -> tuple[dict[str, list[dict]], Counter]:
    """Run candidate ranges (stream, start, stop) on ``num_workers`` processes; rows per stream, in order."""
    from tqdm import tqdm

    chunks = [
        (stream, a, min(a + settings.chunk_size, stop))
        for stream, start, stop in tasks
        for a in range(start, stop, settings.chunk_size)
    ]
    total = sum(b - a for _, a, b in chunks)
    out: dict[str, list[dict]] = {}
    rejects: Counter = Counter()
    bar = tqdm(total=total, unit="cand", disable=not progress, dynamic_ncols=True, desc=settings.name)
    _init_worker(settings)
    if settings.num_workers <= 1 or len(chunks) <= WARM_CHUNKS:
        results = map(_run_chunk, chunks)
        pool = None
    else:
        # The first chunks run here: the oracle's caches warm up once, and forked workers inherit them.
        warm = [_run_chunk(c) for c in chunks[:WARM_CHUNKS]]
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        # Rows already held here stay shared with the forked workers: keep their GC from touching them.
        gc.freeze()
        pool = mp.get_context(method).Pool(settings.num_workers, _init_worker, (settings,))
        results = itertools.chain(warm, pool.imap(_run_chunk, chunks[WARM_CHUNKS:]))
    try:
        for (stream, a, b), (rows, rej) in zip(chunks, results):
            out.setdefault(stream, []).extend(rows)
            rejects.update(rej)
            bar.update(b - a)
    finally:
        bar.close()
        if pool is not None:
            pool.close()
            pool.join()
            gc.unfreeze()
    return out, rejects


# ---------------------------------------------------------------------------------------------------------
# Selection: dedupe, split, out-of-distribution filtering


def first_unique(rows: list[dict], limit: int, taken: set[str], rejects: Counter, reason: str) -> list[dict]:
    """The first ``limit`` rows (in candidate order) whose key is new; keys are added to ``taken``."""
    out = []
    for r in sorted(rows, key=lambda r: r["sample_id"]):
        if len(out) >= limit:
            break
        if r["key"] in taken:
            rejects[reason] += 1
            continue
        taken.add(r["key"])
        out.append(r)
    return out


def pool_size(settings: DataSettings, stream: str) -> int:
    return math.ceil(stream_target(settings, stream) * settings.oversample)


def count_unique(rows: list[dict]) -> int:
    return len({r["key"] for r in rows})


def generate_pool(settings: DataSettings, progress: bool) -> tuple[dict[str, list[dict]], Counter, int]:
    """Candidate rows of every stream: N candidates first, then more while a stream has too few distinct keys.

    Each extension is sized from the yield so far (distinct keys per candidate), so little is computed
    beyond the N-th distinct key; the rows selected are the same whatever the rounds were.
    """
    streams = enabled_streams(settings)
    sizes = {s: stream_target(settings, s) for s in streams}
    rows, rejects = compute_ranges(settings, [(s, 0, sizes[s]) for s in streams], progress)
    for s in streams:
        rows.setdefault(s, [])
        target = stream_target(settings, s)
        while count_unique(rows[s]) < target and sizes[s] < MAX_POOL_FACTOR * max(target, 1):
            have = count_unique(rows[s])
            rate = max(have / sizes[s], 0.05)  # distinct rows per candidate so far
            extra = max(settings.chunk_size, math.ceil((target - have) / rate * 1.05))
            more, rej = compute_ranges(settings, [(s, sizes[s], sizes[s] + extra)], progress)
            rows[s].extend(more.get(s, []))
            rejects.update(rej)
            sizes[s] += extra
    return rows, rejects, sum(sizes.values())


def benchmark_rows(settings: DataSettings, rejects: Counter) -> list[dict]:
    """One row per named model of the registry (src.physics.models), canonical IDs drawn from the seed."""
    from src.physics.lagrangian import build_lagrangian
    from src.physics.models import MODEL_NAMES, get_model

    rows = []
    for i, name in enumerate(MODEL_NAMES):
        fields = list(get_model(name))
        rng = random.Random(f"{settings.seed}:benchmarks:{i}")
        row = make_row(i, fields, build_lagrangian(fields, basis=settings.basis), rng)
        row["planted"] = ""
        row["model"] = name
        rows.append(row)
    return rows


def select(settings: DataSettings, pool: dict[str, list[dict]], rejects: Counter, reserved: set[str]):
    """Final tables: main set deduped and split by key hash, then each OOD set without the main keys."""
    taken = set(reserved)
    tables: dict[str, list[dict]] = {s: [] for s in MAIN_SPLITS}
    main = first_unique(pool.get("main", []), settings.n_lagrangians, taken, rejects, "duplicate_multiset")
    for r in main:
        tables[split_of(r["key"], settings.val_fraction, settings.test_fraction)].append(r)
    if len(main) < settings.n_lagrangians and "main" in pool:
        rejects["short_of_target"] += settings.n_lagrangians - len(main)
    for s in OOD_SPLITS:
        if s in pool:
            tables[s] = first_unique(pool[s], stream_target(settings, s), taken, rejects, f"{s}_duplicate")
    return tables


# ---------------------------------------------------------------------------------------------------------
# The whole run


def read_complete_meta(out_dir: Path) -> tuple[dict | None, str]:
    """(meta, "") for a complete dataset: ``meta.json`` present and every file it lists has its recorded
    sha256; else (None, why not)."""
    meta_path = Path(out_dir) / "meta.json"
    if not meta_path.exists():
        return None, f"{meta_path} is missing (an unfinished or interrupted generation)"
    try:
        meta = json.loads(meta_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, f"{meta_path} is not valid JSON"
    hashes = meta.get("sha256")
    if not isinstance(hashes, dict) or set(hashes) != set(meta.get("files", [])):
        return None, f"{meta_path} records no sha256 for its files (written by an older version)"
    for name, digest in hashes.items():
        path = Path(out_dir) / name
        if not path.exists():
            return None, f"{path} is missing"
        if sha256_of(path) != digest:
            return None, f"{path} is not the file {meta_path} describes (changed after it was written)"
    return meta, ""


def flat_keys(d: dict, prefix: str = "") -> dict:
    """A nested dict as {"a.b.c": value} (lists stay values)."""
    out = {}
    for k, v in (d or {}).items():
        if isinstance(v, dict):
            out.update(flat_keys(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def settings_difference(requested: dict, stored: dict) -> str:
    """The first generation setting that differs, as "data.KEY: V on disk, W requested" ("" when none)."""
    a, b = flat_keys(stored), flat_keys(requested)
    for key in sorted(set(a) | set(b)):
        if a.get(key, "<unset>") != b.get(key, "<unset>"):
            return f"data.{key}: {a.get(key, '<unset>')!r} on disk, {b.get(key, '<unset>')!r} requested"
    return ""


def is_complete(settings: DataSettings, out_dir: Path) -> bool:
    """A previous run with the same generation settings finished and its files are unchanged."""
    meta, _ = read_complete_meta(out_dir)
    return meta is not None and meta.get("generation") == settings.generation_json()


def shard_dir(out_dir: Path) -> Path:
    return out_dir / "shards"


def shard_name(stream: str, shard: int, num_shards: int) -> str:
    return f"{stream}-{shard:04d}-of-{num_shards:04d}.parquet"


def generate_shard(settings: DataSettings, out_dir: Path, progress: bool = True) -> dict:
    """Compute block ``shard`` of every stream's oversampled pool into ``shards/``."""
    remove_stale_temporaries(out_dir)
    i, n = settings.shard, settings.num_shards
    tasks = []
    for s in enabled_streams(settings):
        size = pool_size(settings, s)
        tasks.append((s, i * size // n, (i + 1) * size // n))
    t0 = time.perf_counter()
    rows, rejects = compute_ranges(settings, tasks, progress)
    for s, _, _ in tasks:
        write_rows(shard_dir(out_dir) / shard_name(s, i, n), rows.get(s, []))
    info = {"shard": i, "num_shards": n, "generation": settings.generation_json()}
    info["rejects"] = dict(sorted(rejects.items()))
    info["elapsed_s"] = round(time.perf_counter() - t0, 3)
    info["candidates"] = sum(b - a for _, a, b in tasks)
    write_text(shard_dir(out_dir) / f"meta-{i:04d}-of-{n:04d}.json", json.dumps(info, indent=2) + "\n")
    return info


def merge_shards(settings: DataSettings, out_dir: Path) -> tuple[dict[str, list[dict]], Counter, int, float]:
    n = settings.num_shards
    pool: dict[str, list[dict]] = {}
    rejects: Counter = Counter()
    elapsed, candidates = 0.0, 0
    for i in range(n):
        meta = shard_dir(out_dir) / f"meta-{i:04d}-of-{n:04d}.json"
        if not meta.exists():
            raise ConfigError(f"data.merge: shard {i} of {n} is missing ({meta} not found); run it first")
        info = json.loads(meta.read_text())
        if info.get("generation") != settings.generation_json():
            raise ConfigError(f"data.merge: shard {i} of {n} was generated with other settings; rerun it")
        rejects.update(info["rejects"])
        elapsed += info["elapsed_s"]
        candidates += info["candidates"]
        for s in enabled_streams(settings):
            pool.setdefault(s, []).extend(read_rows(shard_dir(out_dir) / shard_name(s, i, n)))
    return pool, rejects, candidates, elapsed


def generate_dataset(
    settings: DataSettings,
    out_dir: str | Path,
    progress: bool = True,
    force: bool = False,
    wait_s: float = 0.0,
):
    """Build the dataset in ``out_dir``; returns the meta dict. Skips work when it is already complete.
    Another process writing the same folder is waited for up to ``wait_s`` seconds (then its dataset is
    used when it has these settings), else a ``ConfigError``."""
    out_dir = Path(out_dir)
    if settings.shard is not None and not settings.merge:
        return generate_shard(settings, out_dir, progress)
    try:

        def tell(pid: int) -> None:
            print(f"waiting for process {pid}, which is writing {out_dir}", file=sys.stderr, flush=True)

        with writer_lock(out_dir, wait_s=wait_s, on_wait=tell):
            return _generate_locked(settings, out_dir, progress, force)
    except LockedError as e:
        raise ConfigError(f"{e}; wait for it to finish, or choose another data.name") from None


def _generate_locked(settings: DataSettings, out_dir: Path, progress: bool, force: bool) -> dict:
    if not force and is_complete(settings, out_dir):
        return json.loads((out_dir / "meta.json").read_text())
    (out_dir / "meta.json").unlink(missing_ok=True)  # the folder is incomplete until the new one is written
    remove_stale_temporaries(out_dir)
    t0 = time.perf_counter()
    if settings.sampler == "paper_csv":
        from .paper_csv import read_paper_csv

        tables, rejects, candidates = read_paper_csv(settings)
        extra_pool, rej, n_more = (
            generate_pool(settings, progress) if enabled_streams(settings) else ({}, {}, 0)
        )
        rejects.update(rej)
        candidates += n_more
        taken = {r["key"] for s in MAIN_SPLITS for r in tables[s]}
        for s in extra_pool:
            tables[s] = first_unique(
                extra_pool[s], stream_target(settings, s), taken, rejects, f"{s}_duplicate"
            )
        compute_s = time.perf_counter() - t0
    else:
        if settings.merge:
            pool, rejects, candidates, compute_s = merge_shards(settings, out_dir)
        else:
            pool, rejects, candidates = generate_pool(settings, progress)
            compute_s = time.perf_counter() - t0
        tables = None
    benchmarks = []
    if settings.ood["benchmarks"]["enabled"]:
        benchmarks = benchmark_rows(settings, rejects)
    if tables is None:
        tables = select(settings, pool, rejects, reserved={r["key"] for r in benchmarks})
    if benchmarks:
        tables["benchmarks"] = benchmarks
    return write_dataset(settings, out_dir, tables, rejects, candidates, t0, compute_s)


def write_dataset(
    settings, out_dir: Path, tables, rejects: Counter, candidates: int, t0: float, compute_s: float
):
    files = []
    for split, rows in tables.items():
        write_rows(out_dir / f"{split}.parquet", rows)
        files.append(f"{split}.parquet")
    if settings.card:
        from .card import write_card

        files += write_card(out_dir, tables, settings)
    n_rows = sum(len(r) for r in tables.values())
    elapsed = time.perf_counter() - t0
    meta = {
        "name": settings.name,
        "seed": settings.seed,
        "config": settings.to_json(),
        "generation": settings.generation_json(),
        "code_version": code_version(),
        "counts": {s: len(r) for s, r in tables.items()},
        "candidates": candidates,
        "rejects": dict(sorted(rejects.items())),
        "elapsed_s": round(elapsed, 3),
        "compute_s": round(compute_s, 3),
        "lagrangians_per_s": round(n_rows / compute_s, 2) if compute_s > 0 else None,
        "files": files,
        "sha256": {f: sha256_of(out_dir / f) for f in files},
    }
    write_text(out_dir / "meta.json", json.dumps(meta, indent=2) + "\n")
    return meta
