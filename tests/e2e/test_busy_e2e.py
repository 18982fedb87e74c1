"""A resident's phone while a command-line import holds the database, in Chromium, in Chinese and English.

Two phones open their voting slips; one picks "yes" on the first item. The other skips an item (a write), and once
the app's Store lets go of the file a second process takes it read-write, as `python -m indicators import` does.
The first phone then presses Send: it reads the busy notice with Retry (no command line, no error); the import
ends; after Retry the ballot shows "yes" still picked (the browser forgets what a stopped run did not draw unless
the page sets it again, which AppTest cannot see), and Send stores that vote. Every wait is on state.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import pytest

from indicators.i18n import t
from indicators.live.meeting import MeetingStore
from indicators.outputs.voting_sheet import vote_link
from indicators.records import store as records
from indicators.scoring.measures import Period

from .conftest import ROOT, Server, open_app, shot, wait_idle
from .test_meeting_e2e import press
from .test_workshop_e2e import PHONE, expect, main

WAIT = 30_000
IMPORTING = r"""
import sys
from indicators.records.store import connect
con = connect(sys.argv[1], wait=120)   # read-write, as an import holds it; waits for the app to let go
print("holding", flush=True)
sys.stdin.readline()
"""


@pytest.fixture(scope="module")
def meeting_server(tmp_path_factory, demo_db):
    """A server on a demo copy holding one open meeting on S01's first two items, with four voting codes."""
    folder = tmp_path_factory.mktemp("busy")
    db = folder / "demo.duckdb"
    shutil.copy(demo_db, db)
    con = records.connect(db)
    store = MeetingStore(con)
    period = Period(date(2024, 1, 1), date(2024, 12, 31))
    items = [(r.kind, r.id) for r in store.candidates("S01", period).head(2).itertuples()]
    meeting = store.create("S01", period, items, 4)
    con.close()
    srv = Server(db, folder / "streamlit.log")
    yield srv, meeting
    srv.stop()


def phone(browser, srv, code: str, vote_code: str, lang: str):
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                              locale="zh-CN" if lang == "zh" else "en-US")
    ph = ctx.new_page()
    ph.set_default_timeout(WAIT)
    open_app(ph, srv, vote_link(srv.url, code, vote_code).removeprefix(srv.url + "/") + f"&lang={lang}")
    expect()(main(ph).get_by_text(t("vt.private", lang))).to_be_visible(timeout=WAIT)
    return ph


@pytest.mark.parametrize("lang, voter, skipper", [("zh", 0, 1), ("en", 2, 3)])
def test_a_phone_pressing_send_during_an_import_retries_with_its_answer(raw_browser, meeting_server, lang, voter,
                                                                         skipper):
    srv, meeting = meeting_server
    code = meeting.code
    voting = phone(raw_browser, srv, code, meeting.vote_codes[voter], lang)
    press(voting, t("vt.met.yes", lang), option=True)
    other = phone(raw_browser, srv, code, meeting.vote_codes[skipper], lang)
    importing = subprocess.Popen([sys.executable, "-c", IMPORTING, str(srv.db)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)})
    try:
        press(other, t("vt.skip", lang))                       # a write: the app lets go a second later
        assert importing.stdout.readline().strip() == "holding"
        main(voting).get_by_role("button", name=t("vt.send", lang), exact=True).click()
        retry = main(voting).get_by_role("button", name=t("busy.retry", lang))
        expect()(retry).to_be_visible(timeout=WAIT)
        wait_idle(voting)
        expect()(main(voting).get_by_text(t("busy.phone", lang))).to_be_visible()
        assert "command" not in main(voting).inner_text() and "命令" not in main(voting).inner_text()
        expect()(voting.locator('[data-testid="stException"]')).to_have_count(0)
        shot(voting, f"busy-phone-{lang}")
    finally:
        importing.stdin.write("\n")
        importing.stdin.close()
        importing.wait(timeout=60)
    retry.click()
    send = main(voting).get_by_role("button", name=t("vt.send", lang), exact=True)
    expect()(send).to_be_visible(timeout=WAIT)
    wait_idle(voting)
    picked = main(voting).get_by_role("radio", name=t("vt.met.yes", lang), exact=True, checked=True)
    expect()(picked).to_have_count(1)                          # still picked after Retry
    expect()(main(voting).get_by_text(t("busy.phone", lang))).to_have_count(0)   # the notice is gone
    shot(voting, f"busy-phone-after-retry-{lang}")
    send.click()
    expect()(main(voting).get_by_text(t("vt.item_of", lang, n=2, total=2))).to_be_visible(timeout=WAIT)
    voting.context.close()
    other.context.close()
