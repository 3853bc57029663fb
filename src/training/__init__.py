"""The training job's pieces below ``src/train.py``: the value checks of a training config (``checks``),
what it builds before the fit (``build``: token scheme, datamodule, model, loggers, callbacks, run record,
Trainer), its wall-clock budget (``budget``), the final decoding and scores of the best checkpoint
(``final``) and what it prints and keeps at the end (``report``). ``src/train.py`` runs them in that order:
compose -> check -> build -> fit -> final scores -> report."""
