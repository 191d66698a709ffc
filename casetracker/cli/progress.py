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
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    # The bar takes what the text leaves (it is the one column that can shrink), so that at
    # 80 columns the counts are never cut.
    columns = [
        TextColumn(label),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[count]}"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("elapsed,"),
        TimeRemainingColumn(),
        TextColumn("left"),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=True, expand=True) as bar:
        task = bar.add_task(label, total=None, count="", rate="")
        known: list[int | None] = [None]

        def update(done: int, total: int | None) -> None:
            speed = bar.tasks[0].speed
            rate = f"{speed:,.0f}/s" if speed else ""
            if total is not None:
                known[0] = total
                bar.update(task, total=total)
            count = f"{done:,}/{known[0]:,} {unit}" if known[0] is not None else f"{done:,} {unit}"
            bar.update(task, completed=done, count=count, rate=rate)

        yield update
