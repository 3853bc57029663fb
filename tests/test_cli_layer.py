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

    from src.cli import exit_on_user_error

    cases = [
        (UserError("data.x is wrong\n  (details)"), "error: data.x is wrong, (details)"),
        (KeyError("a build-time config mistake"), "error: 'a build-time config mistake'"),
        (OSError(errno.ENOSPC, "No space left on device", "/full/x"), "error: cannot write the run ("),
    ]

    def mistake(e):
        return isinstance(e, KeyError)

    for exc, line in cases:
        with pytest.raises(SystemExit) as stop, exit_on_user_error("the run", mistake):
            raise exc
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith(line) and err.count("\n") == 1, err
    with pytest.raises(ZeroDivisionError), exit_on_user_error("the run"):  # not a user's mistake: propagates
        raise ZeroDivisionError


def test_compose_checked_gives_the_config_or_one_user_error():
    from src.cli import compose_checked

    assert compose_checked("generate", ["data=tiny"]).data.name == "tiny"
    with pytest.raises(UserError, match="nosuch"):
        compose_checked("generate", ["data.nosuch=1"])
    with pytest.raises(UserError, match="too small"):
        compose_checked("generate", ["data=tiny"], check=lambda cfg: "data.n_lagrangians too small")
