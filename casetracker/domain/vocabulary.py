"""The vocabulary in which lifecycles are written down.

A lifecycle definition is plain data: states, actions (transitions), the roles allowed to fire
each action, the fields each action needs, and guards referred to by name.  The engine, the
permission check, the UI's forms and the diagrams all read the same definition, so there is
exactly one place where a rule about *what may happen next* is stated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property


class Role(StrEnum):
    """Who acts (DOMAIN.md, "Who acts"); permissions in definitions name these."""

    POLICE = "police"
    CCU = "ccu"
    JOC = "joc"
    IMMIGRATION_OFFICER = "immigration_officer"
    CASEWORK = "casework"
    AUDITOR = "auditor"
    TRAINER = "trainer"
    ADMIN = "admin"
    SUPERVISOR = "supervisor"  # reassigns work items (issue 16); report silent, an assumption
    # The deadline clock (``casetracker tick``): no person holds it (identity.parse_roles).
    SYSTEM = "system"


class FieldType(StrEnum):
    """Types a form can ask for; values are validated and normalised by
    ``casetracker.domain.fields``."""

    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATE = "date"  # a calendar day, e.g. a visa's end date
    DATETIME = "datetime"  # an instant, e.g. when bail ends
    CHOICE = "choice"  # one of ``choices``
    CHOICES = "choices"  # several of ``choices`` (comma separated on the command line)
    TEXT_LIST = "text_list"  # several free texts (comma separated on the command line)


# Names the report capitalises that a label may begin with ("High Commission" is an ETD's
# state): in a sentence they keep their capitals, where a common first word loses its own.
PROPER_NOUNS = ("High Commission", "Home Office", "Serious Offence List", "Criminal Casework")


def in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter lowercased when it is a common word ("Hold
    the subject for the Home Office" reads "hold the subject for the Home Office"), never the
    rest, so the report's proper nouns keep their capitals; an initialism ("ETD", "CCU") or a
    name of ``PROPER_NOUNS`` at the start keeps its first capital too."""
    first = label.split(" ", 1)[0]
    if (len(first) > 1 and first[1].isupper()) or label.startswith(PROPER_NOUNS):
        return label
    return label[:1].lower() + label[1:]


@dataclass(frozen=True)
class FieldSpec:
    """One input of an action.

    ``personal`` marks personal data of the subject (names, dates of birth, nationality,
    identifiers): the service keeps such values in the erasable subject record and the event
    carries only a salted digest, so the hash chain never holds them in plain form.
    ``free_text`` marks what a person types (a note, a reason, a legal basis): personal data
    too, since a name can be typed into it, kept the same way but as each event's own value
    (``name@seq`` in the subject record) rather than the subject's latest one.
    """

    name: str
    type: FieldType = FieldType.TEXT
    required: bool = True
    label: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()
    personal: bool = False
    free_text: bool = False


@dataclass(frozen=True)
class ActionSpec:
    """One transition of a lifecycle.

    ``sources`` lists the states it may fire from; ``dest`` is the single state it leads to, so
    replaying history never needs to re-evaluate a guard.  ``guards`` name predicates in
    ``casetracker.domain.rules.guards``; each guard returns every reason it blocks with the remedy.
    An action whose sources include ``NEW`` starts a new instance of a many-instance lifecycle
    (a new arrest, a new claim).
    """

    name: str
    label: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[Role, ...]
    fields: tuple[FieldSpec, ...] = ()
    guards: tuple[str, ...] = ()
    irreversible: bool = False
    cites: str = ""  # report paragraph(s) the action comes from, e.g. "¶4.21"
    help: str = ""


NEW = "_new"  # pseudo-source: the action creates a new instance of the lifecycle


@dataclass(frozen=True)
class StateSpec:
    name: str
    label: str
    terminal: bool = False
    help: str = ""


@dataclass(frozen=True)
class WorkflowSpec:
    """A versioned lifecycle definition.

    ``many`` lifecycles (encounters, claims) have any number of instances per case, each
    started by an action with source ``NEW``; the others have exactly one instance that starts
    in ``initial`` when the case is opened.
    """

    name: str
    version: int
    label: str
    initial: str
    states: tuple[StateSpec, ...]
    actions: tuple[ActionSpec, ...]
    many: bool = False
    cites: str = ""
    help: str = ""
    meta: dict[str, str] = field(default_factory=dict)
    # A state of an earlier version this one no longer has -> the state it becomes when an
    # instance is moved to this version (``casetracker workflows migrate``); a state of the same
    # name stays itself.
    renamed: dict[str, str] = field(default_factory=dict)

    @cached_property
    def _by_name(self) -> tuple[dict[str, ActionSpec], dict[str, StateSpec]]:
        """Lookups by name, built once: every action a caseworker takes asks for its spec."""
        return {a.name: a for a in self.actions}, {s.name: s for s in self.states}

    def action(self, name: str) -> ActionSpec | None:
        return self._by_name[0].get(name)

    def state(self, name: str) -> StateSpec | None:
        return self._by_name[1].get(name)

    def record_label(self, number: int) -> str:
        """One record of this lifecycle as a person reads it: "Encounter #1" when a case may
        hold several, else the lifecycle's own label ("Travel document")."""
        return f"{self.label} #{number}" if self.many else self.label
