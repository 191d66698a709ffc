"""Four eyes (issue 16 item 3): a police user may be marked a superintendent, and on PostgreSQL
the database holds a member to four eyes as the service does.

``users.superintendent`` is set by an admin (``casetracker user add NAME --superintendent``,
logged as every user change is); a PACE extension proposed by one officer is authorised only by
another police user so marked (fn 17).

On PostgreSQL (live databases; ``casetracker_unchecked()`` of revision 0006 exempts the owner,
superusers, demo and training databases, as for every guard):

- ``casetracker_mark_superintendent(name, flag)``: the application role has only ``SELECT`` on
  ``users``, so the mark is set through this ``SECURITY DEFINER`` function, for an active admin
  only; the deferred ``users_logged`` trigger of 0006 still asks for the ``user-save`` entry.
- ``casetracker_four_eyes_guard()``, a ``BEFORE INSERT`` trigger on ``events``:
  an ``authorise_proposal`` event is refused unless its proposal (the ``propose_action`` event of
  the same ``authorisation`` instance) exists, was stamped by someone else, has not been
  authorised or rejected already, and, for a PACE extension, unless the authoriser is an active
  user marked a superintendent; and an ``extend_detention``, ``detain_under_immigration_powers``
  or ``set_removal_directions`` event is refused unless the case's event just before it was
  inserted in the same transaction, is an ``authorise_proposal`` by the same actor, of a
  proposal of that very action.  So a member cannot authorise their own proposal, authorise one
  twice, or record the action with no authorisation, through psql any more than through
  casetracker.  Detention and removal directions are exempt when the organisation file last
  recorded in the log (``organisation_versions``) says ``[four_eyes] home_office = false``.

What the database does not check: a proposal's lapse (its interval is the service's,
``casetracker.domain.four_eyes``), and the proposed fields' agreement with the action's.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# casetracker.domain.four_eyes, frozen here
WORKFLOW = "authorisation"
PROPOSE = "propose_action"
AUTHORISE = "authorise_proposal"
REJECT = "reject_proposal"
EXTENSION = "extend_detention"
HOME_OFFICE = ("detain_under_immigration_powers", "set_removal_directions")
IN_THIS_TRANSACTION = "xmin = pg_current_xact_id()::xid"
US = "chr(31)"


def _functions(schema: str) -> dict[str, str]:
    fixed = f'SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    actions = ", ".join(f"'{a}'" for a in (AUTHORISE, EXTENSION, *HOME_OFFICE))
    home_office = ", ".join(f"'{a}'" for a in HOME_OFFICE)
    return {
        "casetracker_mark_superintendent(p_name text, p_flag boolean)": f"""RETURNS void
            LANGUAGE plpgsql {fixed} AS $$
            BEGIN
                IF NOT (casetracker_unchecked() OR casetracker_holds(session_user, 'admin')) THEN
                    RAISE EXCEPTION 'users: only an active admin may manage users (% is not one)',
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
                UPDATE users SET superintendent = p_flag WHERE name = p_name;
            END
        $$""",
        "casetracker_four_eyes_guard()": f"""RETURNS trigger LANGUAGE plpgsql {fixed} AS $$
            DECLARE
                actor text = split_part(NEW.stamp, {US}, 1);
                v_instance text = split_part(NEW.step, {US}, 4);
                v_action text = split_part(NEW.step, {US}, 5);
                proposal record;
                previous record;
            BEGIN
                IF v_action NOT IN ({actions}) OR casetracker_unchecked() THEN
                    RETURN NEW;
                END IF;
                IF v_action = '{AUTHORISE}' THEN
                    SELECT stamp, payload INTO proposal FROM events
                    WHERE case_id = NEW.case_id AND split_part(step, {US}, 2) = '{WORKFLOW}'
                    AND split_part(step, {US}, 4) = v_instance
                    AND split_part(step, {US}, 5) = '{PROPOSE}';
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'events: % authorises no proposal of case %', v_action,
                            NEW.case_id USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF split_part(proposal.stamp, {US}, 1) = actor THEN
                        RAISE EXCEPTION 'events: % proposed it: the same person may not '
                            'authorise it (four eyes)', actor
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF EXISTS (SELECT 1 FROM events WHERE case_id = NEW.case_id
                               AND split_part(step, {US}, 2) = '{WORKFLOW}'
                               AND split_part(step, {US}, 4) = v_instance
                               AND split_part(step, {US}, 5) IN ('{AUTHORISE}', '{REJECT}')) THEN
                        RAISE EXCEPTION 'events: proposal % of case % is already decided',
                            v_instance, NEW.case_id USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF proposal.payload::jsonb -> 'fields' ->> 'proposed_action' = '{EXTENSION}'
                       AND NOT EXISTS (SELECT 1 FROM users WHERE name = actor AND active
                                       AND superintendent) THEN
                        RAISE EXCEPTION 'events: % is not marked a superintendent, who alone '
                            'authorises a PACE extension', actor
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    RETURN NEW;
                END IF;
                IF v_action IN ({home_office}) AND coalesce((
                    SELECT content::jsonb -> 'four_eyes' ->> 'home_office'
                    FROM organisation_versions ORDER BY position DESC LIMIT 1), 'true') = 'false'
                THEN
                    RETURN NEW;
                END IF;
                SELECT stamp, step INTO previous FROM events
                WHERE case_id = NEW.case_id AND seq = NEW.seq - 1 AND {IN_THIS_TRANSACTION};
                IF NOT FOUND OR split_part(previous.step, {US}, 5) <> '{AUTHORISE}'
                   OR split_part(previous.stamp, {US}, 1) <> actor
                   OR NOT EXISTS (SELECT 1 FROM events WHERE case_id = NEW.case_id
                       AND split_part(step, {US}, 2) = '{WORKFLOW}'
                       AND split_part(step, {US}, 4) = split_part(previous.step, {US}, 4)
                       AND split_part(step, {US}, 5) = '{PROPOSE}'
                       AND payload::jsonb -> 'fields' ->> 'proposed_action' = v_action) THEN
                    RAISE EXCEPTION 'events: % needs a second person''s authorisation, '
                        'recorded with it (four eyes)', v_action
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END
        $$""",
    }


TRIGGER = (
    "CREATE TRIGGER events_four_eyes BEFORE INSERT ON events FOR EACH ROW "
    "EXECUTE FUNCTION casetracker_four_eyes_guard()"
)


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(
            sa.Column("superintendent", sa.Boolean, nullable=False, server_default=sa.false())
        )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    for signature, definition in _functions(schema).items():
        op.execute(f"CREATE OR REPLACE FUNCTION {signature} {definition}")
    op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER events_four_eyes ON events")
        for signature in _functions("public"):
            op.execute(f"DROP FUNCTION {signature.split('(')[0]}")
    with op.batch_alter_table("users") as table:
        table.drop_column("superintendent")
