"""A read-only table of a few dozen rows, drawn line by line: the case screen's timeline and
actions.  A row is one line, unless a subclass lays it out on several (``_row_lines``: an
action's label longer than the pane wraps rather than being cut).

Textual's ``DataTable`` renders every cell through Rich's console and measures its columns
on idle, after the first paint; on the case screen that was most of the time it took to show
a case, and the first paint had last case's column widths.  Here each row is laid out once, as
one ``Text``, when the rows are given, so the first paint is the final one and a line costs a
crop.  The cursor, j/k/g/G and enter behave as in the lists elsewhere (``VimTable``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

CELL_PADDING = 1  # spaces either side of each cell, as DataTable draws them


class RowTable(ScrollView, can_focus=True):
    """Rows of text in aligned columns with a row cursor; ``enter`` or a click selects."""

    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        & > .row-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .row-table--even-row { background: $surface-lighten-1 50%; }
        &:focus {
            background-tint: $foreground 5%;
            & > .row-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-table--header",
        "row-table--cursor",
        "row-table--even-row",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down", tooltip="Next row"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up", tooltip="Previous row"),
        Binding("home,g", "first", "First", show=False, id="list.first", tooltip="First row"),
        Binding("end,G", "last", "Last", show=False, id="list.last", tooltip="Last row"),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("enter", "select", "Select", show=False),
    ]
    HELP = "j/k or ↑/↓ move · g/G first/last · enter opens the highlighted row"

    class RowHighlighted(Message):
        """The cursor moved to ``cursor_row``."""

        def __init__(self, table: RowTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> RowTable:
            return self.table

    class RowSelected(Message):
        """``enter`` or a click on row ``cursor_row``, whose key is ``key``."""

        def __init__(self, table: RowTable, cursor_row: int, key: str) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.key = key

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(
        self,
        *,
        show_header: bool = True,
        zebra_stripes: bool = False,
        flex: dict[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        """``flex`` maps a column to the narrowest it may become: when the rows are wider than
        the table, those columns give up width (cut with an ellipsis), widest first."""
        super().__init__(**kwargs)
        self.show_header = show_header
        self.zebra_stripes = zebra_stripes
        self.flex = flex or {}
        self.labels: tuple[str, ...] = ()
        self.cells: list[list[Text]] = []
        self.widths: list[int] = []
        self.lines: list[Text] = []  # the lines drawn, a row's lines one after another
        self.line_rows: list[int] = []  # the row each line belongs to
        self.first_lines: list[int] = []  # each row's first line
        self.keys: list[str] = []
        self.header = Text()
        self.cursor_row = 0

    # ------------------------------------------------------------ content

    @property
    def row_count(self) -> int:
        return len(self.first_lines)

    def row_text(self, row: int) -> str:
        """What row ``row`` reads, its lines joined by newlines."""
        end = self.first_lines[row + 1] if row + 1 < self.row_count else len(self.lines)
        return "\n".join(line.plain for line in self.lines[self.first_lines[row] : end])

    def set_rows(
        self,
        labels: Sequence[str],
        rows: Sequence[Sequence[Text | str]],
        keys: Sequence[str] | None = None,
    ) -> None:
        """Replace every row; each column is as wide as its widest cell or label (less, for
        a ``flex`` column, when the table is too narrow)."""
        self.cells = [[c if isinstance(c, Text) else Text(c) for c in row] for row in rows]
        self.labels = tuple(labels)
        self.keys = list(keys) if keys is not None else [str(i) for i in range(len(rows))]
        self.cursor_row = min(self.cursor_row, max(len(self.cells) - 1, 0))
        self._lay_out()

    def _lay_out(self) -> None:
        natural = [
            max([len(label), *(row[i].cell_len for row in self.cells if i < len(row))])
            for i, label in enumerate(self.labels)
        ]
        self.widths = self._fit(natural)
        self.header = self._line([Text(label) for label in self.labels])
        self.lines, self.line_rows, self.first_lines = [], [], []
        for index, row in enumerate(self.cells):
            self.first_lines.append(len(self.lines))
            for line in self._row_lines(row):
                self.lines.append(line)
                self.line_rows.append(index)
        width = sum(w + 2 * CELL_PADDING for w in self.widths)
        self.virtual_size = Size(width, len(self.lines) + self._header_height)
        self.refresh(layout=True)

    def _fit(self, widths: list[int]) -> list[int]:
        """Narrow the flex columns, widest first, until the row fits the table's width."""
        room = self.size.width
        if not self.flex or room <= 0:
            return widths
        if len(self.cells) + self._header_height > self.size.height:
            room -= self.styles.scrollbar_size_vertical
        widths = list(widths)
        excess = sum(w + 2 * CELL_PADDING for w in widths) - room
        while excess > 0:
            shrinkable = [i for i, least in self.flex.items() if widths[i] > least]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
            excess -= 1
        return widths

    def on_resize(self, event: events.Resize) -> None:
        """Lay the columns out again for the new width, and keep the cursor's row in view: a
        cursor moved before the table had its final size (the case screen opening on its latest
        event, on a busy machine) was otherwise left below the visible rows."""
        if self.flex and self.cells:
            self._lay_out()
        if self.first_lines:
            self.call_after_refresh(self._scroll_to_cursor, False)

    def _row_lines(self, row: Sequence[Text]) -> list[Text]:
        """The lines a row is drawn on: one, here."""
        return [self._line(row)]

    def _line(self, row: Sequence[Text]) -> Text:
        pad = " " * CELL_PADDING
        line = Text(no_wrap=True, end="")
        for width, cell in zip(self.widths, row, strict=False):
            cell = cell.copy()
            cell.truncate(width, overflow="ellipsis", pad=True)
            line.append(pad)
            line.append_text(cell)
            line.append(pad)
        return line

    @property
    def _header_height(self) -> int:
        return 1 if self.show_header and self.labels else 0

    # ------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base = self.rich_style
        if y < self._header_height:
            style = base + self.get_component_rich_style("row-table--header", partial=True)
            return self._strip(self.header, scroll_x, width, style)
        index = y - self._header_height + scroll_y
        if not 0 <= index < len(self.lines):
            return Strip.blank(width, base)
        style = base
        row = self.line_rows[index]
        if self.zebra_stripes and row % 2 == 1:
            style += self.get_component_rich_style("row-table--even-row", partial=True)
        if row == self.cursor_row:
            style += self.get_component_rich_style("row-table--cursor", partial=True)
        return self._strip(self.lines[index], scroll_x, width, style)

    def _strip(self, text: Text, scroll_x: int, width: int, style: Style) -> Strip:
        segments = list(text.render(self.app.console))
        strip = Strip(Segment.apply_style(segments, style), text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    # ------------------------------------------------------------ cursor

    def move_cursor(self, *, row: int, reveal: bool = False) -> None:
        """Highlight ``row`` (clamped to the rows there are) and, after the next layout, scroll
        it into view; ``reveal`` scrolls the container around too (the user moved it there)."""
        if not self.first_lines:
            self.cursor_row = 0
            return
        row = max(0, min(row, self.row_count - 1))
        changed = row != self.cursor_row
        self.cursor_row = row
        self.call_after_refresh(self._scroll_to_cursor, reveal)
        self.refresh()
        if changed:
            self.post_message(self.RowHighlighted(self, row))

    def _scroll_to_cursor(self, reveal: bool) -> None:
        if not self.first_lines:
            return
        first = self.first_lines[min(self.cursor_row, self.row_count - 1)]
        height = self.line_rows.count(self.cursor_row) or 1
        visible = self.scrollable_content_region.height - self._header_height
        if visible > 0:
            top = int(self.scroll_y)
            if first < top:
                self.scroll_to(y=first, animate=False, immediate=True)
            elif first + height > top + visible:
                self.scroll_to(y=first + height - visible, animate=False, immediate=True)
        parent = self.parent
        if reveal and isinstance(parent, Widget) and parent.is_scrollable:
            y = self._header_height + first - int(self.scroll_y)
            line = Region(0, y, self.size.width, height).translate(self.virtual_region.offset)
            parent.scroll_to_region(line, animate=False, immediate=True, x_axis=False)

    def action_cursor(self, step: int) -> None:
        self.move_cursor(row=self.cursor_row + step, reveal=True)

    def action_page(self, step: int) -> None:
        visible = max(self.scrollable_content_region.height - self._header_height, 1)
        self.move_cursor(row=self.cursor_row + step * visible, reveal=True)

    def action_first(self) -> None:
        self.move_cursor(row=0, reveal=True)

    def action_last(self) -> None:
        self.move_cursor(row=self.row_count - 1, reveal=True)

    def action_select(self) -> None:
        if self.first_lines:
            self.post_message(self.RowSelected(self, self.cursor_row, self.keys[self.cursor_row]))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < self._header_height:
            return
        index = offset.y - self._header_height + int(self.scroll_y)
        if 0 <= index < len(self.lines):
            self.move_cursor(row=self.line_rows[index], reveal=True)
            self.action_select()
