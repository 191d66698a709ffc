"""Streaming writers of the two open process-mining formats: IEEE 1849 XES and OCEL 2.0 (JSON
and SQLite).  casetracker's own code on the standard library: no process-mining library is
imported (PM4Py, which the tests read the files back with, is AGPL-3.0; casetracker is MIT).

Each writer takes one case's events at a time (``casetracker.services.process_log.cases``) and
writes them out before the next case is read, so its memory is bounded by the largest case and
its lifecycle instances, never by the log.  docs/process-mining.md describes what is written.

Approximate effective times.  Neither format has a period: an event has one timestamp.  The
timestamp written is the *start* of the effective period (a day's midnight, a month's first
day, a range's first moment, UK local time as UTC), and every event also carries
``effective`` (the canonical text, such as ``2010-12`` or ``2015-07-03/2015-10-05``),
``effective_precision`` (instant, day, month or range) and ``effective_end`` (the first moment
after the period), so a tool or an analyst can tell an exact time from a bound.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Protocol
from xml.sax.saxutils import quoteattr

from casetracker.adapters.event_scan import rows_between
from casetracker.domain.effective_time import EffectiveTime
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.vocabulary import FieldType
from casetracker.services.process_log import (
    CASE_LIFECYCLE,
    ORGANISATION_FIELDS,
    LogEvent,
    Period,
    Pseudonyms,
    Shaper,
    exported_fields,
    shaped,
)

XES = "xes"
OCEL2_JSON = "ocel2-json"
OCEL2_SQLITE = "ocel2-sqlite"
FORMATS = (XES, OCEL2_JSON, OCEL2_SQLITE)
EPOCH = "1970-01-01T00:00:00Z"  # OCEL 2.0: an object attribute's value from the start


def start_text(effective: EffectiveTime) -> str:
    """``utc_text`` of the start of an effective period: an instant's canonical text is that
    text already (``2015-03-04T12:00:00Z``), nearly every event's."""
    text = effective.text
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":
        return text
    return utc_text(effective.start)


def utc_text(moment: datetime) -> str:
    """``2015-03-04T12:00:00Z``: ISO 8601 in UTC, what both formats' readers parse (``moment``
    is in UTC; ``isoformat`` is several times faster than ``strftime``)."""
    return moment.isoformat(timespec="seconds")[:19] + "Z"


# Attributes every event carries, with their OCEL 2.0 types.
EVENT_ATTRIBUTES = (
    ("role", "string"),
    ("actor", "string"),
    ("lifecycle", "string"),
    ("recorded", "time"),
    ("effective", "string"),
    ("effective_precision", "string"),
    ("effective_end", "time"),
)
OBJECT_ATTRIBUTES = (("state", "string"), ("lifecycle_version", "integer"))
_FIELD_TYPES = {
    FieldType.BOOLEAN: "boolean",
    FieldType.INTEGER: "integer",
    FieldType.CHOICE: "string",
    FieldType.CHOICES: "string",
}


@dataclass
class Vocabulary:
    """The event types (activities) and object types (lifecycles) of every definition, with
    their attributes: both OCEL 2.0 files declare them before any event."""

    event_types: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    object_types: list[str] = field(default_factory=list)
    event_maps: dict[str, str] = field(default_factory=dict)  # activity -> table name part

    @classmethod
    def of(cls, flow: WorkflowEngine) -> Vocabulary:
        vocab = cls()
        for (workflow, _), spec in sorted(flow.specs.items()):
            if workflow not in vocab.object_types:
                vocab.object_types.append(workflow)
            for action in spec.actions:
                attributes = vocab.event_types.setdefault(action.label, list(EVENT_ATTRIBUTES))
                vocab.event_maps.setdefault(action.label, _camel(action.name))
                types = {f.name: f for f in action.fields}
                for name in exported_fields(action):
                    kind = (
                        "string" if name in ORGANISATION_FIELDS else _FIELD_TYPES[types[name].type]
                    )
                    if all(name != a for a, _ in attributes):
                        attributes.append((name, kind))
        return vocab


