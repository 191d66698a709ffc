"""Messages that workers post back to the screens that started them."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Loaded(Message):
    """A worker finished: ``what`` names the job, ``data`` is its result."""

    def __init__(self, what: str, data: Any) -> None:
        super().__init__()
        self.what = what
        self.data = data


class Failed(Message):
    """A worker's database call was refused or failed; ``error`` says why, for the user."""

    def __init__(self, what: str, error: Exception) -> None:
        super().__init__()
        self.what = what
        self.error = error
