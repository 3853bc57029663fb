"""The configuration layer, beneath everything that reads a config: the structured schema of each config
group we define (``data``: ``src.config.data``; ``model`` and ``tokenizer``: ``src.config.model``;
``optim``: ``src.config.optim``) and the reading of one ``conf/`` file on its own (``src.config.files``).
The groups that configure Lightning and W&B objects (``trainer``, ``callbacks``, ``logger``) have no schema
of their own: each node is the arguments of the class its ``_target_`` names, and the preflight refuses a key
that class does not take (``src.training.checks.check_targets``), so the class's signature is the schema.

Importing this package registers the schemas in Hydra's ConfigStore (``<group>/schema``, which the
group's files list first in their defaults): whoever
composes a config (the Hydra apps, ``src.cli.compose``, the benches, the tests' ``conftest``) imports it
first. An unknown key or a wrong type is then refused by its full name while the config is composed; what a
type cannot say (ranges, names, relations between keys) is checked in one pass before any work
(``src.training.checks.check_values``, which asks each layer's own checker). Light to import: no torch, and
no file is read until a value is asked for.
"""

from . import data, model, optim  # noqa: F401  (registers their schemas)
