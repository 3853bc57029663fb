"""The training job's pieces below ``src/train.py``: the value checks of a training config (``checks``), the
callbacks, loggers and run record it builds (``build``), its wall-clock budget (``budget``), the final
decoding and scores of the best checkpoint (``final``) and what it prints and keeps at the end (``report``).
``src/train.py`` composes them: compose -> check -> build -> fit -> final scores -> report."""
