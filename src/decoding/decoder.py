"""``Decoder``: how a trained model decodes, one value built once from a ``decode:`` config node.

Its options (``decode.<key>`` in conf/train.yaml and conf/evaluate.yaml):

- ``max_new_tokens``: the length limit of one answer;
- ``num_beams``: 1 is greedy; more is beam search (``model.generate``);
- ``engine``: ``lean`` (the greedy loop of ``src.models.greedy``) or ``hf`` (``model.generate``);
- ``constrain``: ``none``, ``oracle`` (only the oracle's terms) or ``ids`` (only the grammar's ID rule);
- ``verified``: also score only the terms the oracle verifies (a separate, labelled score);
- ``compose``: 0 decodes the whole field list at once; k in 1..4 assembles the Lagrangian from the model's
  answers on every sub-list of at most k fields (``src.decoding.compose``; the oracle is not consulted);
- ``write_threshold``: null is the plain argmax; t in (0, 1) rules out an empty answer wherever the model
  gives writing a term a probability above t (greedy lean decoding; chosen on validation rows).

The validation probe, the final scores of a training run (``src.training.final``) and ``src.evaluate``
decode through ``Decoder.predict``; ``src.lagrangian --checkpoint`` through ``Decoder.compare``; the
decoding bench through ``Decoder.decode_examples``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from src.errors import UserError
from src.models.bart import MAX_NEW_TOKENS

from .compose import MAX_DISTINCT_FIELDS
from .engine import generate_shared, score_rows
from .options import CONSTRAINTS, ENGINES


@dataclass(frozen=True)
class Decoder:
    max_new_tokens: int = MAX_NEW_TOKENS
    num_beams: int = 1
    engine: str = "lean"
    constrain: str = "none"
    verified: bool = False
    compose: int = 0
    write_threshold: float | None = None

    @classmethod
    def from_config(cls, node, **overrides) -> Decoder:
        """The decoder a ``decode:`` node describes (keys it leaves out keep their defaults), checked."""
        values = {f.name: node[f.name] for f in fields(cls) if node is not None and f.name in node}
        values.update(overrides)
        decoder = cls(**{k: v for k, v in values.items() if v is not None or k == "write_threshold"})
        decoder.check()
        return decoder

    def check(self, prefix: str = "decode") -> None:
        """A value no decoding can run with is a UserError naming the key."""
        for key in ("max_new_tokens", "num_beams"):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UserError(f"{prefix}.{key}={value!r} must be an integer >= 1")
        if self.engine not in ENGINES:
            raise UserError(f"{prefix}.engine={self.engine!r} is not one of {', '.join(ENGINES)}")
        if self.constrain not in CONSTRAINTS:
            raise UserError(f"{prefix}.constrain={self.constrain!r} is not one of {', '.join(CONSTRAINTS)}")
        if self.constrain != "none" and (self.num_beams != 1 or self.engine != "lean"):
            raise UserError(f"{prefix}.constrain needs greedy lean decoding (num_beams=1, engine=lean)")
        c = self.compose
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c <= MAX_DISTINCT_FIELDS:
            raise UserError(
                f"{prefix}.compose={c!r}: 0 (decode the whole list) or the largest sub-list, 1 to "
                f"{MAX_DISTINCT_FIELDS} (a renormalizable term holds at most {MAX_DISTINCT_FIELDS} fields)"
            )
        t = self.write_threshold
        if t is not None:
            if isinstance(t, bool) or not isinstance(t, int | float) or not 0 < t < 1:
                raise UserError(f"{prefix}.write_threshold={t!r}: null (plain argmax) or a number in (0, 1)")
            if self.num_beams != 1 or self.engine != "lean":
                raise UserError(
                    f"{prefix}.write_threshold needs greedy lean decoding (num_beams=1, engine=lean)"
                )

    def describe(self) -> str:
        how = "greedy" if self.num_beams == 1 else f"beam search ({self.num_beams} beams)"
        if self.constrain != "none":
            how += f", constrained ({self.constrain})"
        if self.compose:
            how += f", composed from sub-lists of at most {self.compose} fields"
        if self.write_threshold is not None:
            how += f", writing where P(write) > {self.write_threshold}"
        return how

    def predict(
        self,
        pl_module,
        dm,
        split: str,
        rows: list[dict],
        indices: list[int],
        batch_size: int,
        deadline: float | None = None,
        world: int = 1,
        rank: int = 0,
        cost: dict | None = None,
    ) -> list[list[str] | None]:
        """The model's words for dataset rows (None where the deadline left a row undecoded); ``cost``, when
        given, receives what compositional decoding cost (sub-lists, tokens, seconds)."""
        return generate_shared(
            pl_module,
            dm,
            split,
            rows,
            indices,
            batch_size,
            self.max_new_tokens,
            self.num_beams,
            world,
            rank,
            deadline=deadline,
            engine=self.engine,
            constrain=self.constrain,
            compose=self.compose,
            cost=cost,
            write_threshold=self.write_threshold,
        )

    def decode_examples(self, model, examples: list[dict], batch_size: int) -> list[list[str]]:
        """The model's words for encoded examples (the scheme's ``encode`` output, sorted by input length),
        whole lists only (no composition, no constraint): what the decoding bench times, engine by engine."""
        if self.compose or self.constrain != "none" or self.write_threshold is not None:
            raise ValueError(
                "decode_examples decodes encoded examples whole: no compose, constraint, threshold"
            )
        options = {"max_new_tokens": self.max_new_tokens, "num_beams": self.num_beams, "engine": self.engine}
        return model.decode_examples(examples, batch_size, **options)

    def compare(self, model, fields, basis: str = "independent", cost: dict | None = None):
        """The model's Lagrangian for one field list against the oracle's (``compare_with_oracle``):
        (ExampleResult, printable diff); ``cost`` receives the decoding's seconds and tokens."""
        from .engine import compare_with_oracle

        return compare_with_oracle(
            model,
            fields,
            max_new_tokens=self.max_new_tokens,
            num_beams=self.num_beams,
            basis=basis,
            compose=self.compose,
            cost=cost,
            write_threshold=self.write_threshold,
        )

    def score(self, scheme, rows: list[dict], predictions: list[list[str]], verified: bool = False) -> list:
        """Each prediction scored against its row (``src.decoding.engine.score_rows``); ``verified=True``:
        only its oracle-verified terms count (``src.evaluate`` adds those where ``self.verified`` asks).
        A composed answer is assembled, not written in one go: ``max_new_tokens`` bounds each sub-list's
        answer, not its length."""
        limit = None if self.compose else self.max_new_tokens
        return score_rows(scheme, rows, predictions, limit, verified=verified)
