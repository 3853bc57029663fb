"""``DecodingProbe``: every N epochs, decode a fixed validation subset and log the paper's scores.

Logged (prefix ``val`` by default), means over the subset: ``val/S_lagrangian``, ``val/S_contraction``,
``val/P_length``, ``val/S_object``, ``val/perfect``, the same per number of fields
(``val/S_lagrangian/nf=3``), ``val/validity_rate`` (predicted terms the parser and the oracle accept),
``val/truncated_rate``, and F1 per term class (``val/f1/yukawa``). With a ``WandbLogger``, also a
``wandb.Table`` of input, target, prediction and the per-term diff (missing / extra / invalid).

The module must provide ``decode_examples(examples, batch_size, deadline, **decoding)`` (words of its
token scheme, specials dropped; ``LagrangianBart``'s); the datamodule ``table(split)`` (rows with
``fields_json``/``lagrangian``/``n_fields``) and ``encode_row(row, split, index)``. Under DDP each rank
decodes its share of the subset (every world-size-th row) and the predictions are gathered to every rank,
which then all score the whole subset: the logged values agree without a further sync, and decoding takes
1/world of the time.
A ``ModelCheckpoint`` monitoring ``val/S_lagrangian`` needs ``every_n_epochs=1`` here (or the same period).
"""

from __future__ import annotations

import math

import lightning as L
import torch

from src.decoding import Decoder, fixed_subset, summarize
from src.errors import UserError
from src.metrics.collapse import CollapseDetector, distinct_share, encoder_spread
from src.metrics.example import ExampleResult
from src.models.bart import MAX_NEW_TOKENS

TABLE_COLUMNS = [
    "epoch",
    "row",
    "n_fields",
    "input",
    "target",
    "prediction",
    "S_lagrangian",
    "missing",
    "extra",
    "invalid",
]


@torch.no_grad()
def input_signals(pl_module, dm, split: str, rows: list[dict], indices: list[int]) -> dict[str, float]:
    """``encoder_spread`` and ``input_dependence`` (src.metrics.collapse) of the module on dataset rows.

    input_dependence = teacher-forced loss when row i's decoder reads row i+1's encoder output (rolled by one)
    minus the loss with its own: ~0 for a decoder that ignores its input.
    """
    from transformers.modeling_outputs import BaseModelOutput

    if len(rows) < 2:
        return {}
    encoded = [dm.encode_row(row, split, i) for row, i in zip(rows, indices)]
    batch = dm.scheme.collate([{k: v for k, v in e.items() if k != "row"} for e in encoded])
    batch = {k: v.to(pl_module.device) if torch.is_tensor(v) else v for k, v in batch.items()}
    was_training = pl_module.training
    pl_module.eval()
    try:
        mask = batch["attention_mask"]
        states = pl_module.model.get_encoder()(**pl_module.encoder_inputs(batch), attention_mask=mask)
        hidden = states.last_hidden_state

        def loss(h, m):
            out = pl_module.model(
                encoder_outputs=BaseModelOutput(last_hidden_state=h),
                attention_mask=m,
                decoder_input_ids=pl_module.decoder_inputs(batch["labels"]),
                labels=batch["labels"],
            )
            return float(out.loss)

        own = loss(hidden, mask)
        other = loss(hidden.roll(1, dims=0), mask.roll(1, dims=0))
    finally:
        pl_module.train(was_training)
    return {"encoder_spread": encoder_spread(hidden, mask), "input_dependence": other - own}


def rank_zero_says(flag: bool, world: int) -> bool:
    """Rank 0's ``flag`` on every rank (a collective: every rank calls it), so that ranks that each read their
    own clock still take the same branch around a collective such as ``gather_shares``."""
    if world <= 1:
        return flag
    import torch.distributed as dist

    box = [flag]
    dist.broadcast_object_list(box, src=0)
    return bool(box[0])


def table_rows(epoch: int, rows: list[dict], indices: list[int], results: list[ExampleResult]) -> list[list]:
    """One table row per example, in TABLE_COLUMNS order."""
    out = []
    for row, index, r in zip(rows, indices, results):
        diff = r.diff()
        out.append(
            [
                epoch,
                index,
                int(row["n_fields"]),
                row["fields"],
                row["lagrangian"],
                " ".join(r.prediction_paper),
                r.score.S_lagrangian,
                diff["missing"],
                diff["extra"],
                diff["invalid"],
            ]
        )
    return out


