"""Fixtures of the evaluation tests: the tiny dataset (composed from the real config) and a tiny model."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


@pytest.fixture(scope="session")
def tiny_datamodule(tmp_path_factory):
    """The ``data=tiny`` datamodule (48 Lagrangians of 1-2 fields), generated once under a temporary root."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from src.data.datamodule import datamodule_from_config
    from src.tokens import build_scheme

    root = tmp_path_factory.mktemp("eval_root")
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            config_name="train", overrides=["data=tiny", f"paths.root_dir={root}", f"run_dir={root}/run"]
        )
    GlobalHydra.instance().clear()
    dm = datamodule_from_config(cfg.data, build_scheme("paper"))
    dm.prepare_data()
    dm.setup("validate")
    return dm


@pytest.fixture
def tiny_arch() -> dict:
    return OmegaConf.to_container(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))
