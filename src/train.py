"""Train BART on (fields -> Lagrangian): ``python -m src.train experiment=quickstart [key=value ...]``.

Wiring only: compose (Hydra) -> seed -> token scheme -> datamodule (generates the data when missing) -> model
(vocab and special ids from the scheme) -> callbacks, loggers, Trainer -> fit -> validate and test the best
checkpoint. The run folder (``outputs/runs/<task>/<time>``) receives the resolved config, seed and code
version (``run_info.json``), the W&B run id (``wandb_run_id.txt``), ``checkpoints/{best-*,last}.ckpt`` and
``best_model/``.

Resume: ``ckpt_path=<run>/checkpoints/last.ckpt`` restores optimizer, scheduler, step and the same W&B run.
Multirun: ``python -m src.train -m experiment=field_count_sweep data.max_fields=1,2,3,4``. User mistakes
(unknown experiment, bad override, missing checkpoint) exit with code 2 and one line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf, open_dict

import src.data.schema  # noqa: F401  (registers the data group's schema)
import src.models.schema  # noqa: F401  (registers the optim group's schema)
from src.cli import UserError, exit_on_user_error, one_line, unwritable_folder
from src.jsonsafe import dumps
from src.models.precision import check_device, resolve_precision
from src.models.schema import SCHEDULES
from src.version import code_version

RUN_INFO = "run_info.json"
WANDB_ID_FILE = "wandb_run_id.txt"
RUN_LOG = "train.log"  # the console output of every run (Hydra's job log writes here too)


def check_values(cfg: DictConfig) -> None:
    """Reject bad values before any compute (UserError: one line naming the key): what the schemas of the
    data and optim groups cannot say (ranges, names, relations), the types and ranges of the keys without a
    schema (seed, the Trainer's step limits, the decoding length), the model's shape, the checkpoint path."""
    from src.data.settings import OOD_SPLITS, settings_from_config
    from src.decoding.decoder import Decoder
    from src.models.bart import validate_arch

    def number(key: str, kind=float, minimum=None, maximum=None, allow_none: bool = False):
        """A key's value: a number (an integer for ``kind=int``), within [minimum, maximum]."""
        value = OmegaConf.select(cfg, key)
        if value is None and allow_none:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and kind is int and not float(value).is_integer():
            ok = False
        if not ok:
            raise UserError(f"{key}={value!r} must be {'an integer' if kind is int else 'a number'}")
        within(key, value, minimum, maximum)
        return value

    def within(key: str, value, minimum=None, maximum=None) -> None:
        if minimum is not None and value < minimum:
            raise UserError(f"{key}={value!r} must be >= {minimum}")
        if maximum is not None and value > maximum:
            raise UserError(f"{key}={value!r} must be <= {maximum}")

    # no schema: the Trainer takes more arguments than its YAML files name; seed and decode are plain keys
    number("seed", int)
    number("trainer.max_epochs", int, minimum=-1, allow_none=True)
    number("trainer.max_steps", int, minimum=-1, allow_none=True)
    Decoder.from_config(cfg.decode)  # the decoding options, each checked by name
    # typed by the optim and data schemas at composition: ranges and names only
    optim, dm = cfg.optim, cfg.data.datamodule
    if not optim.lr > 0:
        raise UserError(f"optim.lr={optim.lr!r} must be > 0")
    within("optim.weight_decay", optim.weight_decay, minimum=0.0)
    within("optim.warmup_steps", optim.warmup_steps, minimum=0)
    within("optim.min_lr_ratio", optim.min_lr_ratio, minimum=0.0, maximum=1.0)
    if optim.encoder_lr_scale is not None:
        within("optim.encoder_lr_scale", optim.encoder_lr_scale, minimum=0.0)
    if optim.schedule not in SCHEDULES:
        raise UserError(f"optim.schedule={optim.schedule!r}: use one of {', '.join(SCHEDULES)}")
    within("data.datamodule.batch_size", dm.batch_size, minimum=1)
    within("data.datamodule.stream.epoch_batches", dm.stream.epoch_batches, minimum=1)
    unknown = [s for s in dm.eval_splits if s not in OOD_SPLITS]  # before a dataset is generated for nothing
    if unknown:
        raise UserError(f"data.datamodule.eval_splits: {unknown[0]!r} is not one of {', '.join(OOD_SPLITS)}")
    for key in ("keep_by_fields", "canonical_ids"):  # shares of the training stream, each in [0, 1]
        for k, share in enumerate(dm.stream[key] or []):
            within(f"data.datamodule.stream.{key}[{k}]", share, minimum=0.0, maximum=1.0)
    if dm.stream.canonical_ids_until is not None:
        within("data.datamodule.stream.canonical_ids_until", dm.stream.canonical_ids_until, 0.0, 1.0)
    arch = OmegaConf.to_container(cfg.model, resolve=True)
    validate_arch(arch)  # ModelConfigError, a UserError
    for side in ("encoder", "decoder"):
        d, heads = arch.get("d_model"), arch.get(f"{side}_attention_heads")
        if isinstance(d, int) and isinstance(heads, int) and (heads < 1 or d % heads):
            raise UserError(f"model.d_model={d} must be a multiple of model.{side}_attention_heads={heads}")
    settings_from_config(OmegaConf.to_container(cfg.data, resolve=True))  # ConfigError, a UserError
    check_device({k: OmegaConf.select(cfg, f"trainer.{k}") for k in ("accelerator", "devices", "precision")})
    ckpt = cfg.get("ckpt_path")
    if ckpt:
        if Path(str(ckpt)).is_dir():
            raise UserError(
                f"ckpt_path={ckpt} is a folder; give a checkpoint file, e.g. {ckpt}/checkpoints/last.ckpt"
            )
        if not Path(str(ckpt)).is_file():
            raise UserError(f"ckpt_path={ckpt} does not exist")


# A debugging run (trainer.fast_dev_run, however it is set) decodes and embeds a handful of rows and tokens.
FAST_DEV_LIMITS = {
    "decode.max_new_tokens": 32,
    "callbacks.generation_scores.num_examples": 4,
    "final_eval.limit": 4,
}
FAST_DEV_CHARGES = [0, "1/2"]  # the t-SNE grid of the embedding analysis: 2 hypercharges instead of 9


def shrink_for_fast_dev_run(cfg: DictConfig) -> bool:
    """Under ``trainer.fast_dev_run`` cap the decoding, the probe, the final scores and the t-SNE grid (in
    place); True when it did. A run that is only checking the wiring then ends in seconds, not minutes."""
    if not cfg.trainer.get("fast_dev_run"):
        return False
    with open_dict(cfg):
        for key, cap in FAST_DEV_LIMITS.items():
            value = OmegaConf.select(cfg, key)
            too_many = value is None and key == "final_eval.limit"  # limit null = every row
            if too_many or (isinstance(value, int) and value > cap):
                OmegaConf.update(cfg, key, cap)
        if OmegaConf.select(cfg, "callbacks.embedding_analysis") is not None:
            cfg.callbacks.embedding_analysis.charges = FAST_DEV_CHARGES
    return True


# --- small pieces
def checkpoint_run_meta(ckpt_path: str | None) -> dict:
    """The ``run_meta`` stored in a Lightning checkpoint (W&B run id) and its ``global_step``, without
    loading tensors into memory."""
    if not ckpt_path:
        return {}
    import torch

    try:
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False, mmap=True)
    except Exception as e:  # truncated, not a checkpoint at all, written by something else
        raise UserError(
            f"ckpt_path={ckpt_path} is not a readable checkpoint "
            f"({type(e).__name__}: {one_line(str(e))[:160]})"
        ) from None
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise UserError(
            f"ckpt_path={ckpt_path} is not a Lightning checkpoint of this project (no state_dict)"
        )
    return {**dict(ckpt.get("run_meta", {})), "global_step": int(ckpt.get("global_step", 0))}


