"""The value checks of a training config, in one pass before any compute, and the shrinking of a
``trainer.fast_dev_run``: what the schemas (``src/config/data.py``, ``src/config/optim.py``) cannot say."""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf, open_dict

from src.config.optim import SCHEDULES
from src.errors import UserError
from src.models.precision import check_device


def check_values(cfg: DictConfig):
    """Reject bad values before any compute (UserError: one line naming the key): what the schemas of the
    data and optim groups cannot say (ranges, names, relations), the types and ranges of the keys without a
    schema (seed, the Trainer's step limits, the decoding length), the model's shape, the checkpoint path.
    Returns the data settings (``DataSettings``) built while checking them: the one object the run's
    datamodule generates, streams and checks its dataset with."""
    from src.data.settings import check_eval_splits, settings_from_config
    from src.data.stream import check_stream_values, check_sublists
    from src.decoding.decoder import Decoder
    from src.decoding.engine import check_threshold_scheme
    from src.models.bart import validate_arch
    from src.tokens import scheme_from_config

    from .budget import Budget

    def number(key: str, kind=float, minimum=None, maximum=None, allow_none: bool = False):
        """A key's value: a number (an integer for ``kind=int``), within [minimum, maximum]."""
        value = OmegaConf.select(cfg, key)
        if value is None and allow_none:
            return None
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if ok and kind is int and not float(value).is_integer():
            ok = False
        if not ok:
            raise UserError(f"{key}={value!r} must be {'an integer' if kind is int else 'a number'}")
        within(key, value, minimum, maximum)
        return value

    def within(key: str, value, minimum=None, maximum=None) -> None:
        if minimum is not None and value < minimum:
            raise UserError(f"{key}={value!r} must be >= {minimum}")
        if maximum is not None and value > maximum:
            raise UserError(f"{key}={value!r} must be <= {maximum}")

    # no schema: the Trainer takes more arguments than its YAML files name; seed and decode are plain keys
    number("seed", int)
    number("trainer.max_epochs", int, minimum=-1, allow_none=True)
    number("trainer.max_steps", int, minimum=-1, allow_none=True)
    Budget(cfg, start=0.0)  # budget.total and budget.final_eval are durations
    number("final_eval.limit", int, minimum=0, allow_none=True)
    number("final_eval.batch_size", int, minimum=1)
    Decoder.from_config(cfg.decode)  # the decoding options, each checked by name
    # typed by the optim and data schemas at composition: ranges and names only
    optim, dm = cfg.optim, cfg.data.datamodule
    if not optim.lr > 0:
        raise UserError(f"optim.lr={optim.lr!r} must be > 0")
    within("optim.weight_decay", optim.weight_decay, minimum=0.0)
    within("optim.warmup_steps", optim.warmup_steps, minimum=0)
    within("optim.min_lr_ratio", optim.min_lr_ratio, minimum=0.0, maximum=1.0)
    within("optim.decision_weight", optim.decision_weight, minimum=0.0)
    if optim.encoder_lr_scale is not None:
        within("optim.encoder_lr_scale", optim.encoder_lr_scale, minimum=0.0)
    if optim.schedule not in SCHEDULES:
        raise UserError(f"optim.schedule={optim.schedule!r}: use one of {', '.join(SCHEDULES)}")
    stream = dm.stream
    check_stream_values(  # the training stream's numbers, as the stream itself checks them
        dm.batch_size,
        stream.epoch_batches,
        stream.keep_by_fields,
        stream.canonical_ids,
        stream.canonical_ids_until,
    )
    check_sublists(OmegaConf.to_container(stream.sublists, resolve=True))  # sub-list sizes and shares
    check_eval_splits(dm.eval_splits)  # before a dataset is generated for nothing
    arch = OmegaConf.to_container(cfg.model, resolve=True)
    validate_arch(arch)  # ModelConfigError, a UserError
    for side in ("encoder", "decoder"):
        d, heads = arch.get("d_model"), arch.get(f"{side}_attention_heads")
        if isinstance(d, int) and isinstance(heads, int) and (heads < 1 or d % heads):
            raise UserError(f"model.d_model={d} must be a multiple of model.{side}_attention_heads={heads}")
    check_monitor(cfg)
    check_targets(cfg)
    # the scheme's options, each checked by name (no vocabulary built)
    scheme = scheme_from_config(cfg.tokenizer)
    check_threshold_scheme(cfg.decode.get("write_threshold"), scheme)
    if optim.decision_weight != 1 and getattr(scheme, "charge_sums", False):
        raise UserError(
            "optim.decision_weight weights a target's first word, which tokenizer.charge_sums=true makes a "
            "charge sum instead of the write decision: use one of the two"
        )
    settings = settings_from_config(OmegaConf.to_container(cfg.data, resolve=True))  # ConfigError (UserError)
    check_device({k: OmegaConf.select(cfg, f"trainer.{k}") for k in ("accelerator", "devices", "precision")})
    ckpt = cfg.get("ckpt_path")
    if ckpt:
        if Path(str(ckpt)).is_dir():
            raise UserError(
                f"ckpt_path={ckpt} is a folder; give a checkpoint file, e.g. {ckpt}/checkpoints/last.ckpt"
            )
        if not Path(str(ckpt)).is_file():
            raise UserError(f"ckpt_path={ckpt} does not exist")
    return settings