def _camel(name: str) -> str:
    """``record_seen_by_io`` -> ``RecordSeenByIo``: a table-name part of letters and digits."""
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


_ORG_ATTRIBUTES = 2  # role and actor: in XES, its Organizational extension's org:role, org:resource


def _event_values(event: LogEvent) -> list[tuple[str, Any]]:
    eff = event.effective
    return [
        ("role", event.role),
        ("actor", event.actor),
        ("lifecycle", event.workflow),
        ("recorded", event.recorded),
        ("effective", eff.text),
        ("effective_precision", eff.precision),
        ("effective_end", utc_text(eff.end)),
        *event.attributes,
    ]


@dataclass
class Counts:
    cases: int = 0
    events: int = 0
    objects: int = 0

    def add(self, other: Counts) -> None:
        self.cases += other.cases
        self.events += other.events
        self.objects += other.objects


class Writer(Protocol):
    counts: Counts

    def case(self, events: list[LogEvent]) -> None: ...

    def adopt(self, part: dict[str, Any]) -> None: ...

    def finish(self) -> None: ...


# ---------------------------------------------------------------------------- objects


@dataclass
class _Object:
    type: str
    version: int = 0
    states: list[tuple[str, str]] = field(default_factory=list)  # (time, state)
    relations: dict[str, str] = field(default_factory=dict)  # object id -> qualifier


def case_objects(events: list[LogEvent]) -> dict[str, _Object]:
    """The lifecycle instances one case's events act on or name, with their states over time
    and their relations to each other (every instance to its case; a check to its arrest).

    An event is related (E2O) to its own instance and its case only: a status check's events
    are the check's, not steps of the arrest it checks, which it is linked to (O2O) instead,
    so each lifecycle's directly-follows graph shows its own transitions."""
    objects: dict[str, _Object] = {}
    for event in events:
        own = objects.setdefault(event.object_id, _Object(event.workflow))
        own.version = own.version or event.version
        if event.state and (not own.states or own.states[-1][1] != event.state):
            own.states.append((start_text(event.effective), event.state))
        for other, qualifier in (*event.related, *event.linked):
            objects.setdefault(other, _Object(_type_of(other)))
            own.relations.setdefault(other, qualifier)
    return objects


def _type_of(object_id: str) -> str:
    parts = object_id.split("/")
    return parts[1] if len(parts) > 1 else CASE_LIFECYCLE


# ---------------------------------------------------------------------------- XES


class XesWriter:
    """IEEE 1849-2016 XES: one trace per case, its events in effective-time order, with the
    Concept, Time and Organizational extensions (activity, timestamp, role and resource)."""

    def __init__(self, handle: IO[str], title: str, fragment: bool = False) -> None:
        """``fragment``: traces only, no header or ending (half an export, written by a worker
        process and adopted by the writer of the whole: ``adopt``)."""
        self.out = handle
        self.counts = Counts()
        self.fragment = fragment
        # An attribute's XML by (name, value): most values recur (lifecycles, precisions,
        # forces, a batch's recorded time), and writing one costs more than finding it.
        self._attributes: dict[tuple[str, Any], str] = {}
        if fragment:
            return
        handle.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<log xes.version="1849-2016" xes.features="" xmlns="http://www.xes-standard.org/">\n'
            '<extension name="Concept" prefix="concept" '
            'uri="http://www.xes-standard.org/concept.xesext"/>\n'
            '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
            '<extension name="Organizational" prefix="org" '
            'uri="http://www.xes-standard.org/org.xesext"/>\n'
            '<global scope="trace"><string key="concept:name" value="?"/></global>\n'
            '<global scope="event"><string key="concept:name" value="?"/>'
            '<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/></global>\n'
            '<classifier name="Activity" keys="concept:name"/>\n'
            f'<string key="concept:name" value={quoteattr(title)}/>\n'
        )

    def case(self, events: list[LogEvent]) -> None:
        cache = self._attributes
        parts = [f'<trace><string key="concept:name" value={_quoted(events[0].case_id)}/>\n']
        for e in events:
            parts.append(
                f'<event><string key="concept:name" value={_quoted(e.activity)}/>'
                f'<date key="time:timestamp" value="{_xes_time(e.effective.start)}"/>'
                f'<string key="org:role" value={_quoted(e.role)}/>'
                f'<string key="org:resource" value={_quoted(e.actor)}/>'
                f'<string key="object" value={_quoted(e.object_id)}/>'
            )
            for item in _event_values(e)[_ORG_ATTRIBUTES:]:
                text = cache.get(item)
                if text is None:
                    text = _xes_attribute(*item)
                    if len(cache) < _XES_CACHE:
                        cache[item] = text
                parts.append(text)
            parts.append("</event>\n")
        parts.append("</trace>\n")
        self.out.write("".join(parts))
        self.counts.cases += 1
        self.counts.events += len(events)

    def adopt(self, part: dict[str, Any]) -> None:
        """Append the traces a worker wrote (``write_range``), after this writer's own."""
        with open(part["events"], encoding="utf-8") as handle:
            shutil.copyfileobj(handle, self.out, _COPY)
        self.counts.add(Counts(*part["counts"]))

    def finish(self) -> None:
        if not self.fragment:
            self.out.write("</log>\n")


