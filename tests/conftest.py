"""Shared by every test: W&B offline and silent, its files in the test's tmp_path, one thread per process."""

from __future__ import annotations

import pytest

import src.data.schema  # noqa: F401  (registers the data group's schema for every test that composes)
import src.models.schema  # noqa: F401  (and the optim group's)


@pytest.fixture(autouse=True)
def _offline_single_thread(monkeypatch, tmp_path):
    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_DIR", str(tmp_path))
    monkeypatch.setenv("WANDB_SILENT", "true")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
