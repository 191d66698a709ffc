"""The footer: the keys that work now, drawn as one line of text.

Textual's ``Footer`` mounts a widget per key and recomposes them all whenever the bindings
change; the case screen changes its number keys with every case it shows, and mounting a dozen
styled widgets each time cost a third of a second of every case opened.  This draws the same
keys (dimmed when the action is not allowed now, ``^p Commands`` at the right) as one line.

When they do not fit it gives way in steps (``fit``), keeping every key on screen as long as
it can: less padding; shorter labels for keys in a group (the case's numbered actions, which
are listed in full on the screen itself); one label for the whole group (``1234567890 act``);
the app's own keys (``q``, ``?``, ``esc``) without labels; the short form of a label that has
one (``SHORT_LABELS``: "Why?" for "Why not?"), so that an 80-column case screen reads whole
words; a folded group without its label (the case's number keys stand beside each action
listed); and only then labels cut with an ellipsis.
A click on a key presses it, as in ``Footer``; a click on a dimmed one rings the bell, unless
the screen can say why it is dimmed (``explain_key``: the case screen's blocked actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

# Shorter words for the labels that crowd a narrow key bar, used before any label is cut.
SHORT_LABELS = {
    "Why not?": "Why?",
    "Find action…": "Find",
    "Other roles'": "Others",
    "Hide other roles'": "Hide others",
    "Recorded as of…": "Recorded…",
    "Access log": "Log",
    "Play/pause": "Play",
    "Continue fork": "Continue",
    "Clear as-of": "Clear",
    "Switch user": "User",
    "Switch role": "Role",
}
GROUP_FLOOR = 8  # a grouped key's label is not shortened below this before the group folds
FLOOR = 6  # nor is any other label


@dataclass
class KeyItem:
    """One key: what is drawn, what a click presses, and where it was drawn."""

    key: str
    display: str
    description: str
    enabled: bool = True
    tooltip: str = ""
    group: str = ""  # the group's label, for keys that fold into one entry
    app_level: bool = False  # bound by the app (quit, help, back), the same on every screen
    start: int = 0
    end: int = 0


@dataclass
class Entry:
    """What is drawn for one key, or for a folded group: its keys, then one label."""

    keys: list[KeyItem]
    label: str
    grouped: bool = False
    app_level: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)

    def width(self, padding: int) -> int:
        label = len(self.label) + (0 if padding else 1) if self.label else 0
        return sum(len(k.display) for k in self.keys) + 2 * padding + label + 1


def shorten(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, an ellipsis marking a cut."""
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)].rstrip() + "…"


def _shorten_longest(which: list[Entry], floor: int) -> bool:
    """Shorten the longest label among ``which`` by one character; False if none can be."""
    candidates = [e for e in which if len(e.label) > floor]
    if not candidates:
        return False
    longest = max(candidates, key=lambda e: len(e.label))
    longest.label = shorten(longest.label, len(longest.label) - 1)
    return True


def _fold_groups(entries: list[Entry]) -> list[Entry]:
    folded: list[Entry] = []
    groups: dict[str, Entry] = {}
    for entry in entries:
        group = entry.keys[0].group
        if not group:
            folded.append(entry)
        elif group in groups:
            groups[group].keys.extend(entry.keys)
        else:
            groups[group] = Entry(list(entry.keys), group, grouped=True)
            folded.append(groups[group])
    return folded


def fit(
    items: list[KeyItem], width: int, palette: KeyItem | None = None
) -> tuple[list[Entry], int, bool]:
    """The entries to draw in ``width`` columns, the padding around keys (1 or 0), and whether
    the command palette (drawn at the right) keeps its label (the order of the steps is in the
    module's docstring)."""
    entries = [Entry([i], i.description, app_level=i.app_level) for i in items]
    labelled = palette_width(palette, True)

    def fits(padding: int, right: int = labelled) -> bool:
        return sum(e.width(padding) for e in entries) + right <= width

    if fits(1):
        return entries, 1, True
    if fits(0):
        return entries, 0, True
    grouped = [e for e in entries if e.keys[0].group]
    while not fits(0) and _shorten_longest(grouped, GROUP_FLOOR):
        pass
    if fits(0):
        return entries, 0, True
    entries = _fold_groups(entries)
    if fits(0):
        return entries, 0, True
    for entry in entries:
        if entry.app_level:
            entry.label = ""
    bare = palette_width(palette, False)
    if not fits(0, bare):
        for entry in entries:
            entry.label = SHORT_LABELS.get(entry.label, entry.label)
    if not fits(0, bare):
        for entry in entries:
            if entry.grouped:
                entry.label = ""
    while not fits(0, bare) and _shorten_longest(entries, FLOOR):
        pass
    return entries, 0, False


