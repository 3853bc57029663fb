"""Train BART on (fields -> Lagrangian): ``python -m src.train experiment=quickstart [key=value ...]``.

Wiring only: compose (Hydra) -> check the values (src/training/checks.py) -> build (src/training/build.py:
seed, token scheme, datamodule, model, loggers, callbacks, Trainer) -> fit -> final evaluation of the best
checkpoint (src/training/final.py) -> report (src/training/report.py, results.json). The run folder
(``outputs/runs/<task>/<time>``, src/runs.py) receives the resolved config, seed and code version
(``run_info.json``), the W&B run id (``wandb_run_id.txt``), ``checkpoints/{best-*,last}.ckpt`` and
``best_model/``.

Resume: ``ckpt_path=<run>/checkpoints/last.ckpt`` restores optimizer, scheduler, step and the same W&B run.
Multirun: ``python -m src.train -m experiment=field_count_sweep data.max_fields=1,2,3,4``. User mistakes
(unknown experiment, bad override, missing checkpoint) exit with code 2 and one line.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import hydra
from omegaconf import DictConfig, OmegaConf, open_dict

import src.config  # noqa: F401  (registers the schemas of the config groups)
from src.cli import exit_on_user_error, unwritable_folder
from src.jsonsafe import dumps
from src.runs import RESULTS, RUN_LOG, checkpoint_run_meta, resumed_run_dir
from src.training.budget import Budget
from src.training.build import build_run, last_checkpoint
from src.training.checks import check_values, shrink_for_fast_dev_run
from src.training.final import evaluate_best
from src.training.report import print_summary, probe_verdicts, run_summary, stop_reason


def train(cfg: DictConfig, start: float | None = None) -> dict:
    """Fit, then validate and test the best checkpoint; return the scores and the paths of the run.

    ``start`` (time.monotonic()) is when the job began: ``budget.total`` counts from there.
    """
    from src.runlog import run_log

    settings = check_values(cfg)  # the data settings, built once
    shrink_for_fast_dev_run(cfg)
    budget = Budget(cfg, time.monotonic() if start is None else start)
    run_dir = Path(cfg.run_dir)
    ckpt_path = cfg.get("ckpt_path")
    resumed = checkpoint_run_meta(ckpt_path) if ckpt_path else {}
    original = resumed_run_dir(ckpt_path)
    moved = original is not None and original != run_dir.resolve()
    if moved:  # continue the run's own folder and record
        with open_dict(cfg):
            cfg.run_dir = str(original)
        run_dir = original
    with run_log(run_dir / RUN_LOG):  # the console output, also in the run folder (appended on resume)
        if moved:
            print(f"resuming into {original} (from step {resumed['global_step']})", flush=True)
        return _fit_and_score(cfg, settings, run_dir, budget, resumed)


def _fit_and_score(cfg: DictConfig, settings, run_dir: Path, budget: Budget, resumed: dict) -> dict:
    """train()'s work once the run folder is known: build, fit, final evaluation, results.json."""
    from src.callbacks.signals import Terminated, is_sigterm
    from src.data.tables import write_text

    run = build_run(cfg, settings, run_dir, budget, resumed)
    trainer, model, loggers = run.trainer, run.model, run.loggers
    fit_start = time.monotonic()
    try:
        trainer.fit(model, datamodule=run.dm, ckpt_path=cfg.get("ckpt_path"))
    except BaseException as e:
        if is_sigterm(e):  # Lightning stopped at a batch boundary and closed the loggers
            for lg in loggers:
                lg.save()
            raise Terminated("training", int(trainer.global_step), run.on_sigterm.saved) from None
        raise
    fit_seconds = time.monotonic() - fit_start
    tokens_seen = int(model.tokens_seen)  # loading the best checkpoint below resets the module's count
    # ... and so would the probe history (callback state): take both before
    stopped_by = stop_reason(trainer, run.train_seconds, fit_seconds)
    probes = probe_verdicts(trainer)
    best = trainer.checkpoint_callback.best_model_path if trainer.checkpoint_callback else ""
    last = last_checkpoint(trainer)  # read before validate/test, which set the callback up again
    # the best checkpoint's losses and final scores; a SIGTERM keeps them (raised after results.json)
    val, test, terminated = evaluate_best(
        trainer, model, run.dm, cfg, loggers, best or None, budget.deadline, last
    )
    if terminated is not None:
        stopped_by = "sigterm"
    for lg in loggers:
        lg.save()  # the CSV logger buffers: without this the best/* and final/* rows never reach metrics.csv
    if not (run_dir / "best_model").is_dir():  # no scored validation happened (time limit, fast_dev_run)
        model.save_pretrained(run_dir / "best_model")
    summary = run_summary(trainer, run_dir, loggers, val, test, probes)
    summary.update(
        best_checkpoint=best or None,
        last_checkpoint=last,
        stopped_by=stopped_by,
        train_seconds=round(fit_seconds, 1),
        tokens_seen=tokens_seen,
        job_seconds=round(time.monotonic() - budget.start, 1),
    )
    write_text(run_dir / RESULTS, dumps(summary, indent=2) + "\n")
    print_summary(summary)
    if terminated is not None:
        raise terminated
    return summary


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
