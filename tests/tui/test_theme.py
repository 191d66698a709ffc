"""The theme chosen in the app is kept in config.toml's ``[tui] theme`` for the next run, with
the rest of the file (keys, comments) as the user wrote it, and a file that cannot be edited
safely is left alone with a warning."""

from __future__ import annotations

import tomllib

from casetracker import paths
from tests.tui.conftest import run_async, settle
from tui.app import CasetrackerApp
from tui.config import load_theme, save_theme

SIZE = (120, 40)
KEYS = '# my keys\n[keys]\n"worklist.filter" = "f"\n'


def _warnings(app) -> list[str]:
    return [n.message for n in app.notices if n.title == "config.toml"]


@run_async
async def test_a_chosen_theme_is_the_theme_of_the_next_run(demo_url):
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(KEYS)
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        assert app.theme != "nord"
        app.theme = "nord"  # what the palette's "Change theme" does
        await settle(pilot, lambda: load_theme(path) == "nord")
    text = path.read_text()
    assert text.startswith(KEYS)  # the keys and the comment untouched
    assert tomllib.loads(text) == {"keys": {"worklist.filter": "f"}, "tui": {"theme": "nord"}}
    again = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(again.screen).__name__ == "WorklistScreen")
        assert again.theme == "nord"
        assert _warnings(again) == []
        again.theme = "gruvbox"
        await settle(pilot, lambda: load_theme(path) == "gruvbox")
    assert path.read_text().count("theme =") == 1  # changed in place, not added twice


@run_async
async def test_an_unknown_kept_theme_is_said_and_the_default_used(demo_url):
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[tui]\ntheme = "no-such-theme"\n')
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        assert app.theme == "textual-dark"
        assert any("'no-such-theme' is not a theme here" in w for w in _warnings(app))
    assert "no-such-theme" in path.read_text()  # nothing chosen, nothing written


def test_save_theme_edits_only_its_line_and_refuses_a_file_it_cannot_edit(tmp_path):
    path = tmp_path / "config.toml"
    assert save_theme("nord", path) == ""  # no file yet: one is made
    assert tomllib.loads(path.read_text()) == {"tui": {"theme": "nord"}}
    path.write_text('[tui]\ntheme = "nord"  # mine\n[keys]\n"audit.next" = "n"\n')
    assert save_theme("dracula", path) == ""
    assert tomllib.loads(path.read_text()) == {
        "tui": {"theme": "dracula"},
        "keys": {"audit.next": "n"},
    }
    broken = "this is not = = toml\n"
    path.write_text(broken)
    assert "not readable as TOML" in save_theme("nord", path)
    assert path.read_text() == broken
    dotted = 'tui.theme = "nord"\n'  # a [tui] table added below would clash with it
    path.write_text(dotted)
    assert "cannot be edited safely" in save_theme("dracula", path)
    assert path.read_text() == dotted
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
