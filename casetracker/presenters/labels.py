"""Words a person reads for the identifiers the definitions and the roles use.

Roles are identifiers (``immigration_officer``) on the command line and in the log; on a screen
they are named as the report names the people who hold them (the Command and Control Unit,
the Nexus JOC, Criminal Casework).  Lifecycle records are named by their definition's label
(``encounter#1`` is "Encounter #1").  The rules (guards) are named by what they require
(``RULE_LABELS``), and the identifiers a rule's reason quotes (an action, a state, a record, a
field's value) are read out by ``readable_text`` from the definitions' own labels.  The CLI keeps
the identifiers, which are what its options take; the TUI shows these.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from casetracker.domain.case_view import Block
from casetracker.domain.vocabulary import in_sentence

ROLE_LABELS = {
    "police": "Police",
    "ccu": "CCU",
    "joc": "Nexus JOC",
    "immigration_officer": "Immigration officer",
    "casework": "Criminal Casework",
    "auditor": "Auditor",
    "trainer": "Trainer",
    "admin": "Administrator",
    "supervisor": "Supervisor",
    "system": "the deadline clock",
}
# Where a role refusal names roles: "the police role may not …", "… one of these roles: ccu, joc"
# (not "ask the police to hold …", an action's own words).
_ROLE_WORD = re.compile(r"(?<=\bthe )(\w+)(?= role\b)|(?<=roles: )([\w, ]+)$")


def role_label(role: str) -> str:
    """How a role is named on screen; an unknown one as it is."""
    return ROLE_LABELS.get(str(role), str(role))


def roles_label(roles: Iterable[Any]) -> str:
    """Several roles, any of which would do, as "Police, CCU or Nexus JOC"."""
    names = _role_names(roles)
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"


def roles_held_label(roles: Iterable[Any]) -> str:
    """The roles one user holds, all of them, as "Immigration officer, Nexus JOC"."""
    return ", ".join(_role_names(roles))


def _role_names(roles: Iterable[Any]) -> list[str]:
    return [role_label(str(getattr(r, "value", r))) for r in roles]


# Each deadline kind (``casetracker.domain.deadlines.RULES``) by the clock that runs out, in the
# few words a worklist's "next deadline" column has room for.
DEADLINE_LABELS = {
    "pace_expiry": "PACE limit",
    "pace_extension": "extend PACE",
    "io_before_release": "IO before release",
    "bail_return": "bail ends",
    "first_report": "first report",
    "absconder_review": "absconder review",
    "etd_chase": "ETD chase",
    "removal_date": "removal date",
    "proposal_lapse": "four-eyes lapse",
}


# The same in the fewest letters, for a worklist 80 columns wide, where the column is kept (it
# is what the queue is ordered by) and the words are not.
SHORT_DEADLINE_LABELS = {
    "pace_expiry": "PACE",
    "pace_extension": "ext. PACE",
    "io_before_release": "IO to see",
    "first_report": "1st report",
    "absconder_review": "abs. review",
    "removal_date": "removal",
    "proposal_lapse": "4-eyes",
}


def deadline_label(kind: str, short: bool = False) -> str:
    """What falls due, so a caseworker knows which clock is running out and not only when; a
    kind without a label of its own as words, none ("") as none; ``short``: in fewer letters
    where there are some."""
    if short and kind in SHORT_DEADLINE_LABELS:
        return SHORT_DEADLINE_LABELS[kind]
    return DEADLINE_LABELS.get(kind) or choice_label(kind)


# Each guard by what it requires, as a person reads it (a test holds these to the guards there
# are); "role", "state" and "owner" refusals are not rules of the domain but of who and when.
RULE_LABELS = {
    "leave_dates_consistent": "leave's dates in order",
    "leave_expired": "overstaying only once leave has ended (fn 5)",
    "eea_initial_right_ended": "an EEA national's first three months (fn 9)",
    "finding_agrees_with_status": "the finding agrees with the status record (fn 5, fn 9)",
    "british_claim_evidence": "evidence for a claim to be British",
    "claim_granted": "a claim granted",
    "known_force": "a police force the organisation file lists",
    "pace_extension_allowed": "one PACE extension, in time, on a superintendent's word (fn 17)",
    "arrest_in_progress": "an arrest under way",
    "police_custody_ended": "police custody ended first",
    "referred_encounter_exists": "the arrest referred is on the record",
    "status_check_runner": "who runs a status check (¶4.27)",
    "listed_absconder": "listed as an absconder",
    "onward_referral_region": "the JOC in London, the local ICE team elsewhere (¶3.4, ¶3.6)",
    "high_harm_met": "the Home Office's High Harm threshold (¶3.4, fn 8)",
    "police_high_harm_referral": "a police High Harm referral outside London (¶3.6)",
    "police_high_harm_met": "the police's High Harm threshold (¶3.6, ¶4.33–4.34)",
    "hosol_classification": "the Serious Offence List (fn 19, ¶4.32)",
    "dva_reasonable_doubt": "reasonable doubt about a claim to be British (fn 21–22, ¶4.37)",
    "dva_access": "who may run a DVA check (¶4.36–4.37)",
    "nationality_kept_apart": "claimed and verified nationality kept apart (¶4.1–4.2)",
    "sweep_finds_unreferred": "a sweep finds only people nobody referred (¶4.3, ¶4.26)",
    "transfer_to_central_suite": "a transfer to a hub or rota suite (¶4.13, ¶4.19)",
    "cid_update_follows_referral": "a CID update on a referral an IO holds (¶4.27)",
    "removal_basis_matches_status": "papers match the kind of offender (fn 5, fn 9)",
    "deportation_grounds": "grounds for deportation (¶4.32, fn 19)",
    "own_acro_check_first": "Immigration Enforcement's own ACRO check first (¶4.34–4.35)",
    "no_pending_protection_claim": "no undecided asylum or human-rights claim (Figure 1)",
    "appeals_allow_removal": "no appeal that stops removal",
    "decision_fits_barrier": "a decision that fits the claim or appeal",
    "no_pending_judicial_review": "no undecided judicial review",
    "removal_date_not_past": "a removal date not yet past",
    "judicial_review_lodged": "a judicial review lodged",
    "directions_in_force": "removal directions in force (Figure 1)",
    "travel_document_held": "a travel document held (Figure 2)",
    "removal_completed": "removal carried out",
    "reencounter_follows_listing": "a re-encounter after an absconder listing",
    "halting_claim_lodged": "a claim that halts removal",
}
REFUSAL_KINDS = {"role": "not your role", "state": "not from this state", "owner": "whose item"}


def rule_label(rule: str) -> str:
    """How the rule behind a refusal is named on screen: the rule it applies, in words."""
    if rule in REFUSAL_KINDS:
        return REFUSAL_KINDS[rule]
    return f"rule: {RULE_LABELS.get(rule, rule.replace('_', ' '))}"


# An identifier inside a rule's words: a record (``encounter#1``) or a name with underscores
# (``refer_to_ccu``, ``in_custody``, ``fraud_or_forgery``), not part of an organisation-file
# reference (``forces.GMP.custody_db = none``, ``dva_access.ccu``), which names what to edit.
_IDENTIFIER = re.compile(
    r"(?<![\w.])(?<!= )([a-z][a-z]*(?:_[a-z]+)+|[a-z][a-z_]*#\d+)(?![\w.#]|\s*=)"
)
# Names by engine (an engine is built once per organisation and kept, so there are few; each
# entry holds its engine, so the id stays its own).
_NAMES: dict[int, tuple[Any, dict[str, str]]] = {}


# Initialisms a choice may hold as a word (``non_eea``, ``gbh``), written as the report writes them.
_INITIALISMS = {"eea", "uk", "gbh", "etd", "cid", "ccu", "joc", "io", "ice", "pnc", "acro", "dva"}


def choice_label(value: str) -> str:
    """A field's choice (``non_eea``, ``fraud_or_forgery``) as words: "non EEA", "fraud or
    forgery" (the definitions give choices no labels of their own)."""
    return " ".join(w.upper() if w in _INITIALISMS else w for w in value.split("_"))


