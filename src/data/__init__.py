"""Datasets: samplers, generation to Parquet with metadata, OOD splits, the paper CSV reader and the
Lightning DataModule. Entry point: ``python -m src.generate data=sampled|uniform|quickstart|tiny|paper_csv``.

Modules: ``vocabulary`` (the field distribution and ConfigError), ``samplers``, ``spelling`` (OOD hypercharge
spellings), ``rows`` (the table columns), ``splits``, ``tables`` (Parquet, atomic writes), ``settings``,
``generation``, ``card``, ``paper_csv``, ``batching``, ``datamodule``.
"""