def run_folder_of(ckpt_path: str | None) -> Path | None:
    """The run folder a checkpoint belongs to: ``<run>/checkpoints/x.ckpt`` beside ``<run>/run_info.json``."""
    if not ckpt_path:
        return None
    ckpt = Path(ckpt_path).resolve()
    run = ckpt.parent.parent
    return run if ckpt.parent.name == "checkpoints" and (run / RUN_INFO).is_file() else None


def build_callbacks(cfg: DictConfig, logging: bool = True) -> list:
    """The configured callbacks; without a logger (``logger=none``) the learning-rate monitor, which only
    writes to loggers and refuses to start without one, is left out."""
    nodes = cfg.get("callbacks") or {}
    callbacks = [
        hydra.utils.instantiate(node) for node in nodes.values() if node is not None and "_target_" in node
    ]
    if not logging:
        from lightning.pytorch.callbacks import LearningRateMonitor

        callbacks = [cb for cb in callbacks if not isinstance(cb, LearningRateMonitor)]
    return callbacks


def build_loggers(cfg: DictConfig, wandb_id: str) -> list:
    loggers = []
    for key, node in (cfg.get("logger") or {}).items():
        if node is None or "_target_" not in node:
            continue
        extra = {"id": wandb_id} if key == "wandb" else {}
        loggers.append(hydra.utils.instantiate(node, **extra))
    return loggers


