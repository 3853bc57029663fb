"""The command-line layer every entry point shares: a user's mistake is one line on stderr and exit code 2.

- ``UserError`` (defined in ``src.errors``, re-exported here): the base class of every user mistake (a bad
  argument, a file that is not what it should be); its message is the whole report, so it names what is wrong
  and where. The domain errors derive from it (``ConfigError``, ``ModelConfigError``, ``LoggerConfigError``,
  ``ModelLoadError``, ``FieldError``), so no app lists error classes of its own.
- ``ArgumentParser``: argparse whose errors are ``UserError`` (one line, not argparse's usage block).
- ``run_main(main, what)``: calls ``main()`` and turns a ``UserError`` (``is_user_error``), or a refused
  write of ``what`` when given, into ``error: ...`` and exit code 2, never a traceback.
- Hydra apps (``src.train``, ``src.generate``, ``src.evaluate``): ``hydra_preflight(config_name, argv,
  check)`` composes the command line's config once before Hydra runs, so an unknown group option or key, a
  bad override and any value ``check(cfg)`` rejects are one line (Hydra itself would print several lines and
  exit 1; the price is a second composition, Hydra's own, for the job: 0.12-0.23 s, measured in
  ``hydra_entry``); the command line is read by Hydra's own argument parser; ``compose_checked`` is the
  same composition for a caller that wants the config (``src.evaluate`` called with ``argv``).
- ``exit_on_user_error(what)``: around a Hydra job's work, a ``UserError`` (also when Hydra's ``instantiate``
  wraps one: a config mistake found while building) or a write the machine refused (of ``what``) is one line
  and exit code 2.

This module imports no torch, so the light commands (``src.lagrangian``, ``src.score``) stay light.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from src.config.files import CONF_DIR
from src.errors import UserError  # re-exported: the apps write ``from src.cli import UserError``


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors: ``error()`` raises ``UserError`` instead of printing the usage."""

    def error(self, message: str):
        raise UserError(message)


def run_main(main: Callable[[], int | None], what: str | None = None) -> int:
    """``main()``'s exit code; a user's mistake (``is_user_error``) is one line on stderr and exit code 2, and
    so is a write the machine refused when ``what`` names what the command writes (a refused *read* of an
    input is then not mistaken for one: commands that only read leave ``what`` out)."""
    try:
        return int(main() or 0)
    except Exception as e:
        line = error_line(e, what)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        return 2


def is_user_error(e: BaseException) -> bool:
    """True for a ``UserError``, and for Hydra's ``InstantiationException`` whose cause is one (a config
    mistake that a class raised while ``instantiate`` built it)."""
    return isinstance(e, UserError) or (
        type(e).__name__ == "InstantiationException" and isinstance(e.__cause__, UserError)
    )


def user_error_line(e: BaseException) -> str:
    """The one line of a user error; one that ``instantiate`` wrapped is named by the config node it was
    built from (``callbacks.decoding_scores: num_examples must be at least 1, got 0``)."""
    if isinstance(e, UserError):
        return one_line(str(e))
    keys = re.findall(r"full_key: (\S+)", str(e))  # Hydra appends its own after the cause's text
    cause = one_line(str(e.__cause__))
    if not keys or cause.startswith((f"{keys[-1]}.", f"{keys[-1]}:")):
        return cause
    return f"{keys[-1]}: {cause}"


def error_line(e: BaseException, what: str | None) -> str | None:
    """One line for a user's mistake, or for a write the machine refused when ``what`` (what was being
    written) is given; None for anything else (a bug: its traceback is the report)."""
    if is_user_error(e):
        return user_error_line(e)
    if what is not None and is_write_failure(e):
        return write_failure_line(e, what)
    return None


@contextlib.contextmanager
def exit_on_user_error(what: str):
    """Around a job's work: a user's mistake (``is_user_error``) or a write the machine refused (of ``what``:
    a full disk, a read-only folder) ends the process with one line and exit code 2; anything else
    propagates."""
    try:
        yield
    except Exception as e:
        line = error_line(e, what)
        if line is None:
            raise
        print(f"error: {line}", file=sys.stderr)
        sys.exit(2)


# the errors of a write the machine refused: no permission, a read-only file system, a full disk or quota
WRITE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT})
# how pyarrow and torch.save word them (their exceptions carry no errno)
_WRITE_WORDS = ("No space left on device", "Read-only file system", "Permission denied", "file write failed")


def is_write_failure(e: BaseException) -> bool:
    """True for an error of writing a file that the machine refused (permission, read-only, full disk)."""
    if isinstance(e, OSError) and e.errno in WRITE_ERRNOS:
        return True
    return isinstance(e, OSError | RuntimeError) and any(w in str(e) for w in _WRITE_WORDS)