def check_targets(cfg: DictConfig) -> None:
    """The groups without a schema (``trainer``, each ``callbacks.*`` and ``logger.*`` node) are arguments of
    the class their ``_target_`` names: a key that class does not take, or a target that cannot be imported,
    is refused by name here, before any work (else the Trainer or a callback would fail after the data is
    prepared). Keys a run adds itself (the Trainer's ``callbacks``, ``logger``, ``max_time`` from the budget,
    the W&B ``id``) are not in the YAML and need no check."""
    import difflib
    import inspect

    from hydra.utils import get_object

    nodes = [("trainer", cfg.get("trainer"))]
    for group in ("callbacks", "logger"):
        nodes += [(f"{group}.{k}", v) for k, v in (cfg.get(group) or {}).items()]
    for where, node in nodes:
        if node is None or not isinstance(node, DictConfig) or "_target_" not in node:
            continue
        try:
            target = get_object(str(node._target_))
        except Exception as e:  # ImportError, AttributeError: Hydra wraps both
            raise UserError(f"{where}._target_={node._target_}: cannot be imported ({e})") from None
        params = inspect.signature(target).parameters
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
            continue  # takes any keyword: its own checks run when it is built
        for key in node:
            if str(key).startswith("_") or key in params:
                continue
            near = difflib.get_close_matches(str(key), list(params), n=1)
            hint = f"; did you mean {where}.{near[0]}?" if near else ""
            raise UserError(f"{where}.{key}: {node._target_} takes no argument {key!r}{hint}")


# What the model logs at each validation itself; every other val/* value is the decoding probe's.
MODEL_VAL_METRICS = ("val/loss", "val/token_accuracy")


def check_monitor(cfg: DictConfig) -> None:
    """The best checkpoint is chosen by a value someone writes: without the decoding probe
    (``callbacks.decoding_scores=null``) only the model's own val/loss and val/token_accuracy are."""
    callbacks = cfg.get("callbacks") or {}
    if callbacks.get("decoding_scores") is not None:
        return
    for key in ("model_checkpoint", "best_model"):
        monitor = OmegaConf.select(cfg, f"callbacks.{key}.monitor")
        if monitor is not None and monitor not in MODEL_VAL_METRICS:
            raise UserError(
                f"callbacks.decoding_scores=null, but callbacks.{key}.monitor={monitor} is written by that "
                f"decoding probe; keep the probe (fewer rows: callbacks.decoding_scores.num_examples=8) or "
                f"choose the best checkpoint by the loss: callbacks.model_checkpoint.monitor=val/loss "
                f"callbacks.model_checkpoint.mode=min"
            )


# A debugging run (trainer.fast_dev_run, however it is set) decodes and embeds a handful of rows and tokens.
FAST_DEV_LIMITS = {
    "decode.max_new_tokens": 32,
    "callbacks.decoding_scores.num_examples": 4,
    "final_eval.limit": 4,
}
FAST_DEV_CHARGES = [0, "1/2"]  # the t-SNE grid of the embedding analysis: 2 hypercharges instead of 9


def shrink_for_fast_dev_run(cfg: DictConfig) -> bool:
    """Under ``trainer.fast_dev_run`` cap the decoding, the probe, the final scores and the t-SNE grid (in
    place); True when it did. A run that is only checking the wiring then ends in seconds, not minutes."""
    if not cfg.trainer.get("fast_dev_run"):
        return False
    with open_dict(cfg):
        for key, cap in FAST_DEV_LIMITS.items():
            value = OmegaConf.select(cfg, key)
            too_many = value is None and key == "final_eval.limit"  # limit null = every row
            if too_many or (isinstance(value, int) and value > cap):
                OmegaConf.update(cfg, key, cap)
        if OmegaConf.select(cfg, "callbacks.embedding_analysis") is not None:
            cfg.callbacks.embedding_analysis.charges = FAST_DEV_CHARGES
    return True