def record_run(cfg: DictConfig, run_dir: Path, dm, resumed_at: int | None = None):
    """Write run_info.json (config, seed, code version); the callback returned logs it and the dataset
    metadata to every logger once the trainer has prepared the data. A resumed run keeps the first record
    and appends one entry to its ``resumes`` list (step, command, code version, the settings that changed)."""
    from src.callbacks.run_params import LogRunParams
    from src.data.generation import flat_keys
    from src.data.tables import write_text

    info = {
        "seed": int(cfg.seed),
        "code": code_version(),
        "command": " ".join(sys.argv),
        "config": OmegaConf.to_container(cfg, resolve=True),
    }
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / RUN_INFO
    if resumed_at is not None and path.is_file():
        first = json.loads(path.read_text())
        before, now = flat_keys(first.get("config", {})), flat_keys(info["config"])
        changed = {k: now.get(k) for k in sorted(set(before) | set(now)) if before.get(k) != now.get(k)}
        entry = {"step": resumed_at, "command": info["command"], "code": info["code"], "changed": changed}
        first["resumes"] = [*first.get("resumes", []), entry]
        write_text(path, dumps(first, indent=2, default=str) + "\n")
    else:
        write_text(path, dumps(info, indent=2, default=str) + "\n")
    return LogRunParams({**info["config"], "seed": info["seed"], "code": info["code"]}, dm)


def wandb_run_folder(loggers: list) -> str | None:
    for lg in loggers:
        if type(lg).__name__ == "WandbLogger":
            run = lg.experiment
            return str(Path(run.dir).parent) if getattr(run, "dir", None) else None
    return None


def parse_duration(text, key: str) -> float | None:
    """Seconds of a "DD:HH:MM:SS" (or "HH:MM:SS", "MM:SS") string or a number of seconds; None for null."""
    if text is None:
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        parts = str(text).split(":")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise UserError(f'{key}={text!r} is not a duration "DD:HH:MM:SS"') from None
        if not 1 <= len(values) <= 4:
            raise UserError(f'{key}={text!r} is not a duration "DD:HH:MM:SS"')
        seconds = sum(v * u for v, u in zip(reversed(values), (1, 60, 3600, 86400)))
    if seconds < 0:
        raise UserError(f"{key}={text!r} must not be negative")
    return seconds


class Budget:
    """The job's wall-clock budget (``budget.total``) counted from the job's start."""

    def __init__(self, cfg: DictConfig, start: float):
        node = cfg.get("budget") or {}
        self.start = start
        self.total = parse_duration(node.get("total"), "budget.total")
        self.reserve = parse_duration(node.get("final_eval"), "budget.final_eval") or 0.0

    @property
    def deadline(self) -> float | None:
        return None if self.total is None else self.start + self.total

    def training_seconds(self, max_time) -> float | None:
        """Training time left: the total minus what has been spent and the final-eval reserve, capped by
        ``trainer.max_time``; None when neither limit is set."""
        cap = parse_duration(_max_time_text(max_time), "trainer.max_time")
        if self.total is None:
            return cap
        left = self.total - (time.monotonic() - self.start) - self.reserve
        if left < 30:
            raise UserError(
                f"budget.total={self.total:.0f}s leaves {left:.0f}s for training after the set-up and the "
                f"budget.final_eval reserve of {self.reserve:.0f}s"
            )
        return left if cap is None else min(cap, left)


