"""User settings for the TUI, read from ``$XDG_CONFIG_HOME/casetracker/config.toml``.

The theme chosen in the app (the palette's "Change theme") is kept there as ``[tui] theme``,
written by the app itself (``save_theme``) so that it is the theme of the next run too.

Key bindings: a ``[keys]`` table maps a binding id (shown in the
help screen, e.g. ``worklist.filter``) to one key or several, comma separated::

    [keys]
    "worklist.filter" = "f"
    "audit.next" = "n,]"

A mistake in the file never stops the app: what can be used is used, and every problem is
reported in words (``KeyConfig.problems``), naming the file and the entry, so that a remapping
that silently did nothing cannot happen.  A file that cannot be read as a whole - over
``SIZE_LIMIT`` bytes, not UTF-8, not TOML, or nested deeper than the parser can follow - is
ignored with a warning and the default keys are in use.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.keys import format_key

from casetracker import paths

EXAMPLE = '"worklist.filter" = "f"'
SIZE_LIMIT = 1 << 20  # bytes; a key map is a few hundred


@dataclass
class KeyConfig:
    """The ``[keys]`` overrides that can be applied, and what was wrong with the others."""

    path: Path
    keymap: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.path}: {text}")


def _bad_keys(keys: str) -> bool:
    parts = [part.strip() for part in keys.split(",")]
    return not parts or any(not part or any(c.isspace() for c in part) for part in parts)


def key_names(keys: str) -> set[str]:
    """The keys a comma-separated list binds, named as Textual matches key events ("]" is
    ``right_square_bracket``, "?" ``question_mark``): the names ``Binding.make_bindings`` gives
    a binding's keys and ``App.set_keymap`` gives a keymap's, so that a remapped key and a
    declared one compare as the app will match them."""
    return {binding.key for binding in Binding.make_bindings([Binding(keys, "")])}


def load_keys(path: Path | None = None) -> KeyConfig:
    """Read ``[keys]``; an absent file means no overrides."""
    found = KeyConfig(path or paths.config_file())
    try:
        with found.path.open("rb") as handle:
            raw = handle.read(SIZE_LIMIT + 1)
    except FileNotFoundError:
        return found
    except OSError as exc:
        found.problem(f"cannot be read ({exc.strerror}); the default keys are in use")
        return found
    if len(raw) > SIZE_LIMIT:
        found.problem(f"is over {SIZE_LIMIT} bytes; the default keys are in use")
        return found
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        found.problem(f"is not UTF-8 text ({exc}); the default keys are in use")
        return found
    except tomllib.TOMLDecodeError as exc:
        found.problem(f"is not valid TOML ({exc}); the default keys are in use")
        return found
    except RecursionError:
        found.problem("is nested too deeply to read; the default keys are in use")
        return found
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        found.problem(f"[keys] must be a table of binding id = keys, e.g. {EXAMPLE}")
        return found
    for binding_id, value in keys.items():
        if not isinstance(value, str):
            found.problem(
                f"[keys] {binding_id!r}: the keys must be text, e.g. {EXAMPLE} or "
                f'"audit.next" = "n,]"; got {value!r}, ignored'
            )
        elif _bad_keys(value):
            found.problem(
                f"[keys] {binding_id!r} = {value!r}: not a key or a comma-separated list of "
                'keys (e.g. "f", "ctrl+f", "f6", "n,]"), ignored'
            )
        else:
            found.keymap[str(binding_id)] = value
    return found


def _read_table(path: Path) -> dict[str, Any] | None:
    """The file as TOML, or None when it cannot be read as a whole (``load_keys`` says why)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(SIZE_LIMIT + 1)
        if len(raw) > SIZE_LIMIT:
            return None
        return tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None


def load_theme(path: Path | None = None) -> str:
    """The theme kept by the last run (``[tui] theme``), "" for none: the app checks the name
    against the themes it has and says so when it has no such theme."""
    data = _read_table(path or paths.config_file()) or {}
    table = data.get("tui")
    theme = table.get("theme") if isinstance(table, dict) else None
    return theme if isinstance(theme, str) else ""


_TABLE = re.compile(r"^\s*\[")
_TUI_TABLE = re.compile(r"^\s*\[\s*tui\s*\]\s*(#.*)?$")
_THEME_LINE = re.compile(r"^\s*theme\s*=")


