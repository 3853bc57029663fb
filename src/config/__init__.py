"""The configuration layer, beneath everything that reads a config: the structured schema of each config
group that has one (``data``: ``src.config.data``; ``optim``: ``src.config.optim``) and the reading of one
``conf/`` file on its own (``src.config.files``).

Importing this package registers the schemas in Hydra's ConfigStore (``data/schema``, ``optim/schema``,
which ``conf/data/sampled.yaml`` and ``conf/optim/default.yaml`` list first in their defaults): whoever
composes a config (the Hydra apps, ``src.cli.compose``, the benches, the tests' ``conftest``) imports it
first. An unknown key or a wrong type is then refused by its full name while the config is composed; what a
type cannot say (ranges, names, relations between keys) is checked in one pass before any work
(``src.training.checks.check_values``, which asks each layer's own checker). Light to import: no torch, and
no file is read until a value is asked for.
"""

from . import data, optim  # noqa: F401  (registers their schemas)
