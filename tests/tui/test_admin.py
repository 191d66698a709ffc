"""Admin mode: the users, their roles and forces, changed through the service as ``casetracker
user add`` changes them: the same checks and words, a refusal shown on the form with what was
typed kept and nothing written, each change logged (a superintendent's mark too); other roles
are not let in."""

from __future__ import annotations

import json
from contextlib import closing

import pytest
import sqlalchemy as sa
from textual.widgets import Checkbox, Input

from casetracker.adapters.tables import ACCESS_LOG
from casetracker.services.cases import Casetracker
from tests.tui.conftest import is_screen, run_async, screen_text, settle
from tui.app import CasetrackerApp

SIZE = (120, 40)


def _users(url: str) -> dict[str, tuple[tuple[str, ...], str]]:
    with closing(Casetracker(url, as_user="audit.demo")) as reader:
        return {u.name: (tuple(u.roles), u.force) for u in reader.users()}


def _saves(url: str) -> list[str]:
    with closing(Casetracker(url, as_user="audit.demo")) as reader, reader.engine.connect() as c:
        query = sa.select(ACCESS_LOG.c.detail).where(ACCESS_LOG.c.action == "user-save")
        return [row.detail for row in c.execute(query)]


def _detail(text: str) -> dict:
    return json.loads(text) if isinstance(text, str) else text


async def _fill(pilot, **values: str) -> None:
    form = pilot.app.screen
    for name, value in values.items():
        form.query_one(f"#u-{name}", Input).value = value
    await pilot.press("ctrl+s")


