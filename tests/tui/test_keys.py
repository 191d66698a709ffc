"""Keys remapped in config.toml's ``[keys]`` (README): the new key works, the old one no longer
does, the help screen shows the new one, and a bad entry is explained instead of crashing."""

from __future__ import annotations

from typing import ClassVar

import pytest
from textual.app import App
from textual.binding import Binding, BindingType
from textual.widgets import Input

from casetracker import paths
from tests.tui.conftest import run_async, settle
from tui.app import CasetrackerApp
from tui.config import KeyConfig, check_keymap, class_name, declared_bindings, key_names, load_keys
from tui.widgets.key_bar import KeyBar

SIZE = (120, 40)


def write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def warnings(app) -> list[str]:
    return [n.message for n in app.notices if n.title == "config.toml"]


async def on_worklist(pilot) -> None:
    app = pilot.app
    await settle(
        pilot, lambda: type(app.screen).__name__ == "WorklistScreen" and bool(app.screen.items)
    )


@run_async
async def test_a_remapped_key_works_and_the_old_one_does_not(demo_url):
    write_config('[keys]\n"worklist.filter" = "f"\n')
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await on_worklist(pilot)
        box = app.screen.query_one("#filter", Input)
        await pilot.press("slash")
        await settle(pilot)
        assert not box.display and not box.has_focus
        shown = {item.key: item.description for item in app.screen.query_one(KeyBar).items}
        assert shown.get("f") == "Filter" and "slash" not in shown
        await pilot.press("f")
        await settle(pilot)
        assert box.display and box.has_focus
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        listed = [key for key, _, binding in app.screen.rows if binding == "worklist.filter"]
        assert listed == ["f"]
    assert warnings(app) == []


@run_async
async def test_several_keys_for_one_binding(demo_url):
    write_config('[keys]\n"audit.next" = "n,]"\n')
    app = CasetrackerApp(demo_url, as_user="audit.demo", open_case="C-0000001")
    async with app.run_test(size=SIZE) as pilot:
        await settle(
            pilot, lambda: type(app.screen).__name__ == "AuditScreen" and bool(app.screen.events)
        )
        screen = app.screen
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("n", "n", "right_square_bracket")
        await settle(pilot)
        assert screen.index == 3


@run_async
async def test_bad_entries_are_explained_and_the_good_ones_still_apply(demo_url):
    write_config(
        "[keys]\n"
        '"worklist.filter" = 5\n'
        '"worklist.reload" = "ctrl r"\n'
        '"worklist.flter" = "f"\n'
        '"worklist.open" = "O"\n'
    )
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await on_worklist(pilot)
        told = "\n".join(warnings(app))
        assert "'worklist.filter': the keys must be text" in told and "got 5" in told
        assert "'worklist.reload' = 'ctrl r': not a key" in told
        assert "'worklist.flter': no such binding id" in told
        assert str(paths.config_file()) in told
        await pilot.press("slash")  # the bad entry left the default in place
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).has_focus
        await pilot.press("escape")
        await pilot.press("O")  # the good entry applies
        await settle(pilot, lambda: type(app.screen).__name__ == "PromptScreen")


@run_async
async def test_a_file_that_is_not_toml_is_explained(demo_url):
    write_config('[keys\n"worklist.filter" = "f"\n')
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await on_worklist(pilot)
        told = "\n".join(warnings(app))
        assert "is not valid TOML" in told and "line 1" in told
        assert "the default keys are in use" in told
        await pilot.press("slash")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).has_focus


@run_async
async def test_a_remapped_key_that_takes_another_bindings_key_says_so(demo_url):
    write_config('[keys]\n"worklist.filter" = "o"\n')
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await on_worklist(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).has_focus
        told = "\n".join(warnings(app))
        assert "'worklist.filter' takes 'o' from 'worklist.open'" in told
        assert "(Open a case by its id), which now has no key" in told


def test_a_key_remapped_onto_an_action_number_says_so(tmp_path):
    """The case screen's number keys are declared like every other binding, so a key remapped
    onto one is reported as any other clash is: that number then no longer takes its action."""
    config = KeyConfig(tmp_path / "config.toml", {"case.why": "1"})
    check_keymap(config, declared_bindings(CasetrackerApp), class_name(CasetrackerApp))
    assert config.problems == [
        f"{config.path}: [keys] 'case.why' takes '1' from 'act(0)' (Take action 1 in the list), "
        "which now has no key"
    ]


def test_keys_table_must_be_a_table(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('keys = "f"\n')
    found = load_keys(path)
    assert found.keymap == {}
    assert found.problems == [f"{path}: [keys] must be a table of binding id = keys, e.g. "
                              '"worklist.filter" = "f"']  # fmt: skip


class _OneBinding(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "bell", "Bell", id="test.bell")]


@pytest.mark.parametrize(
    "keys", ["n,]", " ctrl+f ", "?", "/", "1", "F", "é", "+", "f6, ctrl+r", "space,left"]
)
@run_async
async def test_key_names_are_the_keys_set_keymap_binds(keys):
    """``key_names`` (what the clash check compares) names a keymap's keys exactly as Textual
    binds them once ``App.set_keymap`` applies it."""
    app = _OneBinding()
    async with app.run_test():
        app.set_keymap({"test.bell": keys})
        bound = {
            key
            for key, active in app.screen.active_bindings.items()
            if active.binding.id == "test.bell"
        }
    assert bound == key_names(keys)
