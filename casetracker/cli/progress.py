"""Progress on a terminal for the commands that take minutes: ``synth``, ``import``,
``rebuild`` and ``verify``.

A bar with the count, the rate and an estimate of the time left, on standard error, only when
both standard output and standard error are terminals and ``--quiet`` was not given: a script,
a pipe or a log file gets the command's result and nothing else.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress display, even on a terminal.")
]


def shown(quiet: bool) -> bool:
    """Whether to draw progress: on a terminal (both streams), unless asked not to."""
    return not quiet and sys.stdout.isatty() and sys.stderr.isatty()


Update = Callable[[int, int | None], None]


@contextmanager
def progress(label: str, unit: str, quiet: bool = False) -> Iterator[Update]:
    """A function to call with the count done so far (not an increment) and the total when
    known (None keeps the last one): the bar shows the count, the rate and, with a total, an
    estimate of the time left.  Draws nothing unless ``shown``."""
    if not shown(quiet):
        yield lambda _done, _total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None, rate="")

        def update(done: int, total: int | None) -> None:
            speed = bar.tasks[0].speed
            rate = f"{speed:,.0f} {unit}/s" if speed else ""
            if total is not None:
                bar.update(task, total=total)
            bar.update(task, completed=done, rate=rate)

        yield update


@contextmanager
def status(message: str, quiet: bool = False) -> Iterator[None]:
    """A spinner with the time elapsed, for work that cannot say how far it has got."""
    if not shown(quiet):
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn(message), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        bar.add_task(message, total=None)
        yield