def save_theme(theme: str, path: Path | None = None) -> str:
    """Keep ``theme`` as ``[tui] theme`` in config.toml, changing only that line (the user's
    keys and comments stay as they wrote them); returns "" or why it was not kept.

    A file that cannot be read as TOML is left alone (the user is told, not overwritten), and
    so is one whose edited text would not read back as the theme: nothing is written then."""
    target = path or paths.config_file()
    try:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        return f"{target}: cannot be read ({exc}); the theme is not kept"
    if text and _read_table(target) is None:
        return f"{target}: not readable as TOML; the theme is not kept (fix or remove the file)"
    entry = f"theme = {_toml_string(theme)}"
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _TUI_TABLE.match(line)), None)
    if start is None:
        lines += [*([""] if lines else []), "[tui]", entry]
    else:
        end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
        found = next((i for i in range(start + 1, end) if _THEME_LINE.match(lines[i])), None)
        if found is None:
            lines.insert(start + 1, entry)
        else:
            lines[found] = entry
    new_text = "\n".join(lines) + "\n"
    try:
        table = tomllib.loads(new_text).get("tui")
    except tomllib.TOMLDecodeError:
        table = None
    if not isinstance(table, dict) or table.get("theme") != theme:
        return f"{target}: its [tui] table cannot be edited safely; the theme is not kept"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(new_text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        return f"{target}: cannot be written ({exc.strerror}); the theme is not kept"
    return ""


def _toml_string(value: str) -> str:
    """A TOML basic string (a theme name is a word, but it is quoted as any text would be)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped) + '"'


def class_name(cls: Any) -> str:
    """How ``declared_bindings`` names a class."""
    return f"{cls.__module__}.{cls.__qualname__}"


def declared_bindings(*roots: Any) -> dict[str, list[Binding]]:
    """Every binding declared (inherited ones too) by ``roots`` (classes) and by the classes
    of the ``tui`` screens and widgets, by class name: all the bindings the app can have."""
    classes: list[Any] = list(roots)
    for package in ("tui.screens", "tui.widgets"):
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__):
            loaded = importlib.import_module(f"{package}.{info.name}")
            classes += [c for _, c in inspect.getmembers(loaded, inspect.isclass)]
    found: dict[str, list[Binding]] = {}
    for cls in classes:
        bindings = [
            binding
            for klass in reversed(getattr(cls, "__mro__", ()))
            for binding in vars(klass).get("BINDINGS", ())
            if isinstance(binding, Binding)
        ]
        if bindings:
            found[class_name(cls)] = bindings
    return found


@dataclass
class Clash:
    """A remapped binding's key that another binding also has, and where the two meet."""

    binding: Binding
    other: Binding
    keys: set[str]
    app_level: tuple[bool, bool]  # (the remapped one is the app's, the other is the app's)
    where: list[str] = field(default_factory=list)  # the screens and widgets, by class name


def check_keymap(config: KeyConfig, declared: dict[str, list[Binding]], app: str = "") -> None:
    """Report and drop entries for binding ids there are not (a typo would otherwise remap
    nothing, silently), and report every key remapped onto another binding's: of the same
    screen or widget (which is then left without it), or of the app (``app`` names its class
    in ``declared``), whose keys work on every screen unless the screen binds them itself:
    ``"audit.prev" = "q"`` makes q go back in audit mode, where it no longer quits.  The
    entries still apply: what they do is said."""
    known = {b.id for bindings in declared.values() for b in bindings if b.id}
    for binding_id in sorted(set(config.keymap) - known):
        del config.keymap[binding_id]
        config.problem(
            f"[keys] {binding_id!r}: no such binding id (the help screen, ?, lists them), ignored"
        )
    keymap = {k: key_names(v) for k, v in config.keymap.items()}
    everywhere = declared.get(app, [])
    clashes: dict[tuple[str, str], Clash] = {}
    for name, bindings in declared.items():
        pool = [(b, name == app) for b in bindings]
        if name != app:
            pool += [(b, True) for b in everywhere]
        for binding, binding_app in pool:
            if binding.id not in keymap:
                continue
            new_keys = _keys(binding, keymap)
            for other, other_app in pool:
                taken = new_keys & _keys(other, keymap)
                if other.id == binding.id or not taken:
                    continue
                clash = clashes.setdefault(
                    (binding.id, _name(other)),
                    Clash(binding, other, taken, (binding_app, other_app)),
                )
                short = name.rsplit(".", 1)[-1]
                if name != app and short not in clash.where:
                    clash.where.append(short)
    for clash in clashes.values():
        config.problem(_clash_text(clash, keymap))


def _keys(binding: Binding, keymap: dict[str, set[str]]) -> set[str]:
    """The keys ``binding`` has once ``keymap`` (keys by binding id) is applied."""
    if binding.id in keymap:
        return keymap[binding.id]
    return key_names(binding.key)


def _name(binding: Binding) -> str:
    return binding.id or binding.action


def _what(binding: Binding) -> str:
    return binding.tooltip or binding.description or binding.action


def _clash_text(clash: Clash, keymap: dict[str, set[str]]) -> str:
    binding, other = clash.binding, clash.other
    keys = ", ".join(sorted(format_key(k) for k in clash.keys))
    head = f"[keys] {binding.id!r} takes {keys!r} from {_name(other)!r} ({_what(other)})"
    where = ", ".join(clash.where)
    if clash.app_level == (False, True):  # the screen's binding is met first: it wins
        return f"{head}: in {where}, {keys} now does {_what(binding)}, no longer {_what(other)}"
    if clash.app_level == (True, False):  # the app's binding is met last: the screen's wins
        return (
            f"{head}, which keeps it in {where}: there, {keys} still does {_what(other)}, "
            f"not {_what(binding)}"
        )
    left = _keys(other, keymap) - clash.keys
    if left:
        return f"{head}, which keeps {', '.join(sorted(format_key(k) for k in left))!r}"
    return f"{head}, which now has no key"
