"""Messages that workers post back to the screens that started them."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class Loaded(Message):
    """A worker finished: ``what`` names the job, ``data`` is its result, ``epoch`` is the
    screen's epoch when the job started (a screen reused for other content drops older ones)."""

    def __init__(self, what: str, data: Any, epoch: int = 0) -> None:
        super().__init__()
        self.what = what
        self.data = data
        self.epoch = epoch


class Failed(Message):
    """A worker's database call was refused or failed; ``error`` says why, for the user."""

    def __init__(self, what: str, error: Exception, epoch: int = 0) -> None:
        super().__init__()
        self.what = what
        self.error = error
        self.epoch = epoch
