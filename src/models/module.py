"""``LagrangianBart``: the LightningModule that trains BART on (fields -> Lagrangian) pairs.

Loss: token cross-entropy through HF ``labels`` (padding = -100, ignored). Optimiser: AdamW (no decay on
biases and layer norms) with a linear warm-up to ``lr`` then a linear or cosine decay to ``min_lr_ratio * lr``
over the run's optimiser steps. Gradient clipping follows the Trainer's settings
(``trainer.gradient_clip_val``, ``gradient_clip_algorithm``) and is done here, under every precision and with
the fused kernel too (``configure_gradient_clipping``).

The ``numeric_u1`` scheme puts one ``[NUM]`` token per hypercharge in the source and returns the charge as a
float in ``u1_values`` (aligned with ``input_ids``, 0 elsewhere). Its value enters the encoder input
embedding:

    e_i = E[x_i] + u_i * v + g(u_i) - g(0),    g = a small MLP R -> R^d

so positions with u_i = 0 (every non-number token) are untouched, and the linear part u_i * v keeps an ordered
axis for charges never seen in training.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.utilities import GradClipAlgorithmType
from torch import nn
from transformers.models.bart.modeling_bart import shift_tokens_right

from src.config.files import config_path, config_values
from src.config.optim import SCHEDULES
from src.errors import UserError
from src.models.bart import ARCH_KEYS, MAX_NEW_TOKENS, SpecialIds, build_bart, generation_config, model_class
from src.models.greedy import greedy_decode, greedy_decode_queue
from src.runs import run_dir_of
from src.tokens.base import LABEL_PAD

PRETRAINED_META = "lagrangian_bart.json"
VALUE_CHANNEL_FILE = "value_channel.pt"


def _until_eos(ids: list[int], eos: int) -> list[int]:
    """A generated row (decoder_start first) up to and including its first [EOS] after the start."""
    try:
        return ids[: ids.index(eos, 1) + 1]
    except ValueError:
        return ids


class ModelLoadError(UserError):
    """``path`` is not a model this project can load; the one-line message names the path and the cause."""


# Label position of the first answer word: labels are [SOS, answer words..., EOS], so position 1 holds the
# decision whether to write a term at all ([EOS] there: no term).
DECISION_POSITION = 1


def decision_weighted_loss(logits: torch.Tensor, labels: torch.Tensor, weight: float) -> torch.Tensor:
    """Token-averaged cross-entropy with the first answer word of each target counted ``weight`` times.

    Teacher forcing averages over every target token, so the one token that decides between an empty answer
    and a term weighs 1 / (target length) of a long answer: ``optim.decision_weight`` raises it. With weight 1
    this is the plain mean cross-entropy (Hugging Face's ``loss``)."""
    ce = nn.functional.cross_entropy(
        logits.float().transpose(1, 2), labels, ignore_index=LABEL_PAD, reduction="none"
    )
    weights = (labels != LABEL_PAD).float()
    if labels.shape[1] > DECISION_POSITION:
        weights[:, DECISION_POSITION] *= weight
    return (ce * weights).sum() / weights.sum().clamp(min=1.0)


def default_optim() -> dict:
    """The optimiser settings of a module built without a config (or with a partial one): those of
    ``conf/optim/default.yaml``, read from the file and typed by its schema."""
    from src.config.optim import OptimNode

    return config_values(config_path("optim/default.yaml"), schema=OptimNode)


def is_encoder_only(name: str) -> bool:
    """True for a parameter used by the encoder alone (its layers, positions and norms), not the shared
    token embedding that the decoder and the output layer use too (``optim.encoder_lr_scale`` applies
    here)."""
    return ".encoder." in f".{name}" and "embed_tokens" not in name


class ValueChannel(nn.Module):
    """Continuous embedding of a scalar value: u -> u * v + g(u) - g(0), zero at u = 0."""

    def __init__(self, d_model: int, hidden: int = 64):
        super().__init__()
        self.direction = nn.Parameter(torch.randn(d_model) * 0.02)
        self.mlp = nn.Sequential(nn.Linear(1, hidden), nn.GELU(), nn.Linear(hidden, d_model))

    def forward(self, values: torch.Tensor) -> torch.Tensor:  # (B, S) -> (B, S, d)
        u = torch.nan_to_num(values.float(), nan=0.0)[..., None]
        return u * self.direction + self.mlp(u) - self.mlp(torch.zeros_like(u))


def lr_factor(
    step: int, warmup: int, total: int, schedule: str, min_ratio: float, time_progress: float = 0.0
) -> float:
    """Multiplier of the peak lr at optimiser step ``step``: linear warm-up, then linear/cosine decay.

    The decay follows whichever budget runs out first: the steps (``step / total``) or the wall-clock time
    (``time_progress``, the share of the training time budget used; 0 when there is none). So a run that a
    slow machine stops at its time limit still ends annealed; when the steps bind, the schedule (and the run)
    is the same on every machine.
    """
    if warmup > 0 and step < warmup:
        return (step + 1) / warmup
    if schedule == "constant" or total <= warmup:
        return 1.0
    progress = min(1.0, max((step - warmup) / max(1, total - warmup), time_progress))
    if schedule == "cosine":
        decay = 0.5 * (1.0 + math.cos(math.pi * progress))
    elif schedule == "linear":
        decay = 1.0 - progress
    else:
        raise ValueError(f"unknown lr schedule {schedule!r} ({', '.join(SCHEDULES)})")
    return min_ratio + (1.0 - min_ratio) * decay


class LagrangianBart(L.LightningModule):
    """BART from a preset; vocab size and special ids from the token scheme."""

    def __init__(
        self,
        arch: dict,
        vocab_size: int,
        special_ids: dict | None = None,
        optim: dict | None = None,
        numeric_u1: bool = False,
        max_new_tokens: int = MAX_NEW_TOKENS,
        scheme=None,
    ):
        super().__init__()
        self.save_hyperparameters(ignore=["scheme"])
        self.scheme = scheme
        self.ids = SpecialIds(**(special_ids or {}))
        self.optim = {**default_optim(), **(optim or {})}
        self.model = build_bart(arch, vocab_size, self.ids, max_new_tokens=max_new_tokens)
        self.value_channel = ValueChannel(self.model.config.d_model) if numeric_u1 else None
        self.run_meta: dict = {}  # e.g. the W&B run id; travels inside checkpoints
        self.time_budget_s: float | None = None  # training wall-clock budget: the lr decay follows it too
        self._fit_started: float | None = None
        self.tokens_seen = 0  # target tokens trained on (checkpointed: a resumed run continues the count)
        self._elapsed_before = 0.0  # training seconds of the run before a resume

    def on_train_start(self) -> None:
        self._fit_started = time.monotonic()
        # Lightning (2.6) restores the logging step of a checkpoint saved mid-epoch one lower than the
        # optimiser step it continues from, so a resumed run would log every step shifted and the resume
        # step twice; with one optimiser and automatic optimisation the two counters are equal by definition.
        loop = self.trainer.fit_loop.epoch_loop
        if self.automatic_optimization and loop._batches_that_stepped != self.trainer.global_step:
            loop._batches_that_stepped = self.trainer.global_step

    def train_elapsed(self) -> float:
        """Seconds of training so far, across resumes."""
        now = 0.0 if self._fit_started is None else time.monotonic() - self._fit_started
        return self._elapsed_before + now

    def time_progress(self) -> float:
        """Share of ``time_budget_s`` used since training started (0 without a budget)."""
        if not self.time_budget_s or self._fit_started is None:
            return 0.0
        return (time.monotonic() - self._fit_started) / self.time_budget_s

    # --- forward ----------------------------------------------------------------------------------------
    def encoder_inputs(self, batch: dict) -> dict:
        """``input_ids``, or ``inputs_embeds`` plus the value channel when the batch has ``u1_values``."""
        if self.value_channel is None or batch.get("u1_values") is None:
            return {"input_ids": batch["input_ids"]}
        embeds = self.model.get_encoder().embed_tokens(batch["input_ids"])  # (B, S, d), already scaled
        return {"inputs_embeds": embeds + self.value_channel(batch["u1_values"]).to(embeds.dtype)}

    def decoder_inputs(self, labels: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: the labels shifted right behind decoder_start, as generation starts. Passed
        explicitly because mBART's own shift would start from the labels' last token instead."""
        return shift_tokens_right(labels, self.ids.pad, self.ids.decoder_start)

    def forward(self, batch: dict):
        labels = batch["labels"]
        return self.model(
            **self.encoder_inputs(batch),
            attention_mask=batch["attention_mask"],
            decoder_input_ids=self.decoder_inputs(labels),
            labels=labels,
        )

    def _step(self, batch: dict, prefix: str, **log_kw) -> torch.Tensor:
        out = self(batch)
        labels = batch["labels"]
        mask = labels != LABEL_PAD
        n = int(batch["input_ids"].shape[0])
        acc = (out.logits.argmax(-1)[mask] == labels[mask]).float().mean()
        self.log(f"{prefix}/loss", out.loss, batch_size=n, **log_kw)
        self.log(f"{prefix}/token_accuracy", acc, batch_size=n, **log_kw)
        weight = float(self.optim.get("decision_weight", 1.0))
        if prefix == "train" and weight != 1.0:
            return decision_weighted_loss(out.logits, labels, weight)
        return out.loss

    def training_step(self, batch, batch_idx):
        loss = self._step(batch, "train", on_step=True, on_epoch=False, prog_bar=True)
        self.tokens_seen += int((batch["labels"] != LABEL_PAD).sum())
        # cumulative target tokens and training wall time: the x axes of the learning curves
        self.log("train/tokens_seen", float(self.tokens_seen), on_step=True, on_epoch=False)
        self.log("train/elapsed_s", self.train_elapsed(), on_step=True, on_epoch=False)
        self.log(
            "train/target_tokens",
            (batch["labels"] != LABEL_PAD).sum().float(),
            reduce_fx="sum",
            on_step=False,
            on_epoch=True,
        )
        return loss

    def validation_step(self, batch, batch_idx, dataloader_idx: int = 0):
        self._step(batch, "val", on_step=False, on_epoch=True, prog_bar=True, sync_dist=True)

    def test_step(self, batch, batch_idx, dataloader_idx: int = 0):
        split = self._test_split(dataloader_idx)
        self._step(batch, split, on_step=False, on_epoch=True, sync_dist=True, add_dataloader_idx=False)

    def _test_split(self, idx: int) -> str:
        dm = getattr(self.trainer, "datamodule", None)
        names = list(getattr(dm, "test_split_names", None) or ["test"])
        return names[idx] if idx < len(names) else f"test_{idx}"

    # --- optimisation -----------------------------------------------------------------------------------
    def configure_optimizers(self):
        o = self.optim
        scale = float(o.get("encoder_lr_scale", 1.0))
        groups: dict[tuple[bool, bool], list] = {}
        for name, p in self.named_parameters():
            if not p.requires_grad:
                continue
            no_decay = p.ndim < 2 or "layer_norm" in name or "layernorm" in name
            encoder = scale != 1.0 and is_encoder_only(name)
            groups.setdefault((no_decay, encoder), []).append(p)
        param_groups = [
            {
                "params": params,
                "weight_decay": 0.0 if no_decay else o["weight_decay"],
                "lr": o["lr"] * (scale if encoder else 1.0),
            }
            for (no_decay, encoder), params in sorted(groups.items())  # scale 1: [decay, no decay]
        ]
        # fused: one kernel for every tensor where PyTorch has it (CPU, CUDA); its state is the loop's, so a
        # checkpoint written by either resumes in the other
        devices = {p.device.type for p in self.parameters()}
        fused = {"fused": True} if o["fused"] and devices <= {"cpu", "cuda"} else {}
        opt = torch.optim.AdamW(param_groups, lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], **fused)
        total = int(self.trainer.estimated_stepping_batches) if self._trainer is not None else 1
        warmup = int(o.get("warmup_steps") or round(o.get("warmup_ratio", 0.0) * total))
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt,
            lambda s: lr_factor(s, warmup, total, o["schedule"], o["min_lr_ratio"], self.time_progress()),
        )
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step", "name": "lr"}}

    def configure_gradient_clipping(self, optimizer, gradient_clip_val=None, gradient_clip_algorithm=None):
        """Clip the true gradients before the optimiser step, whatever the precision and the AdamW kernel.

        Lightning's mixed-precision plugin refuses to clip for an optimiser that unscales inside its own
        ``step`` (the fused kernel), although under bf16 there is no loss scale at all. Here: where a loss
        scaler is at work (16-mixed) and the kernel would unscale inside ``step``, the gradients are unscaled
        first (the scaler records it, and its ``step`` then hands the kernel no scale, only the inf check);
        then they are clipped by norm or by value as configured.
        """
        if not gradient_clip_val or gradient_clip_val <= 0:
            return
        scaler = getattr(self.trainer.precision_plugin, "scaler", None)
        if scaler is not None and getattr(optimizer, "_step_supports_amp_scaling", False):
            scaler.unscale_(optimizer)
        params = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        if GradClipAlgorithmType(gradient_clip_algorithm or "norm") == GradClipAlgorithmType.VALUE:
            torch.nn.utils.clip_grad_value_(params, gradient_clip_val)
        else:
            torch.nn.utils.clip_grad_norm_(params, gradient_clip_val)

    # --- inference --------------------------------------------------------------------------------------
    @torch.no_grad()
    def generate_ids(
        self,
        batch: dict,
        max_new_tokens: int | None = None,
        num_beams: int = 1,
        engine: str = "lean",
        constraints: list | None = None,
    ) -> torch.Tensor:
        """Greedy (num_beams=1) or beam decoding with the KV cache; (B, T) ids starting at decoder_start.

        Greedy decoding runs the lean loop of ``src.models.greedy`` (``engine="lean"``, the same ids as
        ``model.generate``, which ``engine="hf"`` runs instead); beam search always runs ``generate``.
        ``constraints`` (one per row, see ``greedy_decode``) restrict greedy lean decoding.
        """
        if engine not in (
            "lean",
            "hf",
        ):  # the two paths below (the table users choose from: src.decoding.options)
            raise ValueError(f"engine must be 'lean' or 'hf', got {engine!r}")
        if constraints is not None and (engine != "lean" or num_beams != 1):
            raise ValueError("constrained decoding runs on the lean greedy engine (num_beams=1, engine=lean)")
        was_training = self.training
        self.eval()
        try:
            mask = batch["attention_mask"]
            encoder_outputs = self.model.get_encoder()(**self.encoder_inputs(batch), attention_mask=mask)
            new_tokens = int(max_new_tokens or self.hparams.max_new_tokens)
            if num_beams == 1 and engine == "lean":
                return greedy_decode(
                    self.model,
                    encoder_outputs.last_hidden_state,
                    mask,
                    decoder_start=self.ids.decoder_start,
                    eos=self.ids.eos,
                    pad=self.ids.pad,
                    max_new_tokens=new_tokens,
                    constraints=constraints,
                )
            config = generation_config(self.ids, new_tokens, num_beams)
            return self.model.generate(
                input_ids=batch["input_ids"],
                attention_mask=mask,
                encoder_outputs=encoder_outputs,
                generation_config=config,
            )
        finally:
            self.train(was_training)

    def generate_tokens(self, batch: dict, **decoding) -> list[list[str]]:
        """Decode a batch (``decoding``: the options of ``generate_ids``) and read each row back into words
        through the scheme (stops at [EOS])."""
        if self.scheme is None:
            raise RuntimeError("generate_tokens needs the token scheme: build LagrangianBart with scheme=...")
        return [self.scheme.decode(row) for row in self.generate_ids(batch, **decoding).tolist()]

    def decode_examples(
        self, examples: list[dict], batch_size: int, deadline: float | None = None, **decoding
    ) -> list[list[str] | None]:
        """Words (the scheme's, up to [EOS]) of ``example_ids``."""
        if self.scheme is None:
            raise RuntimeError("decode_examples needs the token scheme: build LagrangianBart with scheme=...")
        ids = self.example_ids(examples, batch_size, deadline, **decoding)
        return [None if row is None else self.scheme.decode(row) for row in ids]

    def example_ids(
        self, examples: list[dict], batch_size: int, deadline: float | None = None, **decoding
    ) -> list[list[int] | None]:
        """Each encoded example's ids (the scheme's ``encode`` output, without labels), from decoder_start to
        its [EOS], ``batch_size`` rows at a time (``decoding``: the options of ``generate_ids``).

        Greedy lean decoding keeps ``batch_size`` rows in flight (``greedy_decode_queue``: as rows finish,
        the next examples start); otherwise consecutive batches go through ``generate_ids``. Pass examples
        sorted by input length. With a ``deadline`` (``time.monotonic()``) no example (lean) or batch
        starts after it; those get None."""
        lean = decoding.get("num_beams", 1) == 1 and decoding.get("engine", "lean") == "lean"
        constraints = decoding.pop("constraints", None)
        write_threshold = decoding.pop("write_threshold", None)
        if write_threshold is not None and not lean:
            raise ValueError("a write threshold needs greedy lean decoding (num_beams=1, engine=lean)")
        if not lean:
            out: list[list[int] | None] = [None] * len(examples)
            for start in range(0, len(examples), batch_size):
                if deadline is not None and time.monotonic() >= deadline:
                    break
                rows = None if constraints is None else constraints[start : start + batch_size]
                batch = self._collated(examples, range(start, min(start + batch_size, len(examples))))
                ids = self.generate_ids(batch, constraints=rows, **decoding)
                out[start : start + len(ids)] = [_until_eos(row, self.ids.eos) for row in ids.tolist()]
            return out

        def encode(indices: list[int]):
            batch = self._collated(examples, indices)
            mask = batch["attention_mask"]
            hidden = self.model.get_encoder()(**self.encoder_inputs(batch), attention_mask=mask)
            return hidden.last_hidden_state, mask

        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode():
                rows = greedy_decode_queue(
                    self.model,
                    encode,
                    len(examples),
                    slots=batch_size,
                    decoder_start=self.ids.decoder_start,
                    eos=self.ids.eos,
                    pad=self.ids.pad,
                    max_new_tokens=int(decoding.get("max_new_tokens") or self.hparams.max_new_tokens),
                    constraints=constraints,
                    deadline=deadline,
                    write_threshold=write_threshold,
                )
        finally:
            self.train(was_training)
        return [None if row is None else row.tolist() for row in rows]

    def _collated(self, examples: list[dict], indices) -> dict:
        """The examples at ``indices`` as one batch (the scheme's collate) on the module's device."""
        batch = self.scheme.collate([examples[i] for i in indices])
        return {k: v.to(self.device) if torch.is_tensor(v) else v for k, v in batch.items()}

    @torch.no_grad()
    def encoder_first_state(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, u1_values: torch.Tensor | None = None
    ) -> torch.Tensor:
        """The encoder's last hidden state at [SOS] (position 0), (B, d_model): the paper's embedding."""
        batch = {"input_ids": input_ids, "u1_values": u1_values}
        out = self.model.get_encoder()(**self.encoder_inputs(batch), attention_mask=attention_mask)
        return out.last_hidden_state[:, 0, :]

    # --- persistence ------------------------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["run_meta"] = dict(self.run_meta)
        checkpoint["progress"] = {"tokens_seen": self.tokens_seen, "train_seconds": self.train_elapsed()}

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self.run_meta = dict(checkpoint.get("run_meta", {}))
        progress = checkpoint.get("progress", {})
        self.tokens_seen = int(progress.get("tokens_seen", 0))
        self._elapsed_before = float(progress.get("train_seconds", 0.0))

    def save_pretrained(self, path: str | Path) -> Path:
        """HF model + generation config, the scheme's tokenizer beside it, and the value channel if any."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(path)
        if self.scheme is not None:
            self.scheme.save_pretrained(path)
        if self.value_channel is not None:
            torch.save(self.value_channel.state_dict(), path / VALUE_CHANNEL_FILE)
        meta = {
            "scheme": getattr(self.scheme, "name", None),
            "arch": dict(self.hparams.arch),
            "vocab_size": int(self.hparams.vocab_size),
            "special_ids": {"pad": self.ids.pad, "bos": self.ids.bos, "eos": self.ids.eos},
            "numeric_u1": self.value_channel is not None,
            "max_new_tokens": int(self.hparams.max_new_tokens),
        }
        (path / PRETRAINED_META).write_text(json.dumps(meta, indent=2) + "\n")
        return path

    @classmethod
    def load_pretrained(cls, path: str | Path, map_location: str = "cpu") -> LagrangianBart:
        """Inverse of ``save_pretrained``: the model, its scheme and its value channel, in eval mode."""
        path = Path(path)
        meta_file = path / PRETRAINED_META
        if not meta_file.is_file():
            raise FileNotFoundError(f"{path} is not a saved LagrangianBart (no {PRETRAINED_META})")
        meta = json.loads(meta_file.read_text())
        from src.tokens import load_scheme

        scheme = load_scheme(path) if meta.get("scheme") else None
        module = cls(
            arch=meta["arch"],
            vocab_size=meta["vocab_size"],
            special_ids=meta["special_ids"],
            numeric_u1=meta["numeric_u1"],
            max_new_tokens=meta["max_new_tokens"],
            scheme=scheme,
        )
        module.model = model_class(meta["arch"]).from_pretrained(path)
        if module.value_channel is not None:
            module.value_channel.load_state_dict(
                torch.load(path / VALUE_CHANNEL_FILE, map_location=map_location)
            )
        return module.to(map_location).eval()

    @classmethod
    def load_released(cls, path: str | Path, map_location: str = "cpu") -> LagrangianBart:
        """A model in the layout of the paper's published checkpoint: a plain Hugging Face BART folder
        (``config.json``, weights) with a ``tokenizer.json`` in the paper's 41-word vocabulary. It reads and
        writes the ``paper`` scheme (random IDs); a tokenizer with other words or ids is refused by name."""
        from transformers import BartConfig, BartForConditionalGeneration

        from src.tokens import build_scheme

        path = Path(path)
        scheme = build_scheme("paper")
        words = (
            json.loads((path / "tokenizer.json").read_text(encoding="utf-8")).get("model", {}).get("vocab")
        )
        if not isinstance(words, dict):
            raise ModelLoadError(f"{path / 'tokenizer.json'} holds no word-level vocabulary (model.vocab)")
        paper = scheme.tokenizer.get_vocab()
        for word in sorted(set(words) | set(paper), key=lambda w: paper.get(w, len(paper))):
            if words.get(word) != paper.get(word):
                raise ModelLoadError(
                    f"{path / 'tokenizer.json'} is not the paper's 41-word vocabulary: {word!r} has id "
                    f"{words.get(word)} there and {paper.get(word)} in the paper's (src/tokens/vocab.py)"
                )
        config = BartConfig.from_pretrained(path)
        if config.model_type != "bart":
            raise ModelLoadError(f"{path / 'config.json'} describes a {config.model_type!r} model, not BART")
        if config.vocab_size < len(paper):
            raise ModelLoadError(
                f"{path / 'config.json'}: vocab_size {config.vocab_size} < {len(paper)} words"
            )
        arch = {"name": f"released:{path.name}", "norm": "post"}
        arch.update({k: getattr(config, k) for k in sorted(ARCH_KEYS - {"norm"})})
        ids = SpecialIds.from_scheme(scheme)
        module = cls(
            arch=arch,
            vocab_size=config.vocab_size,
            special_ids={"pad": ids.pad, "bos": ids.bos, "eos": ids.eos},
            max_new_tokens=min(MAX_NEW_TOKENS, config.max_position_embeddings),
            scheme=scheme,
        )
        model = BartForConditionalGeneration.from_pretrained(path)
        model.generation_config = generation_config(ids, max_new_tokens=module.hparams.max_new_tokens)
        module.model = model
        return module.to(map_location).eval()

    @classmethod
    def from_config(cls, cfg, scheme) -> LagrangianBart:
        """A fresh model for a run's config (``model``, ``optim``, ``decode``) and its token scheme."""
        from omegaconf import OmegaConf

        ids = SpecialIds.from_scheme(scheme)
        return cls(
            arch=OmegaConf.to_container(cfg.model, resolve=True),
            vocab_size=scheme.vocab_size,
            special_ids={"pad": ids.pad, "bos": ids.bos, "eos": ids.eos},
            optim=OmegaConf.to_container(cfg.optim, resolve=True),
            numeric_u1=scheme.has_values,
            max_new_tokens=int(cfg.decode.max_new_tokens),
            scheme=scheme,
        )

    @classmethod
    def load(cls, path: str | Path, map_location: str = "cpu") -> LagrangianBart:
        """The model at ``path`` in eval mode: a ``save_pretrained`` folder (``best_model``) or a Lightning
        ``.ckpt`` of a run (its tokenizer is read from the run's ``best_model``). Anything unreadable
        (missing, truncated or foreign files, broken JSON) is a ``ModelLoadError`` naming path and cause."""
        path = Path(path)
        if path.is_dir():
            if (path / PRETRAINED_META).is_file():
                return _loading(path, lambda: cls.load_pretrained(path, map_location))
            if (path / "config.json").is_file() and (path / "tokenizer.json").is_file():
                return _loading(path, lambda: cls.load_released(path, map_location))
            raise ModelLoadError(
                f"{path} is a folder without {PRETRAINED_META} (a saved model) or config.json and "
                "tokenizer.json (a model in the paper's released layout)"
            )
        if not path.is_file():
            raise ModelLoadError(f"{path} does not exist")
        run = run_dir_of(path)
        scheme_dir = run / "best_model" if run else None
        if scheme_dir is None or not scheme_dir.is_dir():
            raise ModelLoadError(f"no best_model folder beside {path} to read the tokenizer from")

        def from_checkpoint() -> LagrangianBart:
            import src.tokens as tokens

            scheme = tokens.load_scheme(scheme_dir)
            return cls.load_from_checkpoint(str(path), map_location=map_location, scheme=scheme).eval()

        return _loading(path, from_checkpoint)


def _loading(path: Path, load):
    """``load()``, with any failure to read the files turned into one ModelLoadError line."""
    try:
        return load()
    except ModelLoadError:
        raise
    except Exception as e:  # corrupt weights, bad JSON, a foreign pickle, a missing tokenizer file
        detail = (str(e).strip().splitlines() or [type(e).__name__])[0]
        kind = "not a saved model folder or Lightning checkpoint"
        raise ModelLoadError(f"cannot load {path} ({kind}): {type(e).__name__}: {detail}") from None