_COPY = 1 << 20  # bytes copied at a time from a worker's part
_SPECIAL = re.compile("[&<>\"'\n\r\t]")


def _quoted(value: str) -> str:
    """``quoteattr``: the value in double quotes, escaped; most values (case and object ids,
    activities, roles, pseudonyms) need no escaping, and checking costs a tenth of escaping."""
    return f'"{value}"' if _SPECIAL.search(value) is None else quoteattr(value)


_XES_CACHE = 200_000  # attributes remembered; the rest are written each time


def _xes_time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")[:19] + ".000+00:00"


def _xes_attribute(name: str, value: Any) -> str:
    if name in ("recorded", "effective_end"):
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return f'<date key="{name}" value="{_xes_time(moment)}"/>'
    if isinstance(value, bool):
        return f'<boolean key="{name}" value="{str(value).lower()}"/>'
    if isinstance(value, int):
        return f'<int key="{name}" value="{value}"/>'
    return f"<string key={_quoted(name)} value={_quoted(str(value))}/>"


# ---------------------------------------------------------------------------- OCEL 2.0 JSON


class OcelJsonWriter:
    """OCEL 2.0 JSON: the types first, then the events as they come, then the objects, which
    wait in a temporary file (each case's objects are complete once its events are written)."""

    def __init__(
        self, handle: IO[str], vocab: Vocabulary, fragment_objects: Path | None = None
    ) -> None:
        """``fragment_objects``: write only the events to ``handle`` and the objects to that
        file, no header or ending (half an export, written by a worker process: ``adopt``)."""
        self.out = handle
        self.counts = Counts()
        self.fragment = fragment_objects is not None
        # closed by finish(): it lives as long as the writer
        self.objects = (
            fragment_objects.open("w+", encoding="utf-8")
            if fragment_objects is not None
            else tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        )
        self._first_event = True
        self._first_object = True
        self._attributes: dict[tuple[str, type, Any], str] = {}
        if self.fragment:
            return
        event_types = [
            {"name": name, "attributes": [{"name": a, "type": t} for a, t in attributes]}
            for name, attributes in vocab.event_types.items()
        ]
        object_types = [
            {"name": name, "attributes": [{"name": a, "type": t} for a, t in OBJECT_ATTRIBUTES]}
            for name in vocab.object_types
        ]
        handle.write('{"objectTypes": ' + json.dumps(object_types, ensure_ascii=False))
        handle.write(',\n"eventTypes": ' + json.dumps(event_types, ensure_ascii=False))
        handle.write(',\n"events": [\n')

    def case(self, events: list[LogEvent]) -> None:
        """Each event as ``json.dumps`` of its object would write it (the same text), put
        together from pieces: a text needs escaping only if it has a quote, a backslash or a
        control character, and another value's ``{"name": ..., "value": ...}`` recurs and is
        remembered (``_JSON_CACHE`` of them).  Encoding each event's dictionary had been a
        quarter of the export's time."""
        cache = self._attributes
        lines = []
        for e in events:
            attributes = []
            for name, value in _event_values(e):
                if type(value) is str:  # most: texts and times, many met once
                    attributes.append(
                        f'{{"name": {_json_text(name)}, "value": {_json_text(value)}}}'
                    )
                    continue
                key = (name, type(value), value)
                text = cache.get(key)
                if text is None:
                    text = json.dumps({"name": name, "value": value}, ensure_ascii=False)
                    if len(cache) < _JSON_CACHE:
                        cache[key] = text
                attributes.append(text)
            related = "".join(
                f', {{"objectId": {_json_text(o)}, "qualifier": {_json_text(q)}}}'
                for o, q in e.related
            )
            lines.append(
                f'{{"id": {_json_text(e.event_id)}, "type": {_json_text(e.activity)}, '
                f'"time": "{start_text(e.effective)}", "attributes": [{", ".join(attributes)}], '
                f'"relationships": [{{"objectId": {_json_text(e.object_id)}, '
                f'"qualifier": {_json_text(e.workflow)}}}{related}]}}'
            )
        self.out.write(("" if self._first_event else ",\n") + ",\n".join(lines))
        self._first_event = False
        objects = case_objects(events)
        rows = [
            json.dumps(_ocel_object(oid, obj), ensure_ascii=False) for oid, obj in objects.items()
        ]
        self.objects.write(("" if self._first_object else ",\n") + ",\n".join(rows))
        self._first_object = False
        self.counts.cases += 1
        self.counts.events += len(events)
        self.counts.objects += len(objects)

    def adopt(self, part: dict[str, Any]) -> None:
        """Append the events and objects a worker wrote (``write_range``) after this one's."""
        for name, target, first in (("events", self.out, self._first_event),
                                    ("objects", self.objects, self._first_object)):  # fmt: skip
            if os.path.getsize(part[name]) == 0:
                continue
            if not first:
                target.write(",\n")
            with open(part[name], encoding="utf-8") as handle:
                shutil.copyfileobj(handle, target, _COPY)
            if name == "events":
                self._first_event = False
            else:
                self._first_object = False
        self.counts.add(Counts(*part["counts"]))

    def finish(self) -> None:
        if self.fragment:
            self.objects.close()
            return
        self.out.write('\n],\n"objects": [\n')
        self.objects.seek(0)
        shutil.copyfileobj(self.objects, self.out)
        self.objects.close()
        self.out.write("\n]}\n")