def _dd_hh_mm_ss(seconds: float) -> str:
    """Lightning's max_time string for a number of seconds (whole seconds, rounded down)."""
    s = int(seconds)
    return f"{s // 86400:02d}:{s % 86400 // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _max_time_text(max_time):
    if max_time is None or isinstance(max_time, str | int | float):
        return max_time
    node = OmegaConf.to_container(max_time) if OmegaConf.is_config(max_time) else dict(max_time)
    units = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
    return sum(float(node.get(k, 0)) * u for k, u in units.items())


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
    from src.callbacks.generation import rank_zero_says
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


def _scores(results: list[dict]) -> dict:
    merged: dict = {}
    for r in results or []:
        merged.update({k: float(v) for k, v in r.items()})
    return merged


# --- the job
def train(cfg: DictConfig, start: float | None = None) -> dict:
    """Fit, then validate and test the best checkpoint; return the scores and the paths of the run.

    ``start`` (time.monotonic()) is when the job began: ``budget.total`` counts from there.
    """
    from src.runlog import run_log

    check_values(cfg)
    shrink_for_fast_dev_run(cfg)
    budget = Budget(cfg, time.monotonic() if start is None else start)
    run_dir = Path(cfg.run_dir)
    ckpt_path = cfg.get("ckpt_path")
    resumed = checkpoint_run_meta(ckpt_path) if ckpt_path else {}
    original = run_folder_of(ckpt_path)
    moved = original is not None and original != run_dir.resolve()
    if moved:  # continue the run's own folder and record
        with open_dict(cfg):
            cfg.run_dir = str(original)
        run_dir = original
    with run_log(run_dir / RUN_LOG):  # the console output, also in the run folder (appended on resume)
        if moved:
            print(f"resuming into {original} (from step {resumed['global_step']})", flush=True)
        return _fit_and_score(cfg, run_dir, budget, resumed)