def readable_text(flow: Any, text: str) -> str:
    """``text`` with every identifier the definitions know read out by its label: a record
    as "Encounter #1" (whether written ``encounter#1`` or "encounter #1"), an action or a
    state by its label (in the sentence's case), a field by its label, anything else with
    spaces for underscores (a choice such as ``fraud_or_forgery``)."""
    names = _names(flow)

    def swap(match: re.Match[str]) -> str:
        word = match.group(1)
        if "#" in word:
            workflow, _, number = word.partition("#")
            return lifecycle_label(flow, workflow, int(number)) if workflow in flow.latest else word
        found = names.get(word)
        return in_sentence(found) if found else choice_label(word)

    def record(match: re.Match[str]) -> str:
        return lifecycle_label(flow, _record_words(flow)[1][match.group(1)], int(match.group(2)))

    return _record_words(flow)[0].sub(record, _IDENTIFIER.sub(swap, text))


# Records named in words by a rule's reason ("encounter #1", "status check #2"), by engine as
# ``_NAMES``: the pattern and the lifecycle each wording names.
_RECORDS: dict[int, tuple[Any, re.Pattern[str], dict[str, str]]] = {}


def _record_words(flow: Any) -> tuple[re.Pattern[str], dict[str, str]]:
    cached = _RECORDS.get(id(flow))
    if cached is not None and cached[0] is flow:
        return cached[1], cached[2]
    words: dict[str, str] = {}
    for spec in flow.latest.values():
        if spec.many:
            words.setdefault(spec.name.replace("_", " "), spec.name)
            words.setdefault(spec.label.lower(), spec.name)
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w#])({alternatives}) #(\d+)\b")
    _RECORDS[id(flow)] = (flow, pattern, words)
    return pattern, words


