"""The UI tests' world: one demo database built once (deterministic: frozen clock, fixed salts
and idempotency keys), copied for each test, and helpers to wait on workers and read the screen.
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casetracker.adapters import subjects
from casetracker.domain import clock
from casetracker.services.demo import build_demo
from tests.conftest import built_once

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DEMO_CASES = 24


def _fixed_salts() -> Callable[[int], str]:
    counter = itertools.count(1)
    return lambda n=32: f"{next(counter):0{2 * n}x}"


def _build_demo(path: Path) -> None:
    mp = pytest.MonkeyPatch()
    mp.setattr(subjects.secrets, "token_hex", _fixed_salts())
    clock.set_clock(lambda: NOW)
    try:
        build_demo(f"sqlite:///{path}", DEMO_CASES)
    finally:
        clock.set_clock(None)
        mp.undo()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo database, built once per run (``built_once``: once for all xdist workers)."""
    return built_once(tmp_path_factory, "demo", _build_demo)[0]


@pytest.fixture
def demo_url(tmp_path, demo_template, monkeypatch) -> Iterator[str]:
    """A private copy of the demo database, with the clock frozen and XDG dirs in tmp."""
    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setattr(subjects.secrets, "token_hex", _fixed_salts())
    clock.set_clock(lambda: NOW)
    yield f"sqlite:///{target}"
    clock.set_clock(None)


async def settle(pilot, until: Callable[[], bool] | None = None, timeout: float = 120.0) -> None:
    """Wait for the app's workers and (optionally) a condition; stop every cursor blinking.

    Only the condition ends the wait: ``timeout`` (wall-clock seconds, generous, and under
    pytest-timeout's limit so that the failure shows the screen) only turns a condition that
    never comes into a failure rather than a hang; it is no guess at how long the app takes,
    so a busy machine makes a test slower, never red.  A condition that asks for a widget the
    screen has not composed yet is not met yet (``NoMatches``).
    """
    from textual.css.query import NoMatches
    from textual.widgets import Input

    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        try:
            if until is None or until():
                break
        except NoMatches:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting on {app.screen!r}: {screen_text(app)[:400]}")
        await pilot.pause(0.05)
    for screen in app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False
    await pilot.pause()


def screen_text(app) -> str:
    """Everything visible, as plain text (from the screenshot, so it is what a user sees)."""
    svg = app.export_screenshot()
    chunks = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return html.unescape("".join(chunks)).replace("\xa0", " ")


def words(text: str) -> str:
    """``text`` with every run of whitespace one space: wrapped lines compare as one phrase."""
    return " ".join(text.split())


def is_screen(app, name: str) -> Callable[[], bool]:
    return lambda: type(app.screen).__name__ == name and not app.screen.loading


def run_async(test):
    """Run an ``async def`` test on a fresh event loop (no async pytest plugin is required)."""
    import asyncio
    import functools

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return wrapper
