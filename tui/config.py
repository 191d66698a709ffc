"""User settings for the TUI, read from ``$XDG_CONFIG_HOME/casetracker/config.toml``.

Only key bindings are configurable so far: a ``[keys]`` table maps a binding id (shown in the
help screen, e.g. ``worklist.filter``) to one key or several, comma separated::

    [keys]
    "worklist.filter" = "f"
    "audit.next" = "n,]"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from casetracker import paths


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Binding id -> keys; an absent or unreadable file means no overrides."""
    path = path or paths.config_file()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        return {}
    keys = data.get("keys", {})
    return (
        {str(k): str(v) for k, v in keys.items() if isinstance(v, str)}
        if isinstance(keys, dict)
        else {}
    )
