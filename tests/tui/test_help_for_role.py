"""The case screen's help says only what the user's role can do there, by the rule its key
table follows: police may not read the access log, so its help does not offer ``a`` for it
(``a`` did nothing)."""

from __future__ import annotations

from textual.widgets import Static

from tests.tui.conftest import is_screen, run_async, settle, words
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp
from tui.screens.case import CaseScreen

SIZE = (120, 40)


@run_async
async def test_police_are_not_told_a_shows_the_access_log(demo_url):
    app = CasetrackerApp(demo_url, as_user="pc.demo", open_case="C-0000001")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await pilot.press("question_mark")
        await settle(pilot, is_screen(app, "HelpScreen"))
        shown = words(" ".join(str(w.render()) for w in app.screen.query(Static)))
        assert "h steps through the history, r reloads." in shown
        assert "access log" not in shown
        assert "case.access" not in [binding for _, _, binding in app.screen.rows]


class _Auditing:
    """A case screen as its help sees it for a role that may read the access log."""

    HELP = CaseScreen.HELP
    HELP_PARTS = getattr(CaseScreen, "HELP_PARTS", {})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool:
        return True


def test_a_role_that_may_read_it_is_told_of_the_access_log():
    from tui.screens.help import purpose

    assert "h steps through the history, a shows the access log, r reloads." in purpose(_Auditing())
