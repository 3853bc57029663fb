"""The final scores of a run: a fixed subset of val and of every test split decoded by the configured
decoder (``decode``: engine, beams, constraint, composition) and scored as the paper does."""

from __future__ import annotations

import time

from omegaconf import DictConfig


def final_splits(dm, cfg: DictConfig) -> list[str]:
    """The splits the final scores decode: the test splits first (the headline), then val."""
    return list(cfg.final_eval.get("splits") or [*dm.test_split_names, "val"])


def final_row_count(dm, cfg: DictConfig) -> int:
    """How many rows the final decoding will decode (0 when ``final_eval.limit`` is 0)."""
    limit = cfg.final_eval.limit
    if limit == 0:
        return 0
    sizes = [len(dm.table(split)) for split in final_splits(dm, cfg)]
    return sum(n if limit is None else min(n, int(limit)) for n in sizes)


def final_scores(
    model, dm, cfg: DictConfig, deadline: float | None = None, world: int = 1, rank: int = 0
) -> dict[str, dict[str, float]]:
    """Decode a fixed subset of val and of every test split (or ``final_eval.splits``); the paper's scores.

    Uses the evaluation's own pieces (src.decoding), so these numbers and the callback's agree.
    With a ``deadline`` (time.monotonic()), decoding stops there: each split reports how many of its rows
    were scored (``final/<split>/rows``), and splits not reached are missing. A ``Terminated`` raised
    while decoding carries the splits finished before it as ``.scores``. Under DDP (``world`` > 1) each rank
    decodes every world-th row and the predictions are gathered, so every rank scores the whole subset;
    whether a split is still started follows rank 0's clock on every rank.
    """
    from src.callbacks.probe import rank_zero_says
    from src.callbacks.signals import Terminated

    out: dict[str, dict[str, float]] = {}
    if cfg.final_eval.limit == 0:
        return out
    try:
        for split in final_splits(dm, cfg):
            if rank_zero_says(deadline is not None and time.monotonic() >= deadline, world):
                print(f"budget.total reached: final scores of {split} and later splits skipped", flush=True)
                break
            scores = _final_split_scores(model, dm, cfg, split, deadline, world, rank)
            if scores:
                out[split] = scores
    except Terminated as e:
        e.scores = out
        raise
    return out


def _final_split_scores(
    model, dm, cfg: DictConfig, split: str, deadline: float | None, world: int = 1, rank: int = 0
) -> dict[str, float]:
    """The final scores of one split (empty when the deadline left no row decoded)."""
    from src.decoding import Decoder, fixed_subset, summarize

    limit = cfg.final_eval.limit
    decoder = Decoder.from_config(cfg.decode)
    table = dm.table(split)
    indices = fixed_subset(len(table), len(table) if limit is None else int(limit), int(cfg.seed))
    rows = [table.iloc[i].to_dict() for i in indices]
    share = f", {len(range(rank, len(rows), world))} on rank {rank}" if world > 1 else ""
    print(f"final decoding: {split} ({len(rows)} rows{share}; {decoder.describe()})", flush=True)
    batch = int(cfg.final_eval.batch_size)
    cost: dict = {}
    preds = decoder.predict(model, dm, split, rows, indices, batch, deadline, world, rank, cost=cost)
    if cost:
        print(
            f"composed: {cost['sublists']} sub-lists, {cost['decoded']} decoded, {cost['tokens']} tokens, "
            f"{cost['seconds']:.1f} s",
            flush=True,
        )
    done = [k for k, p in enumerate(preds) if p is not None]
    if len(done) < len(rows):
        print(f"budget.total reached: {len(done)} of {len(rows)} rows of {split} decoded", flush=True)
    if not done:
        return {}
    rows, preds = [rows[k] for k in done], [preds[k] for k in done]
    results = decoder.score(dm.scheme, rows, preds)
    scores = summarize(results, [int(r["n_fields"]) for r in rows], f"final/{split}")
    scores[f"final/{split}/rows"] = float(len(rows))
    return scores


def merged_scores(results: list[dict]) -> dict:
    merged: dict = {}
    for r in results or []:
        merged.update({k: float(v) for k, v in r.items()})
    return merged


def evaluate_best(trainer, model, dm, cfg: DictConfig, loggers: list, ckpt: str | None, deadline, last):
    """The best checkpoint (``ckpt``; None: the model as it is) re-validated and tested (token losses), then
    decoded and scored (``final_scores``): returns (val, test, terminated), each split's final scores merged
    into val or test. Re-validating under the loggers would write its val/* values at the last step, a
    spurious last point on every score-vs-steps curve: it runs without loggers and is logged as best/*.
    A SIGTERM from here on keeps what was measured and comes back as ``terminated`` (a ``Terminated`` the
    caller raises once results.json is written)."""
    from src.callbacks.signals import Terminated, is_sigterm, sigterm_raises

    val, test, scored, terminated = {}, {}, {}, None
    try:
        with sigterm_raises("the final evaluation"):
            trainer.loggers = []
            val = merged_scores(trainer.validate(model, datamodule=dm, ckpt_path=ckpt, verbose=False))
            if cfg.test_after_fit:
                test = merged_scores(trainer.test(model, datamodule=dm, ckpt_path=ckpt, verbose=False))
            trainer.loggers = loggers
            for lg in loggers:
                lg.log_metrics({f"best/{k}": v for k, v in {**val, **test}.items()}, step=trainer.global_step)
            # the model holds the best weights; under DDP each rank decodes its share of the rows
            scored = final_scores(model, dm, cfg, deadline, trainer.world_size, trainer.global_rank)
    except BaseException as e:
        if not is_sigterm(e):
            raise
        trainer.loggers = loggers
        scored = getattr(e, "scores", {})
        terminated = Terminated("the final evaluation", int(trainer.global_step), last)
        print(
            f"SIGTERM: final evaluation stopped; kept the scores of {sorted(scored) or 'no split'}",
            flush=True,
        )
    for split, metrics in scored.items():
        (test if split in dm.test_split_names else val).update(metrics)
        for lg in loggers:
            lg.log_metrics(metrics, step=trainer.global_step)
    return val, test, terminated
