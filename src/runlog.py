"""A run's console output kept in its folder: ``with run_log(run_dir / "train.log"): ...``.

Everything the job writes to stdout and stderr (our own lines, Lightning's model summary and warnings) and
every record of the Python loggers (Lightning's own loggers do not propagate to the root logger, so they get
a handler of their own) is appended to the file as well as shown on the console. A progress bar redraws its
line with carriage returns; the file keeps only the last state of each such line, so the log stays
readable. The file is opened for appending: a resumed run continues its log. An exception that ends the
block is written to the file with its traceback.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

# Lightning's loggers set propagate=False and print through their own handler.
NON_PROPAGATING_LOGGERS = ("lightning.pytorch", "lightning.fabric")
LOG_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"


class Tee:
    """A text stream that writes to ``console`` and, line by line, to ``file`` (a progress bar's ``\r``
    redraws keep only their last state there)."""

    def __init__(self, console: TextIO, file: TextIO):
        self.console, self.file = console, file
        self._line = ""

    def write(self, text: str) -> int:
        n = self.console.write(text)
        self._line += text
        if "\n" in self._line:
            *done, self._line = self._line.split("\n")
            self.file.write("".join(line.rsplit("\r", 1)[-1] + "\n" for line in done))
            self.file.flush()
        return n

    def flush(self) -> None:
        self.console.flush()
        self.file.flush()

    def close_line(self) -> None:
        """What is left of an unfinished line (e.g. a progress bar's last state) goes to the file."""
        rest = self._line.rsplit("\r", 1)[-1].strip()
        if rest:
            self.file.write(rest + "\n")
        self._line = ""
        self.file.flush()

    def __getattr__(self, name: str):  # isatty, encoding, fileno, ... of the console
        return getattr(self.console, name)


def _writes_to(handler: logging.Handler, path: Path) -> bool:
    return isinstance(handler, logging.FileHandler) and Path(handler.baseFilename).resolve() == path


@contextmanager
def run_log(path: str | Path) -> Iterator[Path]:
    """Copy stdout, stderr and the loggers' records into ``path`` (appended) while the block runs."""
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed below, after the streams are restored
    out, err = sys.stdout, sys.stderr
    tees = [Tee(out, file), Tee(err, file)]
    added: list[tuple[logging.Logger, logging.Handler]] = []
    loggers = [logging.getLogger(name) for name in NON_PROPAGATING_LOGGERS]
    root = logging.getLogger()
    if not any(_writes_to(h, path) for h in root.handlers):  # Hydra's job log may already write there
        loggers.append(root)
    for logger in loggers:
        if logger is root or not logger.propagate:
            handler = logging.FileHandler(path, encoding="utf-8")
            handler.setFormatter(logging.Formatter(LOG_FORMAT))
            logger.addHandler(handler)
            added.append((logger, handler))
    sys.stdout, sys.stderr = tees
    try:
        yield path
    except BaseException:  # why the run stopped, in full, in the file (the console shows it its own way)
        file.write(traceback.format_exc())
        raise
    finally:
        sys.stdout, sys.stderr = out, err
        for tee in tees:
            tee.close_line()
        for logger, handler in added:
            logger.removeHandler(handler)
            handler.close()
        file.close()
