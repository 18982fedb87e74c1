"""The app and the command line on one records file at once, as two real processes.

A helper process holds the file exactly as the app does (app_pages.frame's cached connection) and writes through
the app's one write path when told; the command line runs beside it. Lines on stdin/stdout keep the two in step.
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
