"""Every experiment composes and resolves; presets and groups are what the code expects."""

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from src.data.generation import flat_keys
from src.models.bart import validate_arch

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"

EXPERIMENTS = sorted(p.stem for p in (CONF_DIR / "experiment").glob("*.yaml"))


def test_the_requested_experiments_exist():
    wanted = {
        "quickstart", "paper_sampled", "paper_uniform", "ablation_opaque", "ablation_field_refs",
        "ablation_canonical_ids", "ood_hypercharge", "ood_hypercharge_numeric", "ood_fields", "ood_reps",
        "redundancy", "field_count_sweep",
    }  # fmt: skip
    assert wanted <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_composes_and_resolves(name, tmp_path, compose_cfg):
    cfg = compose_cfg([f"experiment={name}"])
    plain = OmegaConf.to_container(cfg, resolve=True)  # every interpolation resolves
    validate_arch(plain["model"])  # no typo and no vocabulary/generation key in the preset
    assert plain["task_name"] == name
    assert plain["data"]["datamodule"]["_target_"] == "src.data.datamodule.LagrangianDataModule"
    assert plain["callbacks"]["model_checkpoint"]["dirpath"] == str(tmp_path / "run" / "checkpoints")
    assert Path(plain["data"]["datamodule"]["data_dir"]).is_relative_to(tmp_path)


def test_ood_experiments_evaluate_on_their_split(compose_cfg):
    for name in ("ood_hypercharge", "ood_hypercharge_numeric", "ood_fields", "ood_reps"):
        split = name.removesuffix("_numeric")
        cfg = compose_cfg([f"experiment={name}"])
        assert split in cfg.data.datamodule.eval_splits


@pytest.mark.parametrize("name", ["ood_hypercharge", "ood_fields", "ood_reps", "ablation_field_refs"])
def test_hour_long_experiments_train_what_learn_1to3_trains(name, compose_cfg):
    # RESULTS.md measures learn_1to3 over three seeds; the experiments users run on the same base train the
    # same model on the same data and stream, and differ only in their name and the splits scored at the end
    learned = flat_keys(OmegaConf.to_container(compose_cfg(["experiment=learn_1to3"]), resolve=True))
    other = flat_keys(OmegaConf.to_container(compose_cfg([f"experiment={name}"]), resolve=True))
    differ = {k for k in learned.keys() | other.keys() if learned.get(k) != other.get(k)}
    naming = {"task_name", "tags", "logger.wandb.group", "logger.wandb.name", "logger.wandb.tags"}
    assert differ <= naming | {"data.datamodule.eval_splits"}
    assert learned["data.sampler"] == "uniform" and learned["data.max_fields"] == 3


def test_sweeps_give_each_dataset_its_own_folder(compose_cfg):
    names = {compose_cfg(["experiment=field_count_sweep", f"data.max_fields={n}"]).data.name for n in (1, 2)}
    bases = {
        compose_cfg(["experiment=redundancy", f"data.basis={b}"]).data.name
        for b in ("independent", "expanded")
    }
    assert len(names) == 2 and len(bases) == 2


def test_gpu_trainer_uses_bf16_mixed(compose_cfg):
    assert compose_cfg(["trainer=gpu"]).trainer.precision == "bf16-mixed"
    assert compose_cfg(["trainer=ddp"]).trainer.strategy == "ddp"


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_trains_in_the_precision_that_pays_on_whatever_device_is_there(name, compose_cfg):
    trainer = compose_cfg([f"experiment={name}"]).trainer
    assert trainer.accelerator in ("auto", "gpu")  # auto: a CUDA GPU when present, else the CPU
    assert trainer.precision in ("auto", "bf16-mixed")  # auto: resolved per device by src.models.precision


@pytest.mark.parametrize("switch", ["+trainer.fast_dev_run=true", "debug=fdr", "+trainer.fast_dev_run=3"])
def test_fast_dev_run_shrinks_decoding_probe_final_scores_and_tsne(switch, compose_cfg):
    from src.training.checks import FAST_DEV_CHARGES, shrink_for_fast_dev_run

    cfg = compose_cfg(["experiment=quickstart", switch])  # final_eval.limit null, 600 tokens, 32 probe rows
    assert shrink_for_fast_dev_run(cfg)
    plain = OmegaConf.to_container(cfg, resolve=True)
    assert plain["decode"]["max_new_tokens"] == 32
    assert plain["callbacks"]["decoding_scores"]["max_new_tokens"] == 32  # follows decode
    assert plain["callbacks"]["decoding_scores"]["num_examples"] == 4
    assert plain["final_eval"]["limit"] == 4
    assert plain["callbacks"]["embedding_analysis"]["charges"] == FAST_DEV_CHARGES


def test_a_normal_run_is_not_shrunk(compose_cfg):
    from src.training.checks import shrink_for_fast_dev_run

    cfg = compose_cfg(["experiment=quickstart", "final_eval.limit=0"])
    before = OmegaConf.to_container(cfg)
    assert not shrink_for_fast_dev_run(cfg)
    assert OmegaConf.to_container(cfg) == before
    cfg = compose_cfg(["experiment=quickstart", "final_eval.limit=0", "+trainer.fast_dev_run=true"])
    shrink_for_fast_dev_run(cfg)
    assert cfg.final_eval.limit == 0  # skipping the final scores stays skipped


def test_the_modules_optimiser_defaults_read_alone_equal_the_composed_optim(compose_cfg):
    """``default_optim`` reads conf/optim/default.yaml without Hydra (a module built without a config): the
    same keys, values and types as the composed config's ``optim``."""
    from src.models.module import default_optim

    optim = OmegaConf.to_container(compose_cfg([]).optim, resolve=True)
    assert default_optim() == optim
    assert [type(v) for v in default_optim().values()] == [type(v) for v in optim.values()]
    default_optim()["lr"] = 1.0  # each call a fresh copy
    assert default_optim()["lr"] == optim["lr"]


def test_the_optim_schema_names_every_key_of_conf_optim(compose_cfg):
    import dataclasses

    from src.config.optim import OptimNode

    optim = compose_cfg([]).optim
    assert set(optim) == {f.name for f in dataclasses.fields(OptimNode)}
    assert OmegaConf.get_type(optim) is OptimNode  # typed: a wrong type is refused at composition