def _fit_and_score(cfg: DictConfig, run_dir: Path, budget: Budget, resumed: dict) -> dict:
    """train()'s work once the run folder is known: data, model, fit, final evaluation, results.json."""
    import lightning as L

    from src.callbacks.signals import CheckpointOnSigterm, Terminated, is_sigterm, sigterm_raises
    from src.data.datamodule import datamodule_from_config, training_field_lists
    from src.data.tables import write_text
    from src.models.module import LagrangianBart
    from src.tokens import scheme_from_config

    ckpt_path = cfg.get("ckpt_path")
    L.seed_everything(int(cfg.seed), workers=True)

    scheme = scheme_from_config(cfg.tokenizer)
    if scheme.needs_fit:  # opaque's vocabulary: from the training fields, before the model reads its size
        scheme.fit(training_field_lists(cfg.data))
    # The dataset is checked (or generated) by the trainer's call of prepare_data; what reads it (the data
    # metadata logged, the final decoding's row count) waits for Lightning's setup hooks.
    dm = datamodule_from_config(cfg.data, scheme)
    model = LagrangianBart.from_config(cfg, scheme)

    wandb_id = resumed.get("wandb_run_id") or _new_wandb_id()
    model.run_meta["wandb_run_id"] = wandb_id
    (run_dir / WANDB_ID_FILE).parent.mkdir(parents=True, exist_ok=True)
    (run_dir / WANDB_ID_FILE).write_text(wandb_id + "\n")

    with open_dict(cfg):  # "auto" becomes what this device runs fastest; run_info.json records the choice
        tc = cfg.trainer
        tc.precision = resolve_precision(tc.get("precision"), tc.get("accelerator"))
    loggers = build_loggers(cfg, wandb_id)
    if ckpt_path:
        from src.models.loggers import continue_csv_log

        for lg in loggers:
            if type(lg).__name__ == "CSVLogger":
                continue_csv_log(lg, resumed["global_step"])
    train_seconds = budget.training_seconds(cfg.trainer.get("max_time"))
    limits = {} if train_seconds is None else {"max_time": _dd_hh_mm_ss(train_seconds)}
    if cfg.optim.get("decay_by_time"):  # the lr decay also follows the training time left
        model.time_budget_s = train_seconds
    callbacks = build_callbacks(cfg, logging=bool(loggers))
    if budget.deadline is not None:  # stop early enough for the final validation, test losses and decoding
        from src.callbacks.budget import FinishInTime

        callbacks.append(FinishInTime(budget.deadline, lambda: final_row_count(dm, cfg)))
    until = OmegaConf.select(cfg, "data.datamodule.stream.canonical_ids_until")
    if until is not None and train_seconds is not None and dm.streaming:
        from src.callbacks.curriculum import EndIdCurriculumInTime

        callbacks.append(EndIdCurriculumInTime(train_seconds, until))
    on_sigterm = CheckpointOnSigterm(run_dir / "checkpoints")  # last.ckpt at the step SIGTERM stopped
    callbacks.append(on_sigterm)
    callbacks.append(record_run(cfg, run_dir, dm, resumed_at=resumed.get("global_step")))
    trainer = hydra.utils.instantiate(cfg.trainer, callbacks=callbacks, logger=loggers or False, **limits)

    fit_start = time.monotonic()
    try:
        trainer.fit(model, datamodule=dm, ckpt_path=ckpt_path)
    except BaseException as e:
        if is_sigterm(e):  # Lightning stopped at a batch boundary and closed the loggers
            for lg in loggers:
                lg.save()
            raise Terminated("training", int(trainer.global_step), on_sigterm.saved) from None
        raise
    fit_seconds = time.monotonic() - fit_start
    tokens_seen = int(model.tokens_seen)  # loading the best checkpoint below resets the module's count
    # ... and so would the probe history (callback state): take both before
    stopped_by = _stop_reason(trainer, train_seconds, fit_seconds)
    probes = collapse_report(trainer, {})
    best = trainer.checkpoint_callback.best_model_path if trainer.checkpoint_callback else ""
    last = _last_checkpoint(trainer)  # read before validate/test, which set the callback up again
    eval_ckpt = best or None
    # Re-validating the best checkpoint under the loggers would write its val/* values at the last step, a
    # spurious last point on every score-vs-steps curve: run it without loggers and log it as best/*.
    # A SIGTERM from here on keeps what was measured, writes results.json, then stops the job (exit 143).
    val, test, scored, terminated = {}, {}, {}, None
    try:
        with sigterm_raises("the final evaluation"):
            trainer.loggers = []
            val = _scores(trainer.validate(model, datamodule=dm, ckpt_path=eval_ckpt, verbose=False))
            if cfg.test_after_fit:
                test = _scores(trainer.test(model, datamodule=dm, ckpt_path=eval_ckpt, verbose=False))
            trainer.loggers = loggers
            for lg in loggers:
                lg.log_metrics({f"best/{k}": v for k, v in {**val, **test}.items()}, step=trainer.global_step)
            # the model holds the best weights; under DDP each rank decodes its share of the rows
            scored = final_scores(model, dm, cfg, budget.deadline, trainer.world_size, trainer.global_rank)
    except BaseException as e:
        if not is_sigterm(e):
            raise
        trainer.loggers = loggers
        scored = getattr(e, "scores", {})
        terminated = Terminated("the final evaluation", int(trainer.global_step), last)
        stopped_by = "sigterm"
        print(
            f"SIGTERM: final evaluation stopped; kept the scores of {sorted(scored) or 'no split'}",
            flush=True,
        )
    for split, metrics in scored.items():
        (test if split in dm.test_split_names else val).update(metrics)
        for lg in loggers:
            lg.log_metrics(metrics, step=trainer.global_step)
    for lg in loggers:
        lg.save()  # the CSV logger buffers: without this the best/* and final/* rows never reach metrics.csv
    if not (run_dir / "best_model").is_dir():  # no scored validation happened (time limit, fast_dev_run)
        model.save_pretrained(run_dir / "best_model")
    summary = {
        "validation": val,
        "test": test,
        "run_dir": str(run_dir),
        "wandb_run_folder": wandb_run_folder(loggers),
        "best_checkpoint": best or None,
        "last_checkpoint": last,
        "best_model": str(run_dir / "best_model") if (run_dir / "best_model").is_dir() else None,
        "global_step": int(trainer.global_step),
        "stopped_by": stopped_by,
        "train_seconds": round(fit_seconds, 1),
        "tokens_seen": tokens_seen,
        "job_seconds": round(time.monotonic() - budget.start, 1),
        "collapse": {**collapse_report(trainer, {**val, **test}), **_probe_part(probes)},
    }
    from src.callbacks.curriculum import EndIdCurriculumInTime

    curricula = [cb for cb in trainer.callbacks if isinstance(cb, EndIdCurriculumInTime)]
    if curricula:  # the step after which the ID curriculum was cut short by time (None: it ran its epochs)
        summary["id_curriculum_ended_at_step"] = curricula[0].ended_at
    write_text(run_dir / "results.json", dumps(summary, indent=2) + "\n")
    print_summary(summary)
    if terminated is not None:
        raise terminated
    return summary


