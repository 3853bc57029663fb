"""``python -m src.generate data=sampled|uniform|quickstart|tiny|paper_csv [data.KEY=VALUE ...]``.

Writes ``${paths.data_dir}/${data.name}/``: train/val/test and out-of-distribution Parquet tables,
``meta.json`` and the dataset card (see ``src/data/generation.py``). Sharded: ``data.shard=i
data.num_shards=n`` per job, then ``data.merge=true data.num_shards=n``. A bad setting prints one line and
exits with status 2.
"""

from __future__ import annotations

import sys

import hydra
from omegaconf import DictConfig

import src.config  # noqa: F401  (registers the schemas of the config groups)
from src.cli import UserError, exit_on_user_error, hydra_entry, unwritable_folder
from src.data.generation import generate_dataset
from src.data.settings import settings_from_config


def run(cfg: DictConfig) -> dict:
    settings = settings_from_config(cfg.data)
    out_dir = f"{cfg.paths.data_dir}/{settings.name}"
    meta = generate_dataset(
        settings, out_dir, progress=cfg.get("progress", True), force=cfg.get("force", False)
    )
    if "counts" in meta:
        counts = ", ".join(f"{k} {v}" for k, v in meta["counts"].items())
        print(f"wrote {out_dir}: {counts}; {meta.get('lagrangians_per_s')} Lagrangians/s")
        short = meta["rejects"].get("short_of_target")
        if short:
            hint = (
                "raise data.oversample and rerun the shards"
                if settings.merge
                else "the vocabulary is exhausted"
            )
            print(f"warning: {short} rows short of data.n_lagrangians ({hint})", file=sys.stderr)
    else:
        print(f"wrote shard {meta['shard']} of {meta['num_shards']} under {out_dir}/shards")
    return meta


@hydra.main(version_base="1.3", config_path="../conf", config_name="generate")
def hydra_main(cfg: DictConfig) -> None:
    # a full disk mid-write leaves the dataset incomplete (no meta.json)
    what = f"the dataset {cfg.paths.data_dir}/{cfg.data.name} (left incomplete: no meta.json)"
    with exit_on_user_error(what):  # a bad setting is a ConfigError, a UserError
        run(cfg)


def _check_command_line(cfg: DictConfig) -> None:
    """The data settings and the output folder, checked before Hydra starts the job (one line, exit 2)."""
    settings_from_config(cfg.data)  # a bad setting is a ConfigError, a UserError
    problem = unwritable_folder(cfg.paths.data_dir, "paths.data_dir")
    if problem:
        raise UserError(problem)


def main() -> None:
    hydra_entry("generate", hydra_main, _check_command_line)


if __name__ == "__main__":
    main()
