"""The decoding option tables, one home: the engines and constraints a ``Decoder`` may name
(``decode.engine``, ``decode.constrain``); the code paths behind them:
``src.models.module.LagrangianBart.generate_ids`` (engines) and ``src.tokens.constraint`` (constraints)."""

ENGINES = ("lean", "hf")  # greedy decoding: src.models.greedy's lean loop, or model.generate
CONSTRAINTS = (
    "none",
    "oracle",
    "ids",
)  # none: the model's argmax; oracle: only oracle terms; ids: the ID grammar
