"""``LogRunParams``: the run's parameters and the dataset's metadata, logged once the data is prepared."""

from __future__ import annotations

import json
from pathlib import Path

import lightning as L


def data_metadata(dm) -> dict:
    """The dataset's meta.json (config, seed, counts, code version), when the datamodule wrote one."""
    meta = Path(str(getattr(dm, "data_dir", ""))) / "meta.json"
    if meta.is_file():
        try:
            return json.loads(meta.read_text())
        except json.JSONDecodeError:
            return {}
    return {}


class LogRunParams(L.Callback):
    """Logs the run's parameters and the dataset's metadata (``data_meta``) to the trainer's loggers at the
    fit's setup, after Lightning's prepare_data has checked or generated the dataset."""

    def __init__(self, params: dict, dm):
        self.params, self.dm = params, dm

    def setup(self, trainer, pl_module, stage: str) -> None:
        if stage == "fit":
            for lg in trainer.loggers:
                lg.log_hyperparams({**self.params, "data_meta": data_metadata(self.dm)})
