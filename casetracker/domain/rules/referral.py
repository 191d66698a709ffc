"""The words a referral is counted by: its route (¶4.7, ¶4.10–4.11) and the nationality groups a
custody record gives.  The ``status_check`` and ``encounter`` definitions, the guards, the report
tables and the import all read them from here, so the domain never reaches up into ``workflows``.
"""

# The action that starts a status check names the route the referral took.
ROUTE_OF_ACTION = {
    "refer_to_ccu": "ccu",
    "refer_to_local_io": "local_io",
    "refer_to_local_ice_office": "local_ice_office",
}
# The encounter step by which an IO records finding, on a custody list, a person nobody referred
# (¶3.5, ¶4.3, ¶4.5, ¶4.12); the referral that follows is counted as found by an IO sweep.
SWEEP_ACTION = "record_found_in_custody_sweep"
NATIONALITY_GROUPS = ("claimed_uk", "eea", "non_eea", "unknown")