def label_of(flow: Any, identifier: str) -> str:
    """An action's, state's or field's label as its definition gives it (capitalised), or the
    identifier with spaces for underscores when no definition has it."""
    return _names(flow).get(identifier) or choice_label(identifier)


def _roles(match: re.Match[str]) -> str:
    if match.group(1):
        return role_label(match.group(1))
    return ", ".join(role_label(r.strip()) for r in match.group(2).split(","))


def field_label(flow: Any, workflow: str, version: int, action: str, field: str) -> str:
    """A field as the action that recorded it labels it: ``reason`` is "Reason" on deferred
    removal directions and "Why the record was wrong" on a corrected subject, so a field is
    named by the event's definition (``workflow`` at ``version``), else by the same action's
    latest, else by the one label the definitions give it, else in words."""
    for spec in (flow.specs.get((workflow, version)), flow.latest.get(workflow)):
        found = spec.action(action) if spec is not None else None
        for defined in found.fields if found is not None else ():
            if defined.name == field and defined.label:
                return str(defined.label)
    return label_of(flow, field)


def _names(flow: Any) -> dict[str, str]:
    """Every action, state and field label of the latest definitions and every role's name,
    by identifier (kept per engine: it is asked for every reason drawn).  A field that
    actions label differently (``reason``, ``owner``) has no one label: it is named by the
    action that recorded it (``field_label``) and, with no action to say, in words."""
    cached = _NAMES.get(id(flow))
    if cached is not None and cached[0] is flow:
        return cached[1]
    names: dict[str, str] = {role: label for role, label in ROLE_LABELS.items() if "_" in role}
    fields: dict[str, set[str]] = {}
    for spec in flow.latest.values():
        for state in spec.states:
            names.setdefault(state.name, state.label)
        for action in spec.actions:
            names.setdefault(action.name, action.label)
            for field in action.fields:
                if field.label:
                    fields.setdefault(field.name, set()).add(field.label)
    for name, labels in fields.items():
        if len(labels) == 1:
            names.setdefault(name, labels.pop())
    _NAMES[id(flow)] = (flow, names)
    return names


def lifecycle_label(flow: Any, workflow: str, number: int | None) -> str:
    """A lifecycle record as a person reads it: "Encounter #1", or "new Status check" for an
    action that would start one.  ``flow`` is the service's (its ``latest`` definitions)."""
    spec = flow.latest.get(workflow)
    name = spec.label if spec is not None else workflow
    if number is None:
        return f"new {in_sentence(name)}"
    return spec.record_label(number) if spec is not None else f"{name} #{number}"


def item_label(flow: Any, item: str) -> str:
    """A worklist item as a person reads it: a record (``encounter#1``, ``etd``) by its
    lifecycle's label ("Encounter #1", "Travel document"), anything else as words ("Case")."""
    workflow, _, number = item.partition("#")
    if workflow in flow.latest:
        return lifecycle_label(flow, workflow, int(number) if number.isdecimal() else 0)
    words = choice_label(item)
    return words[:1].upper() + words[1:]


def item_key(flow: Any, text: str) -> str:
    """The worklist item a person names: its key as given (``encounter#2``), or its label as
    the worklist shows it ("Encounter #2", "Travel document"; any case)."""
    wanted = " ".join(text.split()).casefold()
    head, _, number = wanted.rpartition(" #")
    for spec in flow.latest.values():
        label = spec.label.casefold()
        if spec.many and head == label and number.isdecimal():
            return f"{spec.name}#{int(number)}"
        if not spec.many and wanted == label:
            return str(spec.name)
    return text


def record_state(flow: Any, key: str, state: str) -> tuple[str, str]:
    """A record's key and state (``encounter#1``, ``in_custody``) as a person reads them:
    ("Encounter #1", "In police custody")."""
    workflow, _, number = key.partition("#")
    spec = flow.latest.get(workflow)
    found = spec.state(state) if spec is not None else None
    named = lifecycle_label(flow, workflow, int(number) if number.isdecimal() else 0)
    return named, found.label if found else readable_text(flow, state)


def readable_block(block: Block, flow: Any = None) -> Block:
    """A refusal as a person reads it: a role refusal with its roles named as on screen (the
    engine's words name role identifiers, which is what ``--role`` takes on the command line),
    and, given the definitions (``flow``), every record, action, state or value the reason
    quotes by its label (``readable_text``)."""
    reason, remedy = block.reason, block.remedy
    if block.rule == "role":
        reason, remedy = _ROLE_WORD.sub(_roles, reason), _ROLE_WORD.sub(_roles, remedy)
    if flow is not None:
        reason, remedy = readable_text(flow, reason), readable_text(flow, remedy)
    return dataclasses.replace(block, reason=reason, remedy=remedy)
