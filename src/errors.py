"""``UserError``: the base class of every mistake in a user's command line or input.

A leaf module (standard library only), so that any layer can raise it, the torch-free ``src.physics``
included; ``src.cli`` turns it into one line ``error: ...`` on stderr and exit code 2.
"""

from __future__ import annotations


class UserError(ValueError):
    """A mistake in the command line or its input; reported in one line with exit code 2.

    Its message is the whole report, so it names what is wrong and where. A ``ValueError`` too, so that
    code catching ``ValueError`` around a parse keeps catching it."""
