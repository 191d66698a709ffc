"""Immigration status (leave): what entitles the subject to be in the UK, if anything.

One instance per case.  Overstaying is not a separate fact someone invents: it follows from the
leave's end date, so ``record_overstay`` is refused until that date has passed (guard
``leave_expired``).  Overstaying and illegal entry are both offences (fn 5); EEA nationals have
their own rules (fn 9); a claim to be British may need a passport check (¶4.36).
"""

from casetracker.domain.rules.eea import TREATY_RIGHTS
from casetracker.domain.vocabulary import (
    ActionSpec,
    FieldSpec,
    FieldType,
    Role,
    StateSpec,
    WorkflowSpec,
)

_HOME_OFFICE = (Role.CCU, Role.IMMIGRATION_OFFICER, Role.CASEWORK)
_IDENTIFIERS = (Role.POLICE, *_HOME_OFFICE)

LEAVE_TYPES = (
    "visitor",
    "family_visitor",
    "student",
    "work",
    "spouse_or_family",
    "settlement",
    "asylum_or_protection",
    "discretionary",
    "other",
)

_NO_STATUS = ("unknown", "british_claim_unverified")
_OFFENDER = ("overstayer", "illegal_entrant", "eea_not_exercising")
_LEAVE_FIELDS = (
    FieldSpec("leave_type", FieldType.CHOICE, label="Type of leave", choices=LEAVE_TYPES),
    FieldSpec("valid_from", FieldType.DATE, required=False, label="Valid from"),
    FieldSpec(
        "valid_to",
        FieldType.DATE,
        required=False,
        label="Valid to",
        help="Leave it empty for indefinite leave.",
    ),
)

DEFINITION = WorkflowSpec(
    name="leave",
    version=1,
    label="Immigration status",
    initial="unknown",
    cites="fn 5, fn 9, ¶4.1, ¶4.36",
    help="The subject's immigration status, as far as the record can establish it.",
    states=(
        StateSpec("unknown", "Status not established"),
        StateSpec("leave_granted", "Has leave to enter or remain"),
        StateSpec("leave_granted_on_claim", "Has leave granted after a claim"),
        StateSpec("overstayer", "Overstayer", help="Leave has expired and the subject stayed."),
        StateSpec("illegal_entrant", "Illegal entrant"),
        StateSpec("eea_initial_right", "EEA national, initial three-month right"),
        StateSpec("eea_qualified", "EEA national exercising Treaty rights"),
        StateSpec("eea_not_exercising", "EEA national not exercising Treaty rights"),
        StateSpec("british_claimed", "Claims to be a British citizen"),
        StateSpec("british_claim_unverified", "Claim to British citizenship not borne out"),
        StateSpec("british_verified", "Verified British citizen", terminal=True),
    ),
    actions=(
        ActionSpec(
            "record_leave",
            "Record leave to enter or remain",
            sources=("unknown", "british_claim_unverified", *_OFFENDER, "leave_granted"),
            dest="leave_granted",
            roles=_HOME_OFFICE,
            fields=(
                *_LEAVE_FIELDS,
                FieldSpec("port_of_entry", FieldType.TEXT, required=False, label="Port of entry"),
            ),
            guards=("leave_dates_consistent",),
            cites="Figure 1, Figure 2",
            help="A visa or grant of leave, with its dates; a later grant replaces the earlier.",
        ),
        ActionSpec(
            "record_overstay",
            "Record that leave has expired (overstayer)",
            sources=("leave_granted", "leave_granted_on_claim"),
            dest="overstayer",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec(
                    "working_illegally",
                    FieldType.BOOLEAN,
                    required=False,
                    label="Working illegally",
                    help="Figure 1: worked on false papers after the visa expired.",
                ),
            ),
            guards=("leave_expired",),
            cites="fn 5, Figure 1",
        ),
        ActionSpec(
            "record_illegal_entry",
            "Record illegal entry",
            sources=(*_NO_STATUS, "overstayer"),
            dest="illegal_entrant",
            roles=_HOME_OFFICE,
            cites="fn 5, fn 11",
        ),
        ActionSpec(
            "record_eea_entry",
            "Record entry as an EEA national",
            sources=_NO_STATUS,
            dest="eea_initial_right",
            roles=_HOME_OFFICE,
            fields=(FieldSpec("entered_on", FieldType.DATE, label="Date of entry to the UK"),),
            cites="fn 9",
            help="Starts the initial three-month right to reside.",
        ),
        ActionSpec(
            "record_treaty_rights",
            "Record that Treaty rights are exercised",
            sources=("eea_initial_right", "eea_not_exercising", "eea_qualified"),
            dest="eea_qualified",
            roles=_HOME_OFFICE,
            fields=(
                FieldSpec(
                    "treaty_right", FieldType.CHOICE, label="Treaty right", choices=TREATY_RIGHTS
                ),
            ),
            cites="fn 9",
        ),
        ActionSpec(
            "record_not_exercising_treaty_rights",
            "Record that Treaty rights are not exercised",
            sources=("eea_initial_right", "eea_qualified"),
            dest="eea_not_exercising",
            roles=_HOME_OFFICE,
            guards=("eea_initial_right_ended",),
            cites="fn 9, ¶4.2, ¶4.20",
            help="Possible only after the initial three months; the subject may be removable.",
        ),
        ActionSpec(
            "record_british_claim",
            "Record a claim to be a British citizen",
            sources=("unknown",),
            dest="british_claimed",
            roles=_IDENTIFIERS,
            cites="¶4.1, ¶4.2, ¶4.36",
        ),
        ActionSpec(
            "verify_british_citizenship",
            "Verify British citizenship",
            sources=("british_claimed",),
            dest="british_verified",
            roles=_IDENTIFIERS,
            fields=(
                FieldSpec(
                    "evidence",
                    FieldType.CHOICE,
                    label="Evidence",
                    choices=("dva_passport_record", "documents"),
                ),
            ),
            guards=("british_claim_evidence",),
            irreversible=True,
            cites="¶4.36, fn 10",
        ),
        ActionSpec(
            "reject_british_claim",
            "Record that the British claim is not borne out",
            sources=("british_claimed",),
            dest="british_claim_unverified",
            roles=_IDENTIFIERS,
            cites="¶4.1, ¶4.36",
            help="Then record the status the subject actually has.",
        ),
        ActionSpec(
            "grant_leave_on_claim",
            "Record leave granted after a claim",
            sources=(*_NO_STATUS, *_OFFENDER, "leave_granted", "eea_initial_right"),
            dest="leave_granted_on_claim",
            roles=(Role.IMMIGRATION_OFFICER, Role.CASEWORK),
            fields=_LEAVE_FIELDS,
            guards=("leave_dates_consistent", "claim_granted"),
            help="Needs an asylum or human-rights claim recorded as granted.",
        ),
    ),
)