def palette_width(palette: KeyItem | None, labelled: bool) -> int:
    """Columns the command palette's key takes at the right: ``▏^p Commands ``."""
    if palette is None:
        return 0
    return 1 + len(palette.display) + 1 + (len(palette.description) + 1 if labelled else 0)


class KeyBar(Widget, can_focus=False):
    """The screen's active key bindings on one line, docked at the bottom."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-bar--key",
        "key-bar--description",
        "key-bar--hover",
    }
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-bar--hover {
            background: $block-hover-background;
        }
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.items: list[KeyItem] = []
        self.hovered = ""  # the key under the mouse pointer

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Any) -> None:
        if screen is self.screen:
            self.refresh()

    def collect(self) -> tuple[list[KeyItem], KeyItem | None]:
        """The keys to show (one per action, in binding order) and the command palette's."""
        app = self.app
        active = self.screen.active_bindings
        seen: set[str] = set()
        items: list[KeyItem] = []
        for node, binding, enabled, tooltip in active.values():
            if not binding.show or binding.action in seen:
                continue
            if binding.key == app.COMMAND_PALETTE_BINDING:
                continue
            seen.add(binding.action)
            items.append(self._item(binding, enabled, tooltip, app_level=node is app))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _ = active[app.COMMAND_PALETTE_BINDING]
            palette = self._item(binding, enabled, binding.tooltip, app_level=True)
        return items, palette

    def _item(self, binding: Binding, enabled: bool, tooltip: str, app_level: bool) -> KeyItem:
        return KeyItem(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            enabled,
            tooltip or binding.description,
            binding.group.description if binding.group else "",
            app_level,
        )

    def render(self) -> Text:
        items, palette = self.collect()
        styles = {
            "key": self.get_component_rich_style("key-bar--key", partial=True),
            "text": self.get_component_rich_style("key-bar--description", partial=True),
            "hover": self.get_component_rich_style("key-bar--hover", partial=True),
        }
        width = self.size.width
        entries, padding, palette_label = fit(items, width, palette)
        line = Text(no_wrap=True, end="")
        for entry in entries:
            self._draw(line, entry, padding, styles)
        right = Text(no_wrap=True, end="")
        if palette is not None:
            right.append("▏", "dim")
            right.append(f"{palette.display} ", styles["key"])
            if palette_label:
                right.append(f"{palette.description} ", styles["text"])
            palette.start, palette.end = width - right.cell_len, width
        if line.cell_len > width - right.cell_len:
            line.truncate(width - right.cell_len, overflow="ellipsis")
        line.append(" " * (width - right.cell_len - line.cell_len))
        line.append_text(right)
        self.items = items + ([palette] if palette is not None else [])
        return line

    def _draw(self, line: Text, entry: Entry, padding: int, styles: dict[str, Style]) -> None:
        pad = " " * padding
        line.append(pad, styles["key"])
        for key in entry.keys:
            key.start = line.cell_len
            line.append(key.display, self._style(styles, "key", key.enabled, key.key))
            key.end = line.cell_len
        line.append(pad, styles["key"])
        enabled = any(k.enabled for k in entry.keys)  # a folded group is dim if none is allowed
        if entry.label:
            hover = entry.keys[0].key if len(entry.keys) == 1 else ""
            text = f"{'' if padding else ' '}{entry.label} "
            line.append(text, self._style(styles, "text", enabled, hover))
        else:
            line.append(" ")
        if len(entry.keys) == 1:
            entry.keys[0].end = line.cell_len

    def _style(self, styles: dict[str, Style], part: str, enabled: bool, key: str) -> Style:
        style = styles[part]
        if not enabled:
            style += Style(dim=True)
        if key and key == self.hovered:
            style += styles["hover"]
        return style

    def item_at(self, x: int) -> KeyItem | None:
        return next((item for item in self.items if item.start <= x < item.end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self.item_at(event.x)
        key = item.key if item is not None else ""
        if key != self.hovered:
            self.hovered = key
            self.tooltip = item.tooltip if item is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self.hovered:
            self.hovered = ""
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        item = self.item_at(event.x)
        if item is None:
            return
        explain = getattr(self.screen, "explain_key", None)
        if item.enabled:
            self.app.simulate_key(item.key)
        elif not (callable(explain) and explain(item.key)):
            self.app.bell()
