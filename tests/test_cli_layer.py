"""The shared command-line layer: one-line errors, exit code 2, Hydra preflight."""

import pytest

from src.cli import ArgumentParser, UserError, hydra_preflight, one_line, run_main


def test_argparse_errors_are_user_errors_not_usage_blocks():
    parser = ArgumentParser(prog="x")
    parser.add_argument("--n", type=int)
    with pytest.raises(UserError, match="invalid int value"):
        parser.parse_args(["--n", "abc"])


def test_run_main_turns_a_user_error_into_one_line_and_exit_code_2(capsys):
    def bad():
        raise UserError("the file\nis not a Lagrangian")

    assert run_main(bad) == 2
    assert capsys.readouterr().err == "error: the file; is not a Lagrangian\n"
    assert run_main(lambda: None) == 0
    with pytest.raises(KeyError):  # anything else is a bug and keeps its traceback
        run_main(lambda: {}["x"])


def test_hydra_messages_become_one_line():
    text = "In 'train': Could not find 'data/x'\n\nAvailable options in 'data':\n\tquickstart\n\tsampled\n"
    expected = "In 'train': Could not find 'data/x'; Available options in 'data': quickstart, sampled"
    assert one_line(text) == expected


@pytest.mark.parametrize(
    ("config", "argv", "words"),
    [
        ("generate", ["data=nosuch"], "Could not find 'data/nosuch'"),
        ("generate", ["data.max_fields=0"], None),  # composes; the value is checked by the app's check
        ("train", ["experiment=nosuch"], "Could not find 'experiment/nosuch'"),
        ("train", ["+trainer.nosuch=1", "seed=0,1"], None),  # a sweep composes as its first job
        ("train", ["optim.nosuch=1"], "nosuch"),
    ],
)
def test_hydra_preflight_names_what_does_not_compose(config, argv, words):
    problem = hydra_preflight(config, argv)
    assert (problem is None) if words is None else (words in problem and "\n" not in problem)


def test_hydra_preflight_runs_the_apps_own_check():
    def check(cfg):
        if cfg.data.max_fields < 1:
            raise UserError(f"data.max_fields must be >= 1, got {cfg.data.max_fields}")

    assert hydra_preflight("generate", ["data=tiny", "data.max_fields=0"], check) == (
        "data.max_fields must be >= 1, got 0"
    )
    assert hydra_preflight("generate", ["data=tiny"], check) is None


def test_a_jobs_user_errors_end_in_one_line_and_exit_code_2(capsys):
    import errno

    from hydra.errors import InstantiationException

    from src.cli import exit_on_user_error
    from src.data.field_space import ConfigError

    def built(cause: BaseException) -> InstantiationException:  # as hydra.utils.instantiate wraps a failure
        try:
            raise InstantiationException(
                f"Error in call to target 'x':\n{cause!r}\nfull_key: data"
            ) from cause
        except InstantiationException as e:
            return e

    cases = [
        (UserError("data.x is wrong\n  (details)"), "error: data.x is wrong, (details)"),
        (ConfigError("data.max_fields must be >= 1, got 0"), "error: data.max_fields must be >= 1, got 0"),
        (built(ConfigError("data.max_fields must be >= 1")), "error: data.max_fields must be >= 1"),
        (built(UserError("num_examples must be at least 1")), "error: data: num_examples must be at least 1"),
        (OSError(errno.ENOSPC, "No space left on device", "/full/x"), "error: cannot write the run ("),
    ]
    for exc, line in cases:
        with pytest.raises(SystemExit) as stop, exit_on_user_error("the run"):
            raise exc
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(line) and err.count("\n") == 1, err
    for bug in (ZeroDivisionError(), built(KeyError("not a user's mistake"))):  # propagate with a traceback
        with pytest.raises(type(bug)), exit_on_user_error("the run"):
            raise bug


def test_compose_checked_gives_the_config_or_one_user_error():
    from src.cli import compose_checked

    assert compose_checked("generate", ["data=tiny"]).data.name == "tiny"
    with pytest.raises(UserError, match="nosuch"):
        compose_checked("generate", ["data.nosuch=1"])
    with pytest.raises(UserError, match="too small"):
        compose_checked("generate", ["data=tiny"], check=lambda cfg: "data.n_lagrangians too small")


def _domain_errors():
    from src.data.field_space import ConfigError
    from src.models.bart import ModelConfigError
    from src.models.loggers import LoggerConfigError
    from src.models.module import ModelLoadError
    from src.physics.fields import FieldError

    return [ConfigError, ModelConfigError, LoggerConfigError, ModelLoadError, FieldError]


