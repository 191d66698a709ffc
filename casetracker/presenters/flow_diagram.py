"""The process map as pictures: a Mermaid ``flowchart`` (``report flow --format mermaid``) and
the lines of the TUI's map (``tui.widgets.flow_map``), from the graph of
``casetracker.services.flow``.

Both draw what an inspector reads first: the busiest paths heavier (Mermaid's thick ``==>``
link, the TUI's ``━`` bar) and the slowest waits marked (``⏳`` and red).  Only the busiest
``top`` paths are drawn: a year's map has a hundred paths, most of them rare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol


class FlowPath(Protocol):
    source: str
    target: str
    count: int
    median_h: float
    p90_h: float
    busy: bool
    slow: bool


class FlowPicture(Protocol):
    title: str
    traces: int
    starts: Counter
    ends: Counter
    paths: list  # of FlowPath, busiest first


def wait_text(hours: float) -> str:
    """A wait as a person reads it: minutes, hours or days."""
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def mermaid(graph: FlowPicture, top: int = 40) -> str:
    """A left-to-right ``flowchart``: each step a node, each path an arrow labelled with its
    count and median wait; start and end markers show where traces begin and finish."""
    paths: Sequence[FlowPath] = graph.paths[:top]
    ids: dict[str, str] = {}

    def node(label: str) -> str:
        if label not in ids:
            ids[label] = f"s{len(ids)}"
        return ids[label]

    lines = ["---", f"title: {_quote_free(graph.title)}", "---", "flowchart LR"]
    links: list[str] = []
    styles: list[str] = []
    for path in paths:
        arrow = "==>" if path.busy else "-->"
        mark = " ⏳" if path.slow else ""
        text = f"{path.count:,} · median {wait_text(path.median_h)}{mark}"
        links.append(f'    {node(path.source)} {arrow}|"{_escape(text)}"| {node(path.target)}')
        if path.slow:
            styles.append(f"    linkStyle {len(links) - 1} stroke:#c62828,stroke-width:3px")
    drawn = set(ids)
    starts = [(label, n) for label, n in graph.starts.most_common() if label in drawn]
    ends = [(label, n) for label, n in graph.ends.most_common() if label in drawn]
    for label, count in starts[:3]:
        links.append(f'    start((start)) -.->|"{count:,}"| {node(label)}')
    for label, count in ends[:3]:
        links.append(f'    {node(label)} -.->|"{count:,}"| finish((end))')
    lines += [f'    {ident}["{_escape(label)}"]' for label, ident in ids.items()]
    lines += links
    lines += styles
    if len(graph.paths) > len(paths):
        lines.append(f"    %% {len(graph.paths) - len(paths)} rarer paths not drawn")
    return "\n".join(lines)


def _escape(text: str) -> str:
    """Mermaid labels in double quotes take entity codes for quotes and angle brackets."""
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _quote_free(text: str) -> str:
    return text.replace('"', "'").replace(":", " -")


def map_lines(graph: FlowPicture, width: int, top: int = 30) -> list[tuple[str, str]]:
    """The TUI's picture, one ``(text, style)`` line per path, busiest first: a bar whose length
    is the path's share of the busiest (heavy ``━`` for the busiest quarter, light ``─`` for the
    rest), the two steps, the count and the median wait; the slowest waits in red with ``⏳``."""
    paths: Sequence[FlowPath] = graph.paths[:top]
    if not paths:
        return [("no steps recorded for this choice", "dim")]
    most = paths[0].count
    bar_width = max(4, min(24, width // 5))
    out = []
    for path in paths:
        length = max(1, round(bar_width * path.count / most))
        bar = ("━" if path.busy else "─") * length + "▶"
        waits = f"median {wait_text(path.median_h)}, p90 {wait_text(path.p90_h)}"
        slow = "  ⏳ slowest" if path.slow else ""
        text = f"{bar:<{bar_width + 1}} {path.source} → {path.target}  {path.count:,}  {waits}"
        style = "bold red" if path.slow else ("bold" if path.busy else "")
        out.append((text + slow, style))
    if len(graph.paths) > len(paths):
        out.append(
            (f"… {len(graph.paths) - len(paths)} rarer paths (report flow lists all)", "dim")
        )
    return out