def write_failure_line(e: BaseException, what: str = "a file") -> str:
    """One line for a refused write of ``what``, naming the file when the error does."""
    name = getattr(e, "filename", None)
    reason = getattr(e, "strerror", None) if isinstance(e, OSError) and e.errno else None
    text = f"{reason}: {name}" if reason and name else one_line(str(e))
    return f"cannot write {what} ({text}); free space or choose a writable folder"


def unwritable_folder(path: str | os.PathLike, key: str) -> str | None:
    """None when ``path`` is a folder this process can write into (or can create); else one line naming
    ``key``. Checked by making and removing an empty folder in the deepest existing ancestor, so that a
    read-only file system or a folder root may not write is caught too (``os.access`` says yes to root)."""
    target = Path(path).expanduser().absolute()
    ancestor = target
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{key}={path}: {ancestor} is a file, not a folder"
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".write-check-", dir=ancestor))
    except OSError as e:
        return f"{key}={path}: cannot write into {ancestor} ({e.strerror or e})"
    return None


def one_line(text: str) -> str:
    """A multi-line message (Hydra's, with indented option lists) as one line: indented lines joined by
    commas, the config search path dropped."""
    parts: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("Config search path"):
            if line:
                break
            continue
        if raw[:1].isspace() and parts:
            sep = " " if parts[-1].endswith(":") else ", "
            parts[-1] += sep + line
        else:
            parts.append(line)
    return re.sub(r"\s+", " ", "; ".join(parts)).strip()


def hydra_args(argv: list[str]):
    """The command line as Hydra's own argument parser reads it (``overrides``, ``help``, ``cfg``, ...);
    None when Hydra would refuse it (Hydra then reports that itself)."""
    from hydra._internal.utils import get_args_parser

    parser = get_args_parser()
    try:
        with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
            return parser.parse_args(argv)
    except SystemExit:
        return None


def split_overrides(argv: list[str]) -> list[str]:
    """The override arguments of a Hydra command line (its flags and their values left out)."""
    args = hydra_args(argv)
    return list(args.overrides) if args is not None else []


def first_of_sweeps(overrides: list[str]) -> list[str]:
    """Replace each sweep (``a=1,2``) by its first value so that one job's config can be composed."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    out = []
    for o in parsed:
        if o.is_sweep_override():
            out.append(f"{o.get_key_element()}={next(iter(o.sweep_string_iterator()))}")
        else:
            out.append(o.input_line)
    return out


def compose(config_name: str, argv: list[str]):
    """The config ``python -m ... ARGV`` composes (the first job of a sweep); Hydra's errors propagate.
    The schemas of the config groups are registered (this module imports ``src.config``)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    overrides = first_of_sweeps(split_overrides(argv))
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=overrides)
    finally:
        GlobalHydra.instance().clear()


def compose_checked(config_name: str, argv: list[str], check: Callable | None = None):
    """The config the command line composes, once ``check(cfg)`` accepts it; else a one-line UserError.

    ``check`` raises ``UserError`` (or returns a message) for a value no schema can reject."""
    try:
        cfg = compose(config_name, argv)
    except Exception as e:  # every composition failure is a user mistake here
        raise UserError(_composition_problem(e)) from None
    problem = check(cfg) if check is not None else None
    if problem:
        raise UserError(problem)
    return cfg


def hydra_preflight(config_name: str, argv: list[str], check: Callable | None = None) -> str | None:
    """None when the command line composes and ``check(cfg)`` accepts it; otherwise the one-line problem."""
    try:
        compose_checked(config_name, argv, check)
    except UserError as e:
        return one_line(str(e))
    return None


def _composition_problem(e: BaseException) -> str:
    """Hydra's message, with the first line of its cause when that says more (``Error merging override
    a.b=x: Value 'x' of type 'str' could not be converted to Integer``)."""
    message = one_line(str(e)) or type(e).__name__
    cause = str(e.__cause__ or "").strip()
    first = cause.splitlines()[0] if cause else ""
    return f"{message}: {first}" if first and first not in message else message


def hydra_entry(config_name: str, hydra_main: Callable[[], object], check: Callable | None = None) -> None:
    """A Hydra app's ``main()``: preflight the command line (one line and exit 2 on a mistake), then run.

    The preflight composes the config once before Hydra composes it again: Hydra reports a composition error
    in several lines with exit code 1 from inside its own runner, before any code of ours runs. The second
    composition costs 0.12-0.23 s (``compose("train", ["experiment=learn_sublists"])``, five times, 2-core
    AMD EPYC, 2026-12-07) against jobs of minutes to hours, so it stays."""
    argv = sys.argv[1:]
    args = hydra_args(argv)
    # nothing to check when Hydra only prints (--help, --hydra-help, --info, --shell-completion) or refuses
    if args is not None and not (args.help or args.hydra_help or args.info or args.shell_completion):
        problem = hydra_preflight(config_name, argv, check)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            sys.exit(2)
    hydra_main()