_JSON_CACHE = 200_000  # attribute texts remembered; the rest are encoded each time
_JSON_SPECIAL = re.compile('["\\\\\x00-\x1f]')


def _json_text(value: str) -> str:
    """``json.dumps(value, ensure_ascii=False)``, without the encoder for a plain text."""
    if _JSON_SPECIAL.search(value) is None:
        return f'"{value}"'
    return json.dumps(value, ensure_ascii=False)


def _ocel_object(oid: str, obj: _Object) -> dict[str, Any]:
    attributes: list[dict[str, Any]] = [
        {"name": "lifecycle_version", "time": EPOCH, "value": obj.version}
    ]
    attributes += [{"name": "state", "time": t, "value": s} for t, s in obj.states]
    return {
        "id": oid,
        "type": obj.type,
        "attributes": attributes,
        "relationships": [{"objectId": o, "qualifier": q} for o, q in obj.relations.items()],
    }


# ---------------------------------------------------------------------------- OCEL 2.0 SQLite


class OcelSqliteWriter:
    """OCEL 2.0 SQLite: the standard's tables (event, object, their type maps, event_object,
    object_object, one event_<Type> table per activity and one object_<Type> per lifecycle),
    filled one case at a time and committed every ``commit_every`` events."""

    def __init__(self, path: Path, vocab: Vocabulary, commit_every: int = 20_000) -> None:
        self.db = sqlite3.connect(path)
        self.counts = Counts()
        self.vocab = vocab
        self.commit_every = commit_every  # events held before their rows are inserted
        self._pending = 0
        # Rows waiting, by statement: the four shared tables first, so that an event's row
        # precedes its type table's and an object's its changes' (as foreign keys read).
        self._rows: dict[str, list[tuple]] = {
            _EVENT: [],
            _OBJECT: [],
            _EVENT_OBJECT: [],
            _OBJECT_OBJECT: [],
        }
        self._create()

    def _create(self) -> None:
        db, vocab = self.db, self.vocab
        db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;"
            "CREATE TABLE event_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);"
            "CREATE TABLE object_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT);"
            "CREATE TABLE event (ocel_id TEXT PRIMARY KEY, ocel_type TEXT,"
            " FOREIGN KEY (ocel_type) REFERENCES event_map_type (ocel_type));"
            "CREATE TABLE object (ocel_id TEXT PRIMARY KEY, ocel_type TEXT,"
            " FOREIGN KEY (ocel_type) REFERENCES object_map_type (ocel_type));"
            "CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT,"
            " ocel_qualifier TEXT, PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier),"
            " FOREIGN KEY (ocel_event_id) REFERENCES event (ocel_id),"
            " FOREIGN KEY (ocel_object_id) REFERENCES object (ocel_id));"
            "CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT,"
            " ocel_qualifier TEXT, PRIMARY KEY (ocel_source_id, ocel_target_id, ocel_qualifier),"
            " FOREIGN KEY (ocel_source_id) REFERENCES object (ocel_id),"
            " FOREIGN KEY (ocel_target_id) REFERENCES object (ocel_id));"
        )
        self._event_sql: dict[str, tuple[str, list[str]]] = {}
        for activity, attributes in vocab.event_types.items():
            table = f"event_{vocab.event_maps[activity]}"
            columns = ", ".join(f'"{a}" {_SQL_TYPES[t]}' for a, t in attributes)
            db.execute(
                f'CREATE TABLE "{table}" (ocel_id TEXT PRIMARY KEY, ocel_time TIMESTAMP, '
                f"{columns}, FOREIGN KEY (ocel_id) REFERENCES event (ocel_id))"
            )
            db.execute("INSERT INTO event_map_type VALUES (?, ?)", (activity, table[6:]))
            names = [a for a, _ in attributes]
            marks = ", ".join("?" * (len(names) + 2))
            quoted = ", ".join(f'"{n}"' for n in names)
            self._event_sql[activity] = (
                f'INSERT INTO "{table}" (ocel_id, ocel_time, {quoted}) VALUES ({marks})',
                names,
            )
        self._object_sql: dict[str, str] = {}
        for name in vocab.object_types:
            table = f"object_{_camel(name)}"
            db.execute(
                f'CREATE TABLE "{table}" (ocel_id TEXT, ocel_time TIMESTAMP, '
                "ocel_changed_field TEXT, state TEXT, lifecycle_version INTEGER, "
                "FOREIGN KEY (ocel_id) REFERENCES object (ocel_id))"
            )
            db.execute("INSERT INTO object_map_type VALUES (?, ?)", (name, table[7:]))
            self._object_sql[name] = f'INSERT INTO "{table}" VALUES (?, ?, ?, ?, ?)'

    def case(self, events: list[LogEvent]) -> None:
        rows = self._rows
        rows[_EVENT].extend((e.event_id, e.activity) for e in events)
        links = rows[_EVENT_OBJECT]
        for e in events:
            sql, names = self._event_sql[e.activity]
            values = dict(_event_values(e))
            row = (e.event_id, start_text(e.effective), *(values.get(n) for n in names))
            rows.setdefault(sql, []).append(row)
            links.append((e.event_id, e.object_id, e.workflow))
            links += [(e.event_id, o, q) for o, q in e.related]
        objects = case_objects(events)
        rows[_OBJECT].extend((oid, o.type) for oid, o in objects.items())
        for oid, obj in objects.items():
            first = obj.states[0][1] if obj.states else None
            changes = rows.setdefault(self._object_sql[obj.type], [])
            changes.append((oid, EPOCH, None, first, obj.version))
            changes += [(oid, t, "state", s, obj.version) for t, s in obj.states[1:]]
        rows[_OBJECT_OBJECT].extend(
            (oid, other, q) for oid, obj in objects.items() for other, q in obj.relations.items()
        )
        self.counts.cases += 1
        self.counts.events += len(events)
        self.counts.objects += len(objects)
        self._pending += len(events)
        if self._pending >= self.commit_every:
            self._flush()

    def _flush(self) -> None:
        """Insert what the cases so far made, one ``executemany`` per table (a case makes a
        few rows for each of a dozen tables: one call each would cost more than the rows)."""
        for sql, rows in self._rows.items():
            if rows:
                self.db.executemany(sql, rows)
                rows.clear()
        self.db.commit()
        self._pending = 0

    def adopt(self, part: dict[str, Any]) -> None:
        """Copy in the rows of the file a worker wrote (``write_range``: the same tables, its
        cases after this writer's), one ``INSERT ... SELECT`` a table inside SQLite."""
        self._flush()
        self.db.execute("ATTACH DATABASE ? AS part", (str(part["events"]),))
        try:
            tables = [name for (name,) in self.db.execute(
                "SELECT name FROM part.sqlite_master WHERE type = 'table' AND name NOT LIKE "
                "'%map_type'"
            )]  # fmt: skip
            for table in tables:
                self.db.execute(f'INSERT INTO main."{table}" SELECT * FROM part."{table}"')
            self.db.commit()
        finally:
            self.db.execute("DETACH DATABASE part")
        self.counts.add(Counts(*part["counts"]))

    def finish(self) -> None:
        self._flush()
        self.db.close()

    def abandon(self) -> None:
        self.db.close()


