"""Helpers for the data tests: the Hydra-composed ``data`` configs."""

from __future__ import annotations

from pathlib import Path

from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from src.data.settings import settings_from_config

CONF = Path(__file__).resolve().parents[2] / "conf"


def compose_data(name: str, overrides: list[str] = (), data_dir: str = "/unused") -> dict:
    """The ``data`` node of ``conf/generate.yaml`` with ``data=name`` (resolved, as a plain dict)."""
    with initialize_config_dir(version_base="1.3", config_dir=str(CONF)):
        cfg = compose("generate", overrides=[f"data={name}", f"paths.data_dir={data_dir}", *overrides])
    return OmegaConf.to_container(cfg.data, resolve=True)


def tiny_settings(**changes):
    data = compose_data("tiny")
    data.update(changes)
    return settings_from_config(data)
