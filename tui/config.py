"""User settings for the TUI, read from ``$XDG_CONFIG_HOME/casetracker/config.toml``.

Only key bindings are configurable so far: a ``[keys]`` table maps a binding id (shown in the
help screen, e.g. ``worklist.filter``) to one key or several, comma separated::

    [keys]
    "worklist.filter" = "f"
    "audit.next" = "n,]"

A mistake in the file never stops the app: what can be used is used, and every problem is
reported in words (``KeyConfig.problems``), naming the file and the entry, so that a remapping
that silently did nothing cannot happen.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.binding import Binding

from casetracker import paths

EXAMPLE = '"worklist.filter" = "f"'


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


def load_keys(path: Path | None = None) -> KeyConfig:
    """Read ``[keys]``; an absent file means no overrides."""
    found = KeyConfig(path or paths.config_file())
    try:
        with found.path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return found
    except OSError as exc:
        found.problem(f"cannot be read ({exc.strerror}); the default keys are in use")
        return found
    except tomllib.TOMLDecodeError as exc:
        found.problem(f"is not valid TOML ({exc}); the default keys are in use")
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
            found[f"{cls.__module__}.{cls.__qualname__}"] = bindings
    return found


def check_keymap(config: KeyConfig, declared: dict[str, list[Binding]]) -> None:
    """Report and drop entries for binding ids there are not (a typo would otherwise remap
    nothing, silently), and report a key remapped onto another binding of the same screen
    or widget, which is then left with no key."""
    known = {b.id for bindings in declared.values() for b in bindings if b.id}
    for binding_id in sorted(set(config.keymap) - known):
        del config.keymap[binding_id]
        config.problem(
            f"[keys] {binding_id!r}: no such binding id (the help screen, ?, lists them), ignored"
        )
    told: set[tuple[str, str]] = set()
    for bindings in declared.values():
        remapped = {b.id for b in bindings if b.id in config.keymap}
        for binding_id in sorted(remapped):
            new_keys = {k.strip() for k in config.keymap[binding_id].split(",")}
            for other in bindings:
                keys = {k.strip() for k in other.key.split(",")}
                if other.id in remapped or not keys & new_keys:
                    continue
                if (binding_id, other.id or other.action) in told:
                    continue
                told.add((binding_id, other.id or other.action))
                config.problem(
                    f"[keys] {binding_id!r} takes {', '.join(sorted(keys & new_keys))!r} "
                    f"from {other.id or other.action!r} "
                    f"({other.tooltip or other.description}), which now has no key"
                )