_EVENT = "INSERT INTO event VALUES (?, ?)"
_OBJECT = "INSERT INTO object VALUES (?, ?)"
_EVENT_OBJECT = "INSERT OR IGNORE INTO event_object VALUES (?, ?, ?)"
_OBJECT_OBJECT = "INSERT INTO object_object VALUES (?, ?, ?)"
_SQL_TYPES = {"string": "TEXT", "time": "TIMESTAMP", "integer": "INTEGER", "boolean": "INTEGER"}


def write_all(writer: Writer, cases: Iterable[list[LogEvent]]) -> Counts:
    """Every case through ``writer``, then its ending; the counts written."""
    for events in cases:
        writer.case(events)
    writer.finish()
    return writer.counts


def write_range(
    raw: Any,
    low: str | None,
    high: str | None,
    fmt: str,
    part: str,
    key: bytes,
    reveal: bool,
    definitions: list[Any],
    names: tuple[frozenset[str], frozenset[str]],
    first: date | None,
    last: date | None,
) -> dict[str, Any]:
    """In a worker process (``casetracker.adapters.workers``): write the cases ``[low, high)``
    of an export in ``fmt`` as a part in the directory ``part``, with the export's pseudonym
    key, and say where it is and what it holds, for the writer of the whole to ``adopt``."""
    flow = WorkflowEngine(definitions)
    shaper = Shaper(flow, None, Pseudonyms(reveal, key), names)
    vocab = Vocabulary.of(flow)
    rows = shaped(rows_between(raw, low, high), shaper, Period(first, last))
    events = Path(part) / f"upper.{fmt}"
    found: dict[str, Any] = {"format": fmt, "events": str(events)}
    writer: Writer
    if fmt == OCEL2_SQLITE:
        writer = OcelSqliteWriter(events, vocab)
        write_all(writer, rows)
    else:
        with events.open("w", encoding="utf-8", newline="\n") as handle:
            if fmt == XES:
                writer = XesWriter(handle, "", fragment=True)
            else:
                objects = Path(part) / "upper.objects"
                found["objects"] = str(objects)
                writer = OcelJsonWriter(handle, vocab, fragment_objects=objects)
            write_all(writer, rows)
    counts = writer.counts
    found["counts"] = (counts.cases, counts.events, counts.objects)
    return found
