"""Reading a YAML file a trainer wrote, at no more cost than its size.

YAML's anchors and aliases (``&a`` / ``*a``) let a file of a few hundred bytes expand into
billions of nodes when it is built into objects (the "billion laughs"), and deep nesting can
exhaust the stack.  A scenario needs neither, so the file's parse events are read first - which
costs in proportion to its size - and anything that could cost more is refused, naming the line,
before the document is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from casetracker.domain.errors import UsageError

SIZE_LIMIT = 1 << 20  # bytes; a shipped scenario is a few kilobytes
DEPTH_LIMIT = 32  # nested mappings and lists; a scenario uses five
_OPENING = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSING = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


class UnsafeYaml(UsageError):
    """A file refused before it is built: too large, not UTF-8, too deep, or with aliases."""


def not_yaml(path: Path, exc: yaml.YAMLError) -> UsageError:
    """The one-line error for a file the YAML parser cannot read."""
    return UnsafeYaml(f"{path.name}: not valid YAML: {exc}".replace("\n", " "))


def bounded_text(path: Path, loader: Any) -> str:
    """The file's text, once it is known to be UTF-8 of at most ``SIZE_LIMIT`` bytes, nested at
    most ``DEPTH_LIMIT`` deep, with no anchor or alias; ``UnsafeYaml`` otherwise."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(SIZE_LIMIT + 1)
    except OSError as exc:  # a directory named like a file, a file the user may not read
        raise UnsafeYaml(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > SIZE_LIMIT:
        raise UnsafeYaml(f"{path.name}: over {SIZE_LIMIT} bytes, too large for a scenario")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeYaml(f"{path.name}: not UTF-8 text ({exc})") from None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            where = f"{path.name}: line {event.start_mark.line + 1}"
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise UnsafeYaml(f"{where}: anchors and aliases (& and *) are not allowed")
            depth += isinstance(event, _OPENING) - isinstance(event, _CLOSING)
            if depth > DEPTH_LIMIT:
                raise UnsafeYaml(f"{where}: nested more than {DEPTH_LIMIT} levels deep")
    except yaml.YAMLError as exc:
        raise not_yaml(path, exc) from None
    return text
