"""Shared by every test: W&B offline and silent, its files in the test's tmp_path, one thread per process; the
real train config composed and shrunk to a tiny run in tmp_path; the tiny dataset and a tiny model.
Helpers imported by name (``train_helpers``, ``eval_helpers``) live in ``tests/helpers/`` (on the path)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from train_helpers import LAUNCHER_VARIABLES

import src.config  # noqa: F401  (registers the schemas of the config groups)

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


@pytest.fixture(autouse=True)
def _offline_single_thread(monkeypatch, tmp_path):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


@pytest.fixture(autouse=True)
def _no_distributed_state_left_behind():
    """A test that fits with strategy=ddp in this process (devices=1) leaves its process group and the
    launcher's variables behind; a later ``python -m src.train trainer=ddp_cpu`` child would inherit
    LOCAL_RANK, take itself for a rank started by a scheduler, launch no second rank and wait for it
    forever. Each test ends with neither."""
    before = {k: os.environ.get(k) for k in LAUNCHER_VARIABLES}
    yield
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
    for k, v in before.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def compose_train(overrides: list[str], tmp_path: Path, root: Path | None = None):
    """The train config as ``python -m src.train OVERRIDES`` sees it, every output under tmp_path."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import open_dict

    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        cfg = compose(
            config_name="train",
            overrides=[f"paths.root_dir={root or tmp_path}", f"run_dir={tmp_path / 'run'}", *overrides],
            return_hydra_config=True,
        )
    HydraConfig.instance().set_config(cfg)
    with open_dict(cfg):
        del cfg["hydra"]
    GlobalHydra.instance().clear()
    return cfg


@pytest.fixture
def compose_cfg(tmp_path):
    """compose_cfg(overrides) -> the resolved-able train config with outputs in tmp_path."""
    return lambda overrides: compose_train(list(overrides), tmp_path)


@pytest.fixture
def compose_cfg_at(tmp_path):
    """compose_cfg_at(root, overrides): data under ``root`` (shared), run outputs under tmp_path."""
    return lambda root, overrides: compose_train(list(overrides), tmp_path, root=root)


def _tiny_datamodule(root: Path):
    """The ``data=tiny`` datamodule with its dataset (48 Lagrangians of 1-2 fields + OOD splits) under
    ``root``, generated when missing."""
    from src.data.datamodule import datamodule_from_config
    from src.tokens import build_scheme

    dm = datamodule_from_config(compose_train(["data=tiny"], root).data, build_scheme("paper"))
    dm.prepare_data()
    return dm


@pytest.fixture(scope="session")
def tiny_data_root(tmp_path_factory):
    """A root whose outputs/data/tiny holds the tiny dataset."""
    root = tmp_path_factory.mktemp("tiny_root")
    _tiny_datamodule(root)
    return root


@pytest.fixture(scope="session")
def tiny_datamodule(tmp_path_factory):
    """The ``data=tiny`` datamodule set up for validation, its dataset generated once under a temp root."""
    dm = _tiny_datamodule(tmp_path_factory.mktemp("eval_root"))
    dm.setup("validate")
    return dm


@pytest.fixture
def tiny_arch() -> dict:
    from src.config.model import model_preset

    return model_preset("tiny")
