"""Evaluate a trained model on dataset splits with the paper's scores (a Hydra app, ``conf/evaluate.yaml``).

    python -m src.evaluate ckpt=PATH [splits=[test,ood_fields,ood_hypercharge,ood_reps,benchmarks]]
        [decode.num_beams=1] [decode.verified=true] [decode.max_new_tokens=N] [decode.engine=lean]
        [decode.constrain=none|oracle|ids] [decode.compose=K] [decode.write_threshold=T]
        [data_dir=DIR] [limit=N] [batch_size=16] [out_dir=DIR] [wandb=true]
    python -m src.evaluate -m ckpt=RUN0/best_model,RUN1/best_model,RUN2/best_model splits=[test]

``splits`` defaults to every one of those the dataset has. ``ckpt``: a ``best_model`` folder
(``save_pretrained``), a Lightning ``.ckpt`` of a run (its tokenizer is read from the run's
``best_model``), or a model in the layout of the paper's published one (a plain Hugging Face BART folder
with a ``tokenizer.json`` in the paper's 41-word vocabulary: it reads and writes the ``paper`` scheme).
``data_dir`` defaults to the training run's dataset (``run_info.json``); a model from outside a run needs it.
Writes to ``out_dir`` (default ``<run>/eval/<time>``): ``predictions.parquet`` (one row per example),
``summary.csv`` (split × number of fields, plus ``all``) and ``summary.md`` (S_lagrangian and the perfect
fraction as split × number of fields tables); logs the same to W&B (offline without credentials).
``decode.engine``: ``lean`` (default; the greedy loop of ``src.models.greedy``) or ``hf``
(``model.generate``: the same ids, slower; beam search always uses it).
``decode.constrain=oracle``: the decoder may only write terms of the oracle's expanded basis for the row's
fields, each once (``src.tokens.constraint``; greedy lean decoding; canonical-ID schemes in canonical order,
random-ID ones in any order with IDs of the model's choosing): every written term is then invariant, and the
scores measure the model with the oracle's help.
``decode.constrain=ids``: only the grammar's rule on IDs (within a term an object's ID is new, a contraction
names declared IDs; any scheme, random IDs included): what greedy decoding of random IDs gets wrong first.
``decode.verified=true`` also scores only the predicted terms the oracle verifies (columns ``verified/...``);
columns ``exact/...`` hold the scores under exact term matching (see ``src.metrics.paper_score``).
The schema is the ``EvalConfig`` dataclass (registered as ``evaluate_schema``): an unknown key or a value
of the wrong type is refused by name. User mistakes exit with code 2 and one line, before any model loads.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import hydra
from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from src.cli import UserError, compose_checked, hydra_entry, run_main, unwritable_folder
from src.data.settings import OOD_SPLITS
from src.jsonsafe import dumps
from src.metrics import SCORE_KEYS, output_rates
from src.metrics.example import ExampleResult
from src.models.bart import MAX_NEW_TOKENS

DEFAULT_SPLITS = ("test", *OOD_SPLITS)


@dataclass
class DecodeConfig:
    num_beams: int = 1
    verified: bool = False
    max_new_tokens: int = MAX_NEW_TOKENS
    engine: str = "lean"  # src.decoding.options.ENGINES
    constrain: str = "none"  # src.decoding.options.CONSTRAINTS
    compose: int = 0  # k = 1-4: assembled from the model's answers on sub-lists of <= k fields
    write_threshold: float | None = None  # t in (0, 1): no empty answer where P(write a term) > t


@dataclass
class EvalConfig:
    ckpt: str = MISSING
    splits: list[str] | None = None  # None: every split of DEFAULT_SPLITS the dataset has
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    data_dir: str | None = None
    limit: int | None = None  # the first N rows of each split
    batch_size: int = 16
    out_dir: str | None = None
    wandb: bool = True
    project: str = "lagrangian-transformers"


ConfigStore.instance().store(name="evaluate_schema", node=EvalConfig)


def check_evaluate_values(cfg: DictConfig) -> None:
    """What the schema cannot say: ckpt given, positive sizes, the decoding options (UserError)."""
    from src.decoding import Decoder

    if OmegaConf.is_missing(cfg, "ckpt"):
        raise UserError(
            "ckpt=PATH is required (a best_model folder, a .ckpt of a training run, or a released model)"
        )
    if cfg.batch_size < 1:
        raise UserError(f"batch_size={cfg.batch_size} must be at least 1")
    if cfg.limit is not None and cfg.limit < 1:
        raise UserError(f"limit={cfg.limit}: give a positive number of rows per split (or leave it out)")
    Decoder.from_config(cfg.decode)


def parse_config(argv: list[str]) -> DictConfig:
    """The config ``python -m src.evaluate ARGV`` runs with (Hydra's composition of conf/evaluate.yaml);
    a mistake is a UserError naming the key."""
    return compose_checked("evaluate", argv, check_evaluate_values)


# --- model and data ------------------------------------------------------------------------------------
def load_checkpoint(ckpt: Path):
    """``LagrangianBart.load`` (a best_model folder or a .ckpt); failures are one-line UserErrors."""
    from src.models.module import LagrangianBart, ModelLoadError

    try:
        return LagrangianBart.load(ckpt)
    except ModelLoadError as e:
        raise UserError(f"ckpt: {e}") from None


def available_splits(data_dir: Path) -> list[str]:
    found = [s for s in DEFAULT_SPLITS if (data_dir / f"{s}.parquet").is_file()]
    if not found:
        raise UserError(f"{data_dir} holds none of the splits {', '.join(DEFAULT_SPLITS)} (.parquet)")
    return found


def default_data_dir(ckpt: Path) -> Path:
    from src.runs import RUN_INFO, run_config, run_dir_of

    config = run_config(ckpt)
    if config is None:
        raise UserError(f"cannot tell which dataset {ckpt} was trained on: pass data_dir=DIR")
    try:
        data_dir = Path(config["data"]["datamodule"]["data_dir"])
    except (KeyError, TypeError):
        raise UserError(
            f"{run_dir_of(ckpt) / RUN_INFO} names no data.datamodule.data_dir: pass data_dir=DIR"
        ) from None
    runs_dir = (config.get("paths") or {}).get("runs_dir")
    if data_dir.is_absolute() or not runs_dir or Path(runs_dir).is_absolute():
        return data_dir
    # a relative data_dir is relative to where the run started: <start>/<runs_dir>/<task>/<time> is the run
    parents = run_dir_of(ckpt).parents
    depth = len(Path(runs_dir).parts) + 1
    if depth >= len(parents) or not (parents[depth] / data_dir).is_dir():
        return data_dir  # a run folder moved elsewhere: relative to here
    return parents[depth] / data_dir


# --- scoring -------------------------------------------------------------------------------------------
def example_record(split: str, index: int, row: dict, plain: ExampleResult, verified: ExampleResult | None):
    """One row of predictions.parquet."""
    s = plain.score
    diff = plain.diff()
    rec = {
        "split": split,
        "row": index,
        "n_fields": int(row["n_fields"]),
        "fields": row["fields"],
        "target": row["lagrangian"],
        "prediction": " ".join(plain.prediction_paper),
        **{k: float(getattr(s, k)) for k in SCORE_KEYS},
        "n_true": s.n_true,
        "n_pred": s.n_pred,
        "n_correct": s.n_correct,
        "n_valid_terms": plain.validity.n_valid,
        "n_pred_terms": plain.validity.n_terms,
        "truncated": plain.truncated,
        **diff,
    }
    if plain.exact is not None:
        rec.update({f"exact/{k}": float(getattr(plain.exact, k)) for k in SCORE_KEYS})
    if verified is not None:
        rec.update({f"verified/{k}": float(getattr(verified.score, k)) for k in SCORE_KEYS})
    return rec


def summary_rows(records: list[dict]) -> list[dict]:
    """Means per split and number of fields (and ``all``): scores, validity of predicted terms, truncation."""
    import pandas as pd

    df = pd.DataFrame(records)
    metric_cols = [c for c in df.columns if c.split("/")[-1] in SCORE_KEYS]
    out = []
    for split, part in df.groupby("split", sort=False):
        groups = [(str(nf), g) for nf, g in part.groupby("n_fields")] + [("all", part)]
        for nf, g in groups:
            row = {"split": split, "n_fields": nf, "n": len(g)}
            row.update({c: float(g[c].mean()) for c in metric_cols})
            valid, predicted = int(g["n_valid_terms"].sum()), int(g["n_pred_terms"].sum())
            row.update(output_rates(valid, predicted, list(g["truncated"])))
            out.append(row)
    return out


def markdown_table(summary: list[dict], metric: str) -> str:
    """``metric`` as a split × number-of-fields markdown table (the ``all`` column last)."""
    from src.metrics.aggregate import split_by_fields

    splits, nfs, value = split_by_fields(summary, metric)
    lines = [f"| split | {' | '.join(f'nf={n}' if n != 'all' else 'all' for n in nfs)} |"]
    lines.append("|" + "---|" * (len(nfs) + 1))
    for s in splits:
        cells = [f"{value[(s, n)]:.3f}" if (s, n) in value else "" for n in nfs]
        lines.append(f"| {s} | {' | '.join(cells)} |")
    return "\n".join(lines)


def evaluate_split(model, dm, split: str, cfg: DictConfig) -> tuple[list[dict], dict]:
    """The scored records of one split's rows, and what decoding them cost (rows, seconds; sub-lists and
    tokens when composed)."""
    import time

    from src.decoding import Decoder

    table = dm.table(split)
    n = len(table) if cfg.limit is None else min(len(table), int(cfg.limit))
    rows = [table.iloc[i].to_dict() for i in range(n)]
    indices = list(range(n))
    decoder = Decoder.from_config(cfg.decode)
    cost: dict = {}
    start = time.perf_counter()
    preds = decoder.predict(model, dm, split, rows, indices, cfg.batch_size, cost=cost)
    seconds = time.perf_counter() - start
    # the words the model wrote: its whole answers, or (composed) its answers on the sub-lists
    written = cost.get("tokens", sum(len(p) for p in preds if p))
    cost.update(rows=n, seconds=seconds, tokens=written, seconds_per_row=seconds / max(n, 1))
    plain = decoder.score(dm.scheme, rows, preds)
    verified = decoder.score(dm.scheme, rows, preds, verified=True) if decoder.verified else [None] * n
    records = [example_record(split, i, r, p, v) for i, r, p, v in zip(indices, rows, plain, verified)]
    return records, cost


def write_outputs(out_dir: Path, records: list[dict], summary: list[dict], verified: bool) -> dict[str, Path]:
    import pandas as pd

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {k: out_dir / name for k, name in (("pred", "predictions.parquet"), ("csv", "summary.csv"))}
    pd.DataFrame(records).to_parquet(paths["pred"], index=False)
    pd.DataFrame(summary).to_csv(paths["csv"], index=False)
    sections = [("S_lagrangian", "Mean S_Lagrangian"), ("perfect", "Fraction of perfect Lagrangians")]
    if verified:
        sections += [("verified/S_lagrangian", "Mean S_Lagrangian, verified terms only")]
    md = "\n\n".join(f"### {title}\n\n{markdown_table(summary, key)}" for key, title in sections)
    paths["md"] = out_dir / "summary.md"
    paths["md"].write_text(md + "\n")
    return paths


def log_wandb(cfg: DictConfig, out_dir: Path, records: list[dict], summary: list[dict]) -> str | None:
    """The summary and the per-example predictions as W&B tables, plus eval/<split>/<metric> scalars."""
    import wandb

    from src.models.loggers import wandb_mode

    mode = wandb_mode()
    if mode == "disabled":
        return None
    run = wandb.init(project=cfg.project, job_type="eval", dir=str(out_dir), mode=mode, config=_plain(cfg))
    try:
        cols = list(summary[0])
        run.log({"eval/summary": wandb.Table(columns=cols, data=[[r[c] for c in cols] for r in summary])})
        pcols = list(records[0])
        run.log(
            {"eval/predictions": wandb.Table(columns=pcols, data=[[r[c] for c in pcols] for r in records])}
        )
        run.log(
            {f"eval/{r['split']}/{k}": r[k] for r in summary if r["n_fields"] == "all" for k in SCORE_KEYS}
        )
        return str(Path(run.dir).parent) if getattr(run, "dir", None) else None
    finally:
        run.finish()


def _plain(cfg) -> dict:
    return OmegaConf.to_container(cfg)


def evaluate(cfg: DictConfig) -> dict:
    """Decode every split, score, write the files, log to W&B; return the paths and the ``all`` scores."""
    import torch

    from src.data.datamodule import LagrangianDataModule
    from src.decoding import Decoder
    from src.runs import run_dir_of

    ckpt = Path(cfg.ckpt)
    model = load_checkpoint(ckpt)  # first: a path that is not a model is named as such
    data_dir = Path(cfg.data_dir) if cfg.data_dir else default_data_dir(ckpt)
    splits = list(cfg.splits) if cfg.splits is not None else available_splits(data_dir)
    for split in splits:
        if not (data_dir / f"{split}.parquet").is_file():
            raise UserError(f"split {split!r} not found: {data_dir / (split + '.parquet')} is missing")
    run_dir = run_dir_of(ckpt)
    stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S_%f")
    out_dir = Path(cfg.out_dir) if cfg.out_dir else (run_dir or Path("outputs")) / "eval" / stamp
    problem = unwritable_folder(out_dir, "out_dir")  # before the decoding, not after it
    if problem:
        raise UserError(problem)
    if torch.cuda.is_available():
        model = model.cuda()
    dm = LagrangianDataModule(data_dir=str(data_dir), scheme=model.scheme, eval_splits=[])
    records, decoding = [], {}
    for split in splits:
        split_records, decoding[split] = evaluate_split(model, dm, split, cfg)
        records += split_records
    if not records:
        raise UserError(f"the splits {splits} hold no rows")
    summary = summary_rows(records)
    paths = write_outputs(out_dir, records, summary, cfg.decode.verified)
    wandb_dir = log_wandb(cfg, out_dir, records, summary) if cfg.wandb else None
    overall = {
        r["split"]: {k: v for k, v in r.items() if k != "split"} for r in summary if r["n_fields"] == "all"
    }
    return {
        "out_dir": str(out_dir),
        **{k: str(p) for k, p in paths.items()},
        "wandb": wandb_dir,
        "decoding": {"how": Decoder.from_config(cfg.decode).describe(), **decoding},
        "all": overall,
    }


def run(cfg: DictConfig) -> int:
    """Evaluate and print the JSON summary (paths and the ``all`` scores)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # stderr stays for errors
    print(dumps(evaluate(cfg), indent=2, default=str))
    return 0


@hydra.main(version_base="1.3", config_path="../conf", config_name="evaluate")
def hydra_main(cfg: DictConfig) -> None:
    code = run_main(lambda: run(cfg), "the evaluation's outputs")
    if code:
        sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    """The command line (Hydra; ``-m`` sweeps over checkpoints); with ``argv`` the same config and run in
    this process (for notebooks and tests)."""
    if argv is None:
        hydra_entry("evaluate", hydra_main, check_evaluate_values)
        return 0
    return run_main(lambda: run(parse_config(argv)), "the evaluation's outputs")


if __name__ == "__main__":
    sys.exit(main())