class DecodingProbe(L.Callback):
    """Decode ``num_examples`` fixed validation rows every ``every_n_epochs`` and log their scores."""

    def __init__(
        self,
        every_n_epochs: int = 1,
        num_examples: int = 64,
        batch_size: int = 16,
        max_new_tokens: int | None = None,
        num_beams: int = 1,
        compose: int = 0,
        engine: str = "lean",
        constrain: str = "none",
        write_threshold: float | None = None,
        split: str = "val",
        prefix: str = "val",
        table_examples: int = 32,
        seed: int = 0,
        collapse: dict | None = None,
    ):
        if every_n_epochs < 1 or num_examples < 1 or batch_size < 1:
            raise UserError(
                "every_n_epochs, num_examples and batch_size must be at least 1, got "
                f"{every_n_epochs}, {num_examples}, {batch_size}"
            )
        self.every_n_epochs = int(every_n_epochs)
        self.num_examples = int(num_examples)
        self.batch_size = int(batch_size)
        self.max_new_tokens = max_new_tokens
        self.num_beams = int(num_beams)
        self.compose = int(compose)
        self.engine, self.constrain = str(engine), str(constrain)
        self.write_threshold = write_threshold
        self.split = split
        self.prefix = prefix
        self.table_examples = int(table_examples)
        self.seed = int(seed)
        self.last: dict[
            str, float
        ] = {}  # the metrics of the latest run (for tests and the evaluation script)
        # collapse probe on the same rows: {max_distinct_share, stop_after, min_step} (src.metrics.collapse)
        self.detector = CollapseDetector(**dict(collapse or {}))
        self.seconds_per_row: float | None = None  # decoding time of the latest probe

    def _due(self, trainer: L.Trainer) -> bool:
        return not trainer.sanity_checking and (trainer.current_epoch + 1) % self.every_n_epochs == 0

    def on_validation_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        if not self._due(trainer):
            return
        dm = trainer.datamodule
        if dm is None or not hasattr(dm, "table"):
            raise RuntimeError("DecodingProbe needs a LagrangianDataModule (trainer.fit(..., datamodule=dm))")
        table = dm.table(self.split)
        indices = fixed_subset(len(table), self.num_examples, self.seed)
        rows = [table.iloc[i].to_dict() for i in indices]
        results = self.decode_and_score(dm, pl_module, rows, indices, trainer.world_size, trainer.global_rank)
        self.last = summarize(results, [int(r["n_fields"]) for r in rows], self.prefix)
        self.last.update(self.probe_collapse(trainer, pl_module, dm, rows, indices, results))
        for key, value in self.last.items():
            if not math.isnan(value):  # e.g. no predicted term to validate
                pl_module.log(key, float(value), on_epoch=True, on_step=False, batch_size=len(rows))
        self._log_table(trainer, table_rows(trainer.current_epoch, rows, indices, results))

    def probe_collapse(self, trainer, pl_module, dm, rows, indices, results) -> dict[str, float]:
        """Collapse signals of this validation's decoded rows; says so loudly (and stops, if set)."""
        import logging

        log = logging.getLogger(__name__)
        share = distinct_share([r.prediction for r in results])
        signals = input_signals(pl_module, dm, self.split, rows, indices)
        step = int(trainer.global_step)
        collapsed = self.detector.update(step, share, len(results), **signals)
        if collapsed:
            dep = signals.get("input_dependence", float("nan"))
            when = "" if step >= self.detector.min_step else " (before collapse.min_step: normal this early)"
            msg = (
                f"COLLAPSE at step {step}: {round(share * len(results))} distinct outputs for "
                f"{len(results)} different inputs, input dependence {dep:.3f} nats/token{when}"
            )
            log.warning(msg)
            print(f"WARNING: {msg}", flush=True)
        if self.detector.should_stop():
            print(
                f"WARNING: stopping the run: the last {self.detector.stop_after} probes collapsed", flush=True
            )
            trainer.should_stop = True
        return {
            **{f"{self.prefix}/{k}": v for k, v in signals.items()},
            f"{self.prefix}/collapsed": float(collapsed),
        }

    def state_dict(self) -> dict:
        return {"collapse": self.detector.state_dict()}

    def load_state_dict(self, state_dict: dict) -> None:
        self.detector.load_state_dict(state_dict.get("collapse", {}))

    def decode_and_score(
        self, dm, pl_module, rows: list[dict], indices: list[int], world: int = 1, rank: int = 0
    ) -> list[ExampleResult]:
        """Generate for ``rows`` (this rank's share under DDP, then gathered) and score every prediction."""
        import time

        limit = self.max_new_tokens or int(pl_module.hparams.get("max_new_tokens", MAX_NEW_TOKENS))
        decoder = Decoder(
            max_new_tokens=int(limit),
            num_beams=self.num_beams,
            engine=self.engine,
            constrain=self.constrain,
            compose=self.compose,
            write_threshold=self.write_threshold,
        )
        decoder.check("callbacks.decoding_scores")
        start = time.monotonic()
        predictions = decoder.predict(
            pl_module, dm, self.split, rows, indices, self.batch_size, None, world, rank
        )
        self.seconds_per_row = (time.monotonic() - start) / max(1, len(rows))  # read by FinishInTime
        return decoder.score(dm.scheme, rows, predictions)

    def _log_table(self, trainer: L.Trainer, data: list[list]) -> None:
        from lightning.pytorch.loggers import WandbLogger

        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger) and self.table_examples > 0:
                logger.log_table(
                    key=f"{self.prefix}/decoded", columns=TABLE_COLUMNS, data=data[: self.table_examples]
                )