def _stop_reason(trainer, train_seconds: float | None, fit_seconds: float) -> str:
    """What ended training: max_steps, max_epochs, the time limit, the budget of the whole job (``budget``),
    the collapse probe or an interruption."""
    if trainer.interrupted:
        return "interrupted"
    from src.callbacks.generation import GenerationScores

    if any(isinstance(cb, GenerationScores) and cb.detector.should_stop() for cb in trainer.callbacks):
        return "collapse"
    from src.callbacks.budget import FinishInTime

    if any(isinstance(cb, FinishInTime) and cb.stopped_at is not None for cb in trainer.callbacks):
        return "budget"  # the rest of the job needed the time left
    if 0 < trainer.max_steps <= trainer.global_step:
        return "max_steps"
    if trainer.max_epochs is not None and trainer.current_epoch >= trainer.max_epochs:
        return "max_epochs"
    if train_seconds is not None and fit_seconds >= train_seconds * 0.98:
        return "max_time"
    return "early_stop"


def collapse_report(trainer, scores: dict[str, float]) -> dict:
    """The collapse probe's verdicts during training and the distinct share of every final decoded split."""
    from src.callbacks.generation import GenerationScores

    report: dict = {}
    for cb in trainer.callbacks:
        if isinstance(cb, GenerationScores):
            report = cb.detector.summary()
            break
    from src.metrics.collapse import CollapseDetector

    detector = CollapseDetector(max_distinct_share=report.get("max_distinct_share", 0.1))
    final = {
        k.split("/")[1]: v
        for k, v in scores.items()
        if k.startswith("final/") and k.endswith("/distinct_outputs")
    }
    report["final_distinct_outputs"] = final
    report["final_collapsed"] = sorted(
        split
        for split, share in final.items()
        if detector.collapsed(share, int(scores.get(f"final/{split}/rows", 0)) or 1)
    )
    return report


def _probe_part(report: dict) -> dict:
    return {k: report[k] for k in ("collapsed", "first_collapsed_step", "probes") if k in report}


def _new_wandb_id() -> str:
    """8 random lowercase letters/digits (W&B's id alphabet), independent of the seeded generators."""
    import secrets
    import string

    return "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(8))


def _last_checkpoint(trainer) -> str | None:
    cb = trainer.checkpoint_callback
    if cb is None:
        return None
    path = cb.last_model_path or (str(Path(cb.dirpath) / "last.ckpt") if cb.dirpath else "")
    return path if path and Path(path).is_file() else None


HEADLINE = {  # key under final/<split>/ (loss: <split>/loss) -> column title
    "loss": "loss",
    "S_lagrangian": "S_Lagrangian",
    "exact/S_lagrangian": "exact S",
    "perfect": "perfect",
    "validity_rate": "valid terms",
    "P_length": "P_length",
}


