"""Shared fixture: one dataset generated per session from the Hydra-composed `tiny` config."""

from __future__ import annotations

from pathlib import Path

import pytest
from data_helpers import tiny_settings

from src.data.generation import generate_dataset


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    generate_dataset(tiny_settings(), out, progress=False)
    return out
