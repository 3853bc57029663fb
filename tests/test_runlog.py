"""The run log: console output and logger records copied into the run folder, readable, appended."""

import logging
import sys

import pytest

from src.runlog import run_log


def test_stdout_stderr_and_lightning_records_reach_the_file_and_the_console(tmp_path, capsys):
    path = tmp_path / "run" / "train.log"
    before = sys.stdout, sys.stderr
    with run_log(path):
        print("first line")
        sys.stderr.write("epoch 0: 10%\rnot kept\repoch 0: 100%\n")
        logging.getLogger("lightning.pytorch").warning("a Lightning warning")
        sys.stderr.write("an unfinished progress line\rits last state")
    text = path.read_text()
    assert "first line\n" in text
    assert "epoch 0: 100%\n" in text and "10%" not in text and "not kept" not in text
    assert "a Lightning warning" in text
    assert text.endswith("its last state\n")
    out = capsys.readouterr()
    assert "first line" in out.out and "not kept" in out.err  # the console sees everything as written
    assert (sys.stdout, sys.stderr) == before  # the streams are restored
    handlers = logging.getLogger("lightning.pytorch").handlers
    assert not any(isinstance(h, logging.FileHandler) for h in handlers)


def test_a_second_block_appends_and_an_exception_is_written_with_its_traceback(tmp_path):
    path = tmp_path / "train.log"
    with run_log(path):
        print("before the resume")
    with pytest.raises(RuntimeError), run_log(path):
        print("after the resume")
        raise RuntimeError("the reason it stopped")
    text = path.read_text()
    assert text.index("before the resume") < text.index("after the resume")
    assert "Traceback" in text and "RuntimeError: the reason it stopped" in text