def test_every_domain_error_is_both_a_user_error_and_a_value_error(capsys):
    for cls in _domain_errors():
        assert issubclass(cls, UserError) and issubclass(cls, ValueError), cls

        def bad(cls=cls):
            raise cls("the input\nis wrong")

        assert run_main(bad) == 2
        assert capsys.readouterr().err == "error: the input; is wrong\n"


def test_user_error_lives_in_a_leaf_module_that_cli_re_exports():
    import subprocess
    import sys
    from pathlib import Path

    import src.cli
    import src.errors

    assert src.cli.UserError is src.errors.UserError
    code = "import sys, src.errors; print(sorted(m for m in sys.modules if m.split('.')[0] == 'src'))"
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['src', 'src.errors']"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "name a benchmark; usage: python -m src.bench"),
        (
            ["nosuch"],
            "unknown benchmark 'nosuch'; choose from oracle, data, train, decode, score, gpu or all",
        ),
        (["all", "--write"], "argument --write: expected one argument; 'all' takes --write FILE"),
        (["all", "--nosuch", "x"], "unrecognized arguments: --nosuch x; 'all' takes --write FILE"),
        (["all", "--decode-checkpoint", "d"], "--decode-checkpoint and --decode-rows go together"),
        (["decode", "--batch", "0"], "--batch and --new-tokens must be positive"),
        (["decode", "--checkpoint", "c"], "--checkpoint and --rows go together"),
        (["decode", "--model", "nosuch"], "unknown model preset 'nosuch'"),
        (["data", "--n", "0"], "--n and --workers must be >= 1"),
        (["data", "--sampler", "x"], "argument --sampler: invalid choice: 'x'"),
        (["oracle", "--n", "0"], "--n and --max-fields must be >= 1"),
        (["score", "--sizes", "1,x"], "argument --sizes: not comma-separated numbers: '1,x'"),
        (["train", "--steps", "0"], "--steps must be >= 1 and --warmup >= 0"),
        (["gpu", "--quick-steps", "many"], "argument --quick-steps: invalid int value: 'many'"),
    ],
)
def test_bench_mistakes_are_one_line_and_exit_code_2(argv, words, capsys):
    from src.bench.__main__ import main

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {words}") and err.count("\n") == 1, err


def test_bench_help_prints_the_usage(capsys):
    from src.bench.__main__ import main

    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: python -m src.bench")


@pytest.mark.parametrize(
    ("module", "argv", "words"),
    [
        (
            "src.analysis.runs",
            ["{tmp}/missing", "--out", "{tmp}/o"],
            "has no results.json (did the run finish?)",
        ),
        (
            "src.analysis.runs",
            ["{tmp}/a", "{tmp}/b", "--labels", "x", "--out", "{tmp}/o"],
            "1 labels for 2 runs",
        ),
        ("src.analysis.runs", ["{tmp}/a"], "the following arguments are required: --out"),
        (
            "src.analysis.learning",
            ["--recipe", "x", "--out", "{tmp}/o"],
            "--recipe 'x': expected NAME=RUN_DIR",
        ),
        ("src.analysis.learning", ["--recipe", "A={tmp}/missing", "--out", "{tmp}/o"], "has no results.json"),
    ],
)
def test_analysis_mistakes_are_one_line_and_exit_code_2(module, argv, words, tmp_path, capsys):
    import importlib

    main = importlib.import_module(module).main
    assert main([a.format(tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and words in err and err.count("\n") == 1, err
    assert not (tmp_path / "o").exists()


def test_python_m_src_bench_reports_a_mistake_in_one_line():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-m", "src.bench", "nosuch"], cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 2 and out.stderr.startswith("error: unknown benchmark 'nosuch'"), out.stderr
    assert out.stderr.count("\n") == 1 and out.stdout == ""


def test_a_refused_read_is_not_reported_as_a_refused_write(tmp_path, capsys):
    """Only a command that says what it writes turns a refused write into one line; a command that only
    reads lets a refused read (the same errno) end in its traceback instead of a wrong 'cannot write'."""
    import errno

    def refused():
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "input.txt"))

    with pytest.raises(PermissionError):
        run_main(refused)
    assert run_main(refused, "the outputs") == 2
    assert capsys.readouterr().err.startswith("error: cannot write the outputs (Permission denied: ")
