"""What a finished run reports: why training stopped, the collapse verdicts, the headline table printed at
the end (the same numbers as ``results.json``)."""

from __future__ import annotations

from pathlib import Path


def stop_reason(trainer, train_seconds: float | None, fit_seconds: float) -> str:
    """What ended training: max_steps, max_epochs, the time limit, the budget of the whole job (``budget``),
    the collapse probe or an interruption."""
    if trainer.interrupted:
        return "interrupted"
    from src.callbacks.probe import DecodingProbe

    if any(isinstance(cb, DecodingProbe) and cb.detector.should_stop() for cb in trainer.callbacks):
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


def probe_verdicts(trainer) -> dict:
    """The collapse probe's verdicts during training (its detector's summary; {} without the probe). Take
    them before the best checkpoint is loaded: loading it resets the callback's state."""
    from src.callbacks.probe import DecodingProbe

    for cb in trainer.callbacks:
        if isinstance(cb, DecodingProbe):
            return cb.detector.summary()
    return {}


def final_collapse(scores: dict[str, float], max_distinct_share: float) -> dict:
    """The distinct share of every final decoded split, and the splits it calls collapsed."""
    from src.metrics.collapse import CollapseDetector

    detector = CollapseDetector(max_distinct_share=max_distinct_share)
    final = {
        k.split("/")[1]: v
        for k, v in scores.items()
        if k.startswith("final/") and k.endswith("/distinct_outputs")
    }
    collapsed = sorted(
        split
        for split, share in final.items()
        if detector.collapsed(share, int(scores.get(f"final/{split}/rows", 0)) or 1)
    )
    return {"final_distinct_outputs": final, "final_collapsed": collapsed}


def wandb_run_folder(loggers: list) -> str | None:
    for lg in loggers:
        if type(lg).__name__ == "WandbLogger":
            run = lg.experiment
            return str(Path(run.dir).parent) if getattr(run, "dir", None) else None
    return None


def run_summary(trainer, run_dir, loggers: list, val: dict, test: dict, probes: dict) -> dict:
    """What results.json holds of a finished fit: the scores, the run's paths, the step, the collapse report
    (``probes``: ``probe_verdicts`` taken before the best checkpoint was loaded; the final splits' distinct
    shares) and, when the ID curriculum was cut short by time, the step it ended at. The caller adds the
    checkpoints, times and stop reason."""
    from src.callbacks.curriculum import EndIdCurriculumInTime

    best_model = run_dir / "best_model"
    summary = {
        "validation": val,
        "test": test,
        "run_dir": str(run_dir),
        "wandb_run_folder": wandb_run_folder(loggers),
        "best_model": str(best_model) if best_model.is_dir() else None,
        "global_step": int(trainer.global_step),
        "collapse": {**probes, **final_collapse({**val, **test}, probes.get("max_distinct_share", 0.1))},
    }
    curricula = [cb for cb in trainer.callbacks if isinstance(cb, EndIdCurriculumInTime)]
    if curricula:  # the step after which the ID curriculum was cut short by time (None: it ran its epochs)
        summary["id_curriculum_ended_at_step"] = curricula[0].ended_at
    return summary


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
