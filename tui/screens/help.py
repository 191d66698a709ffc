"""Help for what has focus: the screen's purpose, then every key that works here, as the key
bar shows it (``[``, not ``left_square_bracket``), with what it does and its binding id (for
remapping in config.toml)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.actions import parse
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from casetracker import paths


def user_facing(binding: Binding) -> bool:
    """Ours (every binding the app declares has an id, for config.toml) or in the key bar
    (the case's numbered actions); not Textual's own plumbing (``ctrl+c help_quit``,
    ``Scroll Left``), which the focused widget's one-line help sums up instead."""
    return bool(binding.id) or binding.show


def declared_keys(node: Any) -> BindingsMap:
    """The bindings ``node`` has: those its class and its bases declare in ``BINDINGS``,
    merged as Textual merges them (a key a class binds again keeps only that class's
    bindings).  Textual would also drop the bases' bindings above a class declared with
    ``inherit_bindings=False``; of the classes here only ``Static`` is, and nothing above
    it declares bindings."""
    keys: dict[str, list[Binding]] = {}
    for klass in reversed(type(node).__mro__):
        keys.update(BindingsMap(vars(klass).get("BINDINGS", ())).key_to_bindings)
    return BindingsMap.from_keys(keys)


def available(node: Any, binding: Binding) -> bool:
    """Whether ``binding`` does something here now, as ``node``'s ``check_action`` says (as
    the key bar asks it): a key it turns off (``False``: a queue number past the role's last
    queue, the access log for a role that may not read it) is not listed; a dimmed one
    (``None``) is, as the key bar still shows it."""
    _, name, parameters = parse(binding.action)
    return node.check_action(name, parameters) is not False


def purpose(screen: Any) -> str:
    """The screen's ``HELP`` less what it says of a key that does nothing here now, by the
    rule the key table follows (``available``): ``HELP_PARTS`` maps each such part of the
    text to its action ("a shows the access log, " to ``access_log``, which police may not
    read)."""
    text = getattr(screen, "HELP", "") or ""
    for part, action in getattr(screen, "HELP_PARTS", {}).items():
        if screen.check_action(action, ()) is False:
            text = text.replace(part, "")
    return text


def description(node: Any, binding: Binding) -> str:
    """What ``binding`` of ``node`` does, as the key bar says it: the node's
    ``key_description`` when it has one (the case screen's number keys), else the binding's."""
    describe = getattr(node, "key_description", None)
    return str(describe(binding)) if callable(describe) else binding.description


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark,f1", "close", "Close", id="help.close", tooltip="Close help"
        )
    ]

    def __init__(self, screen: Any, focused: Any) -> None:
        super().__init__()
        self.target_screen, self.focused_widget = screen, focused
        self.rows: list[tuple[str, str, str]] = []  # (keys, what they do, binding id), as listed

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
        table.add_column("key")
        table.add_column("does")
        table.add_column("id (config.toml)", style="dim")
        seen: set[tuple[str, str]] = set()
        listed: dict[tuple[str, str], list[str]] = {}  # (id, what it does): its keys, in order
        sources: list[Any] = []
        node = self.focused_widget
        while node is not None and node is not self.target_screen:
            sources.append(node)
            node = node.parent
        sources += [self.target_screen, self.app]
        app: Any = self.app
        for source in sources:
            for key, bindings in app.remapped(declared_keys(source)).key_to_bindings.items():
                for binding in bindings:
                    what = binding.tooltip or description(source, binding)
                    listable = user_facing(binding) and available(source, binding)
                    if not listable or not what or (key, what) in seen:
                        continue
                    seen.add((key, what))
                    listed.setdefault((binding.id or "", what), []).append(
                        app.get_key_display(binding)
                    )
        for (binding_id, what), keys in listed.items():
            self.rows.append((" ".join(keys), what, binding_id))
            table.add_row(*self.rows[-1])
        about = purpose(self.target_screen)
        focus_help = getattr(self.focused_widget, "HELP", "") if self.focused_widget else ""
        with Vertical(classes="dialog wide", id="help"):
            yield Label("Help", classes="dialog-title")
            with VerticalScroll():
                if about:
                    yield Static(Text(about))
                if focus_help:
                    yield Static(Text(f"In this list: {focus_help}", style="italic"))
                yield Static(table)
                yield Static(
                    Text(
                        f"Remap keys in {paths.config_file()} under [keys], e.g. "
                        '"worklist.filter" = "f".  ctrl+p lists every command by name.',
                        style="dim",
                    )
                )

    def action_close(self) -> None:
        self.dismiss(None)