def headline_table(summary: dict) -> list[str]:
    """One line per split with the paper's scores (decoded, final/<split>/...) and the token loss."""
    scores = {**summary["validation"], **summary["test"]}
    splits = sorted({k.split("/")[1] for k in scores if k.startswith("final/")} | {"val"}, key=_split_order)
    lines = [f"{'split':<16}" + "".join(f"{title:>14}" for title in HEADLINE.values())]
    for split in splits:
        cells = []
        for h in HEADLINE:
            value = scores.get(f"{split}/loss") if h == "loss" else scores.get(f"final/{split}/{h}")
            cells.append(f"{value:>14.4f}" if value is not None else f"{'-':>14}")
        lines.append(f"{split:<16}" + "".join(cells))
    return lines


def _split_order(split: str) -> tuple[int, str]:
    return ({"train": 0, "val": 1, "test": 2}.get(split, 3), split)


def print_summary(summary: dict) -> None:
    print("\n".join(["scores (best checkpoint; all metrics in results.json):", *headline_table(summary)]))
    print(f"run folder: {summary['run_dir']}")
    print(f"W&B run folder: {summary['wandb_run_folder']}")
    print(f"best checkpoint: {summary['best_checkpoint']}")
    print(f"last checkpoint: {summary['last_checkpoint']}")
    print(f"best model (save_pretrained): {summary['best_model']}")
    print(
        f"stopped by {summary['stopped_by']} at step {summary['global_step']}; training "
        f"{summary['train_seconds']:.0f} s, whole job {summary['job_seconds']:.0f} s"
    )
    collapse = summary.get("collapse") or {}
    if collapse.get("final_collapsed"):
        print(
            f"WARNING: COLLAPSED MODEL: one answer for (almost) every input on {collapse['final_collapsed']}"
        )


@hydra.main(version_base="1.3", config_path="../conf", config_name="train")
def hydra_main(cfg: DictConfig) -> float | None:
    import wandb

    start = time.monotonic()
    from src.callbacks.signals import EXIT_CODE, Terminated

    try:
        with exit_on_user_error("the run"):  # build-time config mistakes (wrapped by instantiate) included
            summary = train(cfg, start)
    except Terminated as e:  # a scheduler's SIGTERM: saved, loggers closed, and not a success
        resume = f"; resume with ckpt_path={e.checkpoint}" if e.checkpoint else ""
        print(f"{e}{resume}", file=sys.stderr, flush=True)
        wandb.finish(exit_code=EXIT_CODE)  # the W&B run is marked failed, not finished
        sys.exit(EXIT_CODE)
    finally:
        wandb.finish()  # one W&B run per job, also inside a multirun
    val = summary["validation"]
    return val.get("val/S_lagrangian", val.get("val/loss"))


# --- command-line pre-flight (src.cli): Hydra reports composition errors with exit code 1 and several lines;
# we compose the command line first so that a user mistake is one line and exit code 2.
def preflight(argv: list[str]) -> str | None:
    """None when the command line composes and its values pass ``check_values``; else the one-line problem."""
    from src.cli import hydra_preflight

    return hydra_preflight("train", argv, _check_command_line)


def _check_command_line(cfg: DictConfig) -> str | None:
    from src.models.loggers import tensorboard_logger

    check_values(cfg)
    for key in ("paths.runs_dir", "paths.data_dir", "paths.wandb_dir"):
        problem = unwritable_folder(OmegaConf.select(cfg, key), key)
        if problem:
            return problem
    if cfg.get("logger") and "tensorboard" in cfg.logger:
        tensorboard_logger(save_dir=os.devnull)  # a LoggerConfigError (a UserError) when it cannot run here
    return None


def main() -> None:
    import warnings

    from src.cli import hydra_entry

    # conf/hydra/launcher/submitit_*.yaml share the plugin's schema names on purpose (same keys, our values)
    warnings.filterwarnings("ignore", message=".*is validated against ConfigStore schema.*")
    hydra_entry("train", hydra_main, _check_command_line)


if __name__ == "__main__":
    main()
