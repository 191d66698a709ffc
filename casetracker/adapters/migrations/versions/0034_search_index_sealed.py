"""PostgreSQL: the blind search index answers a police login only for its own force's cases.

``subject_search`` (revision 0016) holds ``HMAC(search key, kind || value)`` for each name word,
date of birth, nationality and reference of each case's subject, under row-level security like
``subjects``.  But the search key is in ``meta``, which every member reads (the service makes
its tokens with it), and so through psql a police officer could test a guess about another
force's person without seeing a row (found by review):

- ``INSERT`` the token of a guess (``name_word`` ``smith``, a date of birth, a PNC) beside
  another force's case id: a unique violation said that case's subject has it, and a rollback
  left no trace; dates of birth fall to 36,500 tries, names to a dictionary;
- ``EXPLAIN ANALYZE SELECT 1 FROM subject_search WHERE token = ...``: the token is compared in
  the index before the policy filters, and "Rows Removed by Filter" counted the hidden cases
  that have it (any leakproof comparison is, in any table with row-level security; only here
  could a member make the value compared);
- ``INSERT`` a token beside a case id not allocated yet: when it was, the opening of a person
  with that term failed on the index's primary key, every time (any member, any force's
  openings).

Now:

- the application role may read only ``case_id`` of the table (what deleting a case's rows
  needs), so no statement of theirs compares or returns a token, and ``EXPLAIN`` of one is
  refused.  A search asks ``casetracker_search_cases(tokens)``, the case ids that have every
  token (comma-separated) among those the login may see, and ``rebuild`` reads an id span's
  rows through ``casetracker_search_rows(low, high)``, likewise filtered: both
  ``SECURITY DEFINER`` with a fixed ``search_path``, answering what the policies showed;
- a ``BEFORE INSERT`` trigger refuses a row for a case in the log that the login may not see
  (what ``casetracker_case_withheld`` asks, with the login's row read once rather than through
  four more calls: a third of the time, 20 against 50 microseconds a row for the owner's bulk
  import), before the primary key is looked at;
- a deferred constraint trigger refuses, at commit, a row for a case with no event in the log:
  an opening writes its case's first event in the same transaction.

Only openings and changes of a subject's own details write the index, so a note costs nothing
more.  Whoever already held ``SELECT`` on the table (``--grant-to``) holds it on ``case_id``
alone after the upgrade, as ``--grant-to`` now grants.  On SQLite it does nothing; the
downgrade drops the functions and triggers and gives those grantees the whole table again.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

TABLE = "subject_search"
FORCE_BOUND = "police"  # casetracker.domain.identity.FORCE_BOUND_ROLES, frozen here (0012)
VISIBLE_ROWS = """
        DECLARE
            v_all boolean = casetracker_unchecked() OR casetracker_sees_all();
            v_force text = casetracker_my_force();
        BEGIN"""
FILTERED = "(v_all OR casetracker_case_visible(s.case_id::text, v_force))"


def _functions(schema: str) -> dict[str, str]:
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    return {
        "casetracker_search_cases(p_tokens text)": f"""
            RETURNS TABLE (found_case varchar) LANGUAGE plpgsql STABLE {fixed} AS $$
            {VISIBLE_ROWS}
            RETURN QUERY
                WITH wanted AS (SELECT DISTINCT t FROM unnest(string_to_array(p_tokens, ',')) t)
                SELECT s.case_id FROM {TABLE} s WHERE s.token IN (SELECT t FROM wanted)
                GROUP BY s.case_id
                HAVING count(*) = (SELECT count(*) FROM wanted) AND {FILTERED};
        END
        $$""",
        "casetracker_search_rows(p_low text, p_high text)": f"""
            RETURNS TABLE (found_token varchar, found_case varchar) LANGUAGE plpgsql STABLE
            {fixed} AS $$
            {VISIBLE_ROWS}
            RETURN QUERY
                SELECT s.token, s.case_id FROM {TABLE} s
                WHERE s.case_id > p_low AND (p_high = '' OR s.case_id <= p_high) AND {FILTERED};
        END
        $$""",
        "casetracker_search_guard()": f"""
            RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM events WHERE case_id = NEW.case_id)
               AND NOT EXISTS (SELECT 1 FROM users WHERE name = session_user AND active
                   AND (roles::jsonb - '{FORCE_BOUND}' <> '[]'::jsonb
                        OR casetracker_case_visible(NEW.case_id, nullif(force, ''))))
               AND NOT casetracker_unchecked() THEN
                RAISE EXCEPTION '{TABLE}: % may index only cases they may see', session_user
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END
        $$""",
        "casetracker_search_in_log()": f"""
            RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM events WHERE case_id = NEW.case_id)
               AND NOT casetracker_unchecked() THEN
                RAISE EXCEPTION '{TABLE}: case % has no event: its index rows are written '
                    'with its opening', NEW.case_id USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END
        $$""",
    }


def _grantees() -> list[str]:
    """Every role but the owner that may read the whole table (what ``--grant-to`` gave)."""
    rows = op.get_bind().execute(
        sa.text(
            "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
            "WHERE table_name = :t AND table_schema = current_schema() "
            "AND privilege_type = 'SELECT' AND grantee <> "
            "(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = CAST(:t AS regclass))"
        ),
        {"t": TABLE},
    )
    return [str(name) for (name,) in rows]


def _schema() -> str:
    return str(op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one())


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for signature, definition in _functions(_schema()).items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {definition}")
    op.execute(
        f"CREATE TRIGGER {TABLE}_guard BEFORE INSERT ON {TABLE} FOR EACH ROW "
        "EXECUTE FUNCTION casetracker_search_guard()"
    )
    op.execute(
        f"CREATE CONSTRAINT TRIGGER {TABLE}_in_log AFTER INSERT ON {TABLE} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION casetracker_search_in_log()"
    )
    for grantee in _grantees():
        op.execute(f'REVOKE SELECT ON {TABLE} FROM "{grantee}"')
        op.execute(f'GRANT SELECT (case_id) ON {TABLE} TO "{grantee}"')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    rows = op.get_bind().execute(
        sa.text(
            "SELECT DISTINCT grantee FROM information_schema.column_privileges "
            "WHERE table_name = :t AND table_schema = current_schema() "
            "AND column_name = 'case_id' AND privilege_type = 'SELECT'"
        ),
        {"t": TABLE},
    )
    for (grantee,) in rows:
        op.execute(f'GRANT SELECT ON {TABLE} TO "{grantee}"')
    op.execute(f"DROP TRIGGER {TABLE}_in_log ON {TABLE}")
    op.execute(f"DROP TRIGGER {TABLE}_guard ON {TABLE}")
    for signature in _functions(_schema()):
        op.execute(f"DROP FUNCTION {signature}")
