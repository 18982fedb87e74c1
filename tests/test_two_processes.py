"""The app and the command line on one records file at once, as two real processes.

A helper process holds the file exactly as the app does (app_pages.frame's cached connection) and writes through
the app's one write path when told; the command line runs beside it. Lines on stdin/stdout keep the two in step.
The other way round, a process holds the file read-write as a command-line import does while the app's pages run
through AppTest: a phone and an evaluator page get a notice with Retry, and the resident's answers are kept.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from indicators.records import store as records
from tests.conftest import ROOT

APP_LIKE = r"""
import sys
from app_pages import frame
from indicators.records.store import writing
store = frame._connection(sys.argv[1])
print(store.cursor().execute("SELECT count(*) FROM stations").fetchall()[0][0], flush=True)
for line in sys.stdin:
    if line.strip() == "write":
        with writing(store) as cur:
            cur.execute("INSERT INTO meta VALUES ('written_by_app', 'yes')")
        print("written", flush=True)
    else:
        break
"""

READER = r"""
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)   # a command reading (an export, a score)
print(con.execute("SELECT count(*) FROM stations").fetchall()[0][0], flush=True)
sys.stdin.readline()
"""


def _env(**extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


@pytest.fixture
def app_open(demo_copy):
    """A second process holding `demo_copy` the way the app does; yields (process, path)."""
    proc = subprocess.Popen([sys.executable, "-c", APP_LIKE, str(demo_copy)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
    first = proc.stdout.readline()
    assert first.strip() == "24", proc.stderr.read()
    yield proc, demo_copy
    proc.stdin.write("quit\n")
    proc.stdin.close()
    proc.wait(timeout=60)


def cli(*argv, lang="en"):
    return subprocess.run([sys.executable, "-m", "indicators", *argv], capture_output=True, text=True, cwd=ROOT,
                          env=_env(LANG="zh_CN.UTF-8" if lang == "zh" else "C.UTF-8"), timeout=300)


def test_the_cli_reads_while_the_app_is_open_and_after_it_writes(app_open):
    proc, db = app_open
    r = cli("score", "--db", str(db), "--scheme", "needs-met", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["stations"]) == 24
    proc.stdin.write("write\n")
    proc.stdin.flush()
    assert proc.stdout.readline().strip() == "written"      # the app wrote while it was open...
    r = cli("export", "--db", str(db), "--scheme", "photo-count", "--out", str(db.parent / "x.csv"), "--lang", "en")
    assert r.returncode == 0, r.stderr                       # ...and let go of the file again
    con = records.connect(db, read_only=True)
    try:
        assert records.get_meta(con, "written_by_app") == "yes"
    finally:
        con.close()


@pytest.mark.parametrize("lang, words", [("en", "another program holds this database open"),
                                         ("zh", "另一个程序正打开着这个数据库")])
def test_a_write_beside_the_open_app_exits_2_naming_the_holder(app_open, tmp_path, lang, words):
    proc, db = app_open
    ledger = tmp_path / "stations.csv"
    ledger.write_text("station_id,name,district,street,population\nS99,新站,城关区,街道,1000\n", encoding="utf-8")
    r = cli("import", "--db", str(db), str(ledger), lang=lang)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert words in r.stderr and f"{proc.pid}" in r.stderr and "Traceback" not in r.stderr


def test_an_app_write_while_a_command_reads_says_who_holds_the_file(demo_copy):
    reader = subprocess.Popen([sys.executable, "-c", READER, str(demo_copy)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
    try:
        assert reader.stdout.readline().strip() == "24"
        app = records.Store(demo_copy, wait=0)
        assert app.cursor().execute("SELECT count(*) FROM stations").fetchall()[0][0] == 24
        with pytest.raises(records.DatabaseBusy) as caught:
            with records.writing(app) as cur:
                cur.execute("INSERT INTO meta VALUES ('k', 'v')")
        assert str(reader.pid) in caught.value.render("zh") and "另一个程序" in caught.value.render("zh")
        assert str(reader.pid) in str(caught.value)
        app.close()
    finally:
        reader.stdin.write("\n")
        reader.stdin.close()
        reader.wait(timeout=60)
    app = records.Store(demo_copy, wait=0)                 # the reader has gone: the write goes through
    with records.writing(app) as cur:
        cur.execute("INSERT INTO meta VALUES ('k', 'v')")
    assert records.get_meta(app.cursor(), "k") == "v"
    app.close()


# ---------------------------------------------------------------- the app while a command-line import holds the file

IMPORTING = r"""
import sys
from indicators.records.store import connect
con = connect(sys.argv[1])            # read-write, as `python -m indicators import` holds it for its transaction
print("holding", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def importing(db, monkeypatch):
    """hold() makes a second process take `db` read-write (the app's Store lets go first), release() ends it. The
    app's Store waits 0.2 s instead of 3 s before it says the file is busy."""
    from app_pages import frame
    monkeypatch.setattr(records, "LOCK_WAIT_SECONDS", 0.2)
    frame._connection.clear()                    # a Store made with the short wait
    procs = []

    def hold():
        frame._connection(str(db)).close()      # as after the app's LINGER: the file is free for the import
        proc = subprocess.Popen([sys.executable, "-c", IMPORTING, str(db)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
        assert proc.stdout.readline().strip() == "holding", proc.stderr.read()
        procs.append(proc)
        return proc

    def release():
        proc = procs.pop()
        proc.stdin.write("\n")
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0

    yield hold, release
    while procs:
        release()


def _shown(at) -> str:
    return " ".join(str(e.value) for e in (*at.warning, *at.error, *at.info, *at.exception))


def _busy_notice(at, lang: str, key: str, **params) -> None:
    """The page shows the busy notice of `key` with its Retry button, and nothing that sends a browser user to a
    command line, no error and no traceback."""
    from indicators.i18n import t
    assert not at.exception and not at.error, _shown(at)
    assert [w.value for w in at.warning] == [t(key, lang, **params)]
    assert [b.label for b in at.button if b.key == "_busy_retry"] == [t("busy.retry", lang)]
    for words in ("run the command", "command again", "再运行一次", "运行一次命令"):
        assert words not in _shown(at)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_phone_during_a_command_line_import_is_told_to_retry_and_keeps_its_answer(db, importing, lang):
    from streamlit.testing.v1 import AppTest
    from tests.test_app_meeting import facilitator_opens, rows
    from tests.test_app_raters import button
    from indicators.i18n import t
    hold, release = importing
    _, code, _, codes = facilitator_opens(lang, n=2)

    def resident(v):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        del at.session_state["_user"]             # a resident's phone: no account
        at.context["locale"] = "zh-CN" if lang == "zh" else "en-US"
        at.query_params["m"], at.query_params["v"] = code, v
        at.run()
        return at.switch_page("app_pages/vote.py").run()

    phone = resident(codes[0])
    assert t("vt.private", lang) in [i.value for i in phone.info]
    phone.segmented_control(key=f"vt_met:{code}:0").set_value("yes")
    phone.segmented_control(key=f"vt_rating:{code}:0").set_value(4)
    hold()
    button(phone, t("vt.send", lang)).click().run()           # the press lands while the import holds the file
    _busy_notice(phone, lang, "busy.phone")
    assert phone.session_state[f"vt_met:{code}:0"] == "yes" and phone.session_state[f"vt_rating:{code}:0"] == 4
    other = resident(codes[1])                                 # a phone opening its slip's link now
    _busy_notice(other, lang, "busy.phone")
    release()
    assert rows(db, "SELECT count(*) FROM meeting_votes")[0][0] == 0
    button(phone, t("busy.retry", lang)).click().run()         # the import is over: the same item, as answered
    assert not phone.exception and not phone.error and not phone.warning, _shown(phone)
    for key, value in ((f"vt_met:{code}:0", "yes"), (f"vt_rating:{code}:0", 4)):
        answer = phone.segmented_control(key=key)
        assert answer.value == value
        assert answer.proto.set_value     # sent to the browser again: it forgot what the stopped run did not draw
    button(phone, t("vt.send", lang)).click().run()
    assert rows(db, "SELECT item_pos, met, rating FROM meeting_votes") == [(0, "yes", 4)]
    assert any(t("vt.item_of", lang, n=2, total=2) in str(p.proto) for p in phone.get("progress"))
    button(other, t("busy.retry", lang)).click().run()         # the link opened during the import is tried again
    assert not other.exception and not other.error and not other.warning, _shown(other)
    assert t("vt.private", lang) in [i.value for i in other.info]   # its ballot, not the form to type both codes


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_evaluator_page_during_a_command_line_import_names_the_program_and_offers_retry(db, importing, lang):
    from tests.test_app import assert_clean, open_app
    from indicators.i18n import t
    from datetime import date
    hold, release = importing
    at = open_app(lang, "scores")
    at.date_input(key="period_start").set_value(date(2024, 3, 1)).run()
    proc = hold()
    with pytest.raises(records.DatabaseBusy) as held:      # how DuckDB names the holder, as the app will hear it
        records.connect(db, read_only=True, wait=0)
    assert held.value.params["pid"] == str(proc.pid)
    at.run()                                               # the next run reads the stamp: the file is held
    _busy_notice(at, lang, "err.db.app_busy_read", name=db.name, program=held.value.params["program"], pid=proc.pid)
    release()
    at.button(key="_busy_retry").click().run()
    assert_clean(at)
    assert at.title[0].value == t("scores.title", lang)
    period = at.date_input(key="period_start")
    assert period.value == date(2024, 3, 1) and period.proto.set_value   # the period as it was, sent again


def test_a_workshop_participant_sending_during_an_import_keeps_the_points(db, importing):
    from tests.test_app_workshop import allocate, start
    from tests.test_app import open_app
    from indicators.i18n import t
    hold, release = importing
    _, code = start("en")
    ph = open_app("zh", "join", code=code)
    del ph.session_state["_user"]                  # a resident's phone
    ph.run()
    ph.text_input(key="join_name").input("王阿姨")
    ph.radio(key="join_group").set_value("residents")
    next(b for b in ph.button if b.label == t("join.join_button", "zh")).click().run()
    n = len([k for k in ph.number_input if k.key.startswith(f"jw:{code}:")])
    points = [40, 20] + [10] * (n - 2)
    allocate(ph, code, points)
    hold()
    ph.button(key="join_submit").click().run()
    _busy_notice(ph, "zh", "busy.phone")
    release()
    ph.button(key="_busy_retry").click().run()
    assert [ph.number_input(key=k.key).value for k in ph.number_input if k.key.startswith(f"jw:{code}:")] == points
    ph.button(key="join_submit").click().run()
    assert any(s.value == t("join.sent", "zh") for s in ph.success), _shown(ph)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_import_on_the_records_page_while_a_command_reads_says_so_in_the_apps_words(db, importing, lang):
    from tests.test_app import open_app
    from tests.test_app_io import STATION_NEW, count, upload
    from indicators.i18n import t
    from app_pages import frame
    at = open_app(lang, "records")
    upload(at, ("stations.csv", STATION_NEW.encode()))
    frame._connection(str(db)).close()
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, cwd=ROOT, env=_env())          # a command-line export reading the file
    try:
        assert reader.stdout.readline().strip() == "24"
        with pytest.raises(records.DatabaseBusy) as held:  # how DuckDB names the reader, as the app will hear it
            records.connect(db, wait=0)
        at.button(key="io_go").click().run()
        said = t("err.db.app_busy_write", lang, name=db.name, program=held.value.params["program"], pid=reader.pid)
        assert [e.value for e in at.error] == [t("io.failed", lang, msg=said)]
        assert not at.exception and "command again" not in said and "再运行一次" not in said
    finally:
        reader.stdin.write("\n")
        reader.stdin.close()
        reader.wait(timeout=60)
    assert count(db, "stations") == 24


def test_a_facilitators_close_during_a_command_line_import_shows_the_notice_and_closes_after_retry(db, importing):
    """The meeting page's buttons are callbacks, run before the page's guard: without their own guard a press
    during an import ended in Streamlit's redacted error."""
    from tests.test_app_meeting import facilitator_opens, rows
    from tests.test_app_raters import button
    from indicators.i18n import t
    hold, release = importing
    fac, code, _, _ = facilitator_opens("en", n=2)
    proc = hold()
    with pytest.raises(records.DatabaseBusy) as held:
        records.connect(db, read_only=True, wait=0)
    button(fac, t("mt.close", "en")).click().run()
    _busy_notice(fac, "en", "err.db.app_busy_write", name=db.name, program=held.value.params["program"],
                 pid=proc.pid)
    release()
    assert rows(db, "SELECT state FROM meetings") == [("open",)]
    fac.button(key="_busy_retry").click().run()
    button(fac, t("mt.close", "en")).click().run()
    assert not fac.exception and not fac.error, _shown(fac)
    assert rows(db, "SELECT state FROM meetings") == [("closed",)]
