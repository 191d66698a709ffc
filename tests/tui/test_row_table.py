"""The row table keeps its cursor's row in view when it gets its size after the cursor moved.

The case screen puts the timeline's cursor on the latest event as soon as the case is read; at
80×24 the timeline can still be hidden then (size 0, the actions pane shown), and on a busy
machine it was later shown scrolled to the top with the cursor below the visible rows."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.tui.conftest import run_async, settle
from tui.widgets.row_table import RowTable

ROWS = 30


class _Hidden(App[None]):
    CSS = "RowTable { height: 8; display: none; }"

    def compose(self) -> ComposeResult:
        yield RowTable(id="table")


@run_async
async def test_a_cursor_moved_while_hidden_is_in_view_once_shown():
    app = _Hidden()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows(("n",), [(str(n),) for n in range(ROWS)])
        table.move_cursor(row=ROWS - 1)
        await settle(pilot)
        assert table.size.height == 0 and table.scroll_y == 0
        table.display = True
        await settle(pilot, lambda: table.size.height == 8)
        await settle(pilot, lambda: table.scroll_y > 0)  # never, without the scroll on resize
        assert table.scroll_y == table.max_scroll_y  # the last row at the bottom
