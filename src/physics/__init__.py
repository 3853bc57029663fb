"""Exact group theory for renormalizable Lagrangians (no torch, no tokenizer imports here).

Data flows one way: fields -> invariants -> lagrangian. Token schemes live in ``src.tokens``.
"""