@run_async
async def test_an_admin_registers_a_police_user_with_the_clis_checks(demo_url):
    before = _users(demo_url)
    app = CasetrackerApp(demo_url, as_user="admin.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, is_screen(app, "AdminScreen"))
        screen = app.screen
        await settle(pilot, lambda: len(screen.users) == len(before))
        shown = screen_text(app)
        assert "pc.wmp" in shown and "WMP" in shown and "Immigration officer" in shown
        await pilot.press("n")
        await settle(pilot, is_screen(app, "UserFormScreen"))
        await _fill(pilot, name="pc.new", display="PC New", roles="police", force="xyz")
        # refused as the CLI refuses it; the form again, with what was typed
        await settle(
            pilot,
            lambda: (
                is_screen(app, "UserFormScreen")()
                and "not a configured police force" in screen_text(app)
            ),
        )
        assert "--force: XYZ is not a configured police force" in screen_text(app)
        assert app.screen.query_one("#u-name", Input).value == "pc.new"
        assert _users(demo_url) == before  # nothing written
        await _fill(pilot, roles="police, nurse", force="WMP")
        await settle(pilot, lambda: "unknown role 'nurse'" in screen_text(app))
        await _fill(pilot, roles="police", force="wmp")
        await settle(pilot, lambda: any(n.title == "saved" for n in app.notices))
        saved = [n.message for n in app.notices if n.title == "saved"]
        assert saved == ["user pc.new: Police (WMP)"]  # as the list names the role
        await settle(pilot, lambda: "pc.new" in [u.name for u in screen.users])
    assert _users(demo_url) == {**before, "pc.new": (("police",), "WMP")}
    assert len(_saves(demo_url)) == 1


@run_async
async def test_an_admin_changes_a_users_roles_and_other_roles_are_not_let_in(demo_url):
    app = CasetrackerApp(demo_url, as_user="admin.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, is_screen(app, "AdminScreen"))
        screen = app.screen
        await settle(pilot, lambda: bool(screen.users))
        row = [u.name for u in screen.users].index("joc.demo")
        screen.query_one("#users-table").move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot, is_screen(app, "UserFormScreen"))
        assert app.screen.query_one("#u-name", Input).disabled  # the account stays the same
        await _fill(pilot, roles="joc,ccu", force="MPS")  # a force is for police users only
        await settle(pilot, lambda: "--force is only for police users" in screen_text(app))
        await _fill(pilot, force="")
        await settle(pilot, is_screen(app, "AdminScreen"))
        await settle(pilot, lambda: ("joc", "ccu") in [u.roles for u in screen.users])
    assert _users(demo_url)["joc.demo"] == (("joc", "ccu"), "")

    other = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with other.run_test(size=SIZE) as pilot:
        await settle(pilot, is_screen(other, "WorklistScreen"))
        await pilot.press("f8")
        await settle(pilot, lambda: bool(other.notices))
        assert type(other.screen).__name__ == "WorklistScreen"
        assert "only the admin role manages users (you act as ccu)" in other.notices[-1].message


def _marked(url: str) -> dict[str, bool]:
    with closing(Casetracker(url, as_user="audit.demo")) as reader:
        return {u.name: u.superintendent for u in reader.users()}


async def _open_user(pilot, name: str) -> None:
    app = pilot.app
    screen = app.screen
    await settle(pilot, lambda: bool(screen.users))
    screen.query_one("#users-table").move_cursor(row=[u.name for u in screen.users].index(name))
    await pilot.press("enter")
    await settle(pilot, is_screen(app, "UserFormScreen"))


@run_async
async def test_the_saved_notice_names_roles_as_the_list_does(demo_url):
    """The notice after a save said ``immigration_officer,joc`` where the list beside it, and
    every other screen, says "Immigration officer, Nexus JOC"."""
    app = CasetrackerApp(demo_url, as_user="admin.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, is_screen(app, "AdminScreen"))
        screen = app.screen
        await pilot.press("n")
        await settle(pilot, is_screen(app, "UserFormScreen"))
        await _fill(pilot, name="io.new", display="IO New", roles="immigration_officer, joc")
        await settle(pilot, lambda: any(n.title == "saved" for n in app.notices))
        saved = [n.message for n in app.notices if n.title == "saved"]
        assert saved == ["user io.new: Immigration officer, Nexus JOC"]
        await settle(pilot, lambda: "io.new" in [u.name for u in screen.users])
        row = next(line for line in screen_text(app).splitlines() if "io.new" in line)
        assert "Immigration officer, Nexus JOC" in row, row


async def _ask_superintendent(pilot, name: str) -> None:
    """Open ``name``'s form, tick the superintendent box and save."""
    await _open_user(pilot, name)
    pilot.app.screen.query_one("#u-superintendent", Checkbox).value = True
    await pilot.press("ctrl+s")


@run_async
async def test_an_admin_marks_a_superintendent_as_user_add_does(demo_url):
    """The box is `user add --superintendent`: saved, logged, shown in the list; ticked for
    someone not in the police it is refused in the CLI's words and nothing is written."""
    seeded = {name for name, yes in _marked(demo_url).items() if yes}  # the supt.* users
    assert "pc.demo" not in seeded
    app = CasetrackerApp(demo_url, as_user="admin.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, is_screen(app, "AdminScreen"))
        screen = app.screen
        await _open_user(pilot, "pc.demo")
        box = app.screen.query_one("#u-superintendent", Checkbox)
        assert not box.value
        box.focus()
        await pilot.press("space")  # ticked as a person ticks it
        assert box.value
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any(n.title == "saved" for n in app.notices))
        saved = [n.message for n in app.notices if n.title == "saved"]
        assert saved == ["user pc.demo: Police (MPS) superintendent"]
        await settle(
            pilot, lambda: any(u.superintendent and u.name == "pc.demo" for u in screen.users)
        )
        row = next(line for line in screen_text(app).splitlines() if "pc.demo" in line)
        assert "✓" in row, row
        await _open_user(pilot, "pc.demo")
        assert app.screen.query_one("#u-superintendent", Checkbox).value  # kept, shown again
        await pilot.press("escape")
        await settle(pilot, is_screen(app, "AdminScreen"))

        await _ask_superintendent(pilot, "cw.demo")
        refusal = "--superintendent: only a police user can be a superintendent"
        await settle(pilot, lambda: refusal in screen_text(app))
        assert type(app.screen).__name__ == "UserFormScreen"
        assert app.screen.query_one("#u-superintendent", Checkbox).value  # what was typed
        assert not [n for n in app.notices if n.title == "refused"]  # said once: on the form
    marked = _marked(demo_url)
    assert {name for name, yes in marked.items() if yes} - seeded == {"pc.demo"}
    assert [d.get("superintendent") for d in map(_detail, _saves(demo_url))] == [True]


@run_async
async def test_only_an_admin_marks_a_superintendent(demo_url):
    """A police user is not let into admin mode; given the screen all the same, the service
    refuses the save in its own words, the form keeps what was typed, nothing is written."""
    from tui.screens.admin import AdminScreen

    before = _marked(demo_url)
    app = CasetrackerApp(demo_url, as_user="pc.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, is_screen(app, "WorklistScreen"))
        await pilot.press("f8")
        await settle(pilot, lambda: bool(app.notices))
        assert type(app.screen).__name__ == "WorklistScreen"
        assert "only the admin role manages users (you act as police)" in app.notices[-1].message
        await app.push_screen(AdminScreen())
        await settle(pilot, is_screen(app, "AdminScreen"))
        await _ask_superintendent(pilot, "pc.demo")
        refusal = "only the admin role may manage users (you act as police)"
        await settle(pilot, lambda: refusal in screen_text(app))
        assert app.screen.query_one("#u-superintendent", Checkbox).value
    assert _marked(demo_url) == before
    assert _saves(demo_url) == []


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@run_async
async def test_every_column_of_the_user_list_is_on_screen(demo_url, size):
    """At 80 columns too: account, roles, force and the superintendent's mark whole, "supt."
    explained below the list, and the full name last, cut with an ellipsis only where it does
    not fit (issue 17)."""
    gus = "PC Gus Demo (Greater Manchester custody officer)"
    with closing(Casetracker(demo_url, as_user="admin.demo")) as admin:
        admin.register_user("pc.gmp", "police", gus, "GMP", True)
    app = CasetrackerApp(demo_url, as_user="admin.demo")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, is_screen(app, "AdminScreen"))
        screen = app.screen
        await settle(
            pilot, lambda: any(u.superintendent and u.name == "pc.gmp" for u in screen.users)
        )
        table = screen.query_one("#users-table")
        assert table.virtual_size.width <= table.size.width  # nothing off to the right
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "account" in line)
        assert header.split() == ["account", "roles", "force", "supt.", "full", "name"]
        row = next(line for line in lines if "pc.gmp" in line)
        assert row.split()[:4] == ["pc.gmp", "Police", "GMP", "✓"], row
        if size[0] >= 120:
            assert gus in row
        else:
            assert "PC Gus Demo (" in row and row.rstrip().endswith("…"), row
        assert any("supt. ✓ marks a superintendent" in line for line in lines)
