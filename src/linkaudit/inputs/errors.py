"""The one error every reader raises: the message names the file and the problem in one line."""

from __future__ import annotations


class InputError(Exception):
    """An input cannot be read; the message names the file and the problem in one line."""
