"""Accounts, sign-in links and the roles table (indicators/access) and the `users` command line: the KDF and its
parameters, wrong passwords, links used once and expiring (an injected clock), disabled users, exit codes."""
from __future__ import annotations

import io
import sys
from datetime import datetime, timedelta

import duckdb
import pytest

from indicators.access import (CAN, PAGES, PHONE_PAGES, ROLES, AccessError, AccountStore, can, hash_password,
                               pages_for, verify_password)
from indicators.access.accounts import FAIL_LIMIT, FAIL_WINDOW, LINK_MINUTES, SESSION_HOURS
from indicators.cli.main import main
from tests.conftest import ROOT
from indicators.i18n import t


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, 0, 0)

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def accounts(tmp_path, clock):
    con = duckdb.connect(str(tmp_path / "a.duckdb"))
    yield AccountStore(con, clock=clock)
    con.close()


def test_password_hash_is_scrypt_with_its_parameters_and_a_fresh_salt():
    h = hash_password("correct horse")
    kind, n, r, p, salt, digest = h.split("$")
    assert (kind, int(n), int(r), int(p)) == ("scrypt", 2 ** 14, 8, 1)
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(digest)) == 32
    assert hash_password("correct horse") != h                  # a new salt each time
    assert verify_password("correct horse", h)
    assert not verify_password("correct horsE", h)
    for broken in (None, "", "md5$x", "scrypt$abc$8$1$00$00", "scrypt$1099511627776$8$1$00$00"):
        assert not verify_password("correct horse", broken)


def test_sign_in_refuses_wrong_password_unknown_name_and_no_password_alike(accounts):
    accounts.add("王组长", "lead", password="s3cret-pass")
    accounts.add("link-only", "evaluator")
    assert accounts.sign_in("王组长", "s3cret-pass").role == "lead"
    refusals = []
    for name, pw in (("王组长", "wrong-pass"), ("nobody", "s3cret-pass"), ("link-only", ""), ("王组长", "")):
        with pytest.raises(AccessError) as exc:
            accounts.sign_in(name, pw)
        refusals.append(exc.value.code)
    assert refusals == ["access.wrong"] * 4                     # one refusal: nothing says which part was wrong


def test_stored_rows_hold_no_password_and_no_token(accounts, tmp_path):
    accounts.add("li", "evaluator", password="p4ssword!")
    token = accounts.link("li")
    con = accounts._con
    dump = str(con.execute("SELECT * FROM users").fetchall()) + str(con.execute("SELECT * FROM signin_links").fetchall())
    assert "p4ssword!" not in dump and token not in dump


def test_a_link_signs_in_once_and_expires(accounts, clock):
    accounts.add("zhao", "facilitator")
    token = accounts.link("zhao")
    assert len(token) >= 43                                      # 32 random bytes
    assert accounts.use_link(token).name == "zhao"
    with pytest.raises(AccessError) as used:
        accounts.use_link(token)
    assert used.value.code == "access.link_used"
    late = accounts.link("zhao")
    clock.now += timedelta(minutes=LINK_MINUTES, seconds=1)
    with pytest.raises(AccessError) as expired:
        accounts.use_link(late)
    assert expired.value.code == "access.link_expired"
    for bad in ("", "x" * 43, token + "x"):
        with pytest.raises(AccessError):
            accounts.use_link(bad)


def test_a_disabled_user_cannot_sign_in_by_password_link_or_session(accounts, clock):
    accounts.add("qian", "lead", password="p4ssword!")
    token = accounts.link("qian")
    session = accounts.new_session(accounts.sign_in("qian", "p4ssword!"))
    assert accounts.session_user(session).name == "qian"
    accounts.disable("qian")
    with pytest.raises(AccessError):
        accounts.sign_in("qian", "p4ssword!")
    with pytest.raises(AccessError):
        accounts.use_link(token)
    with pytest.raises(AccessError):
        accounts.link("qian")
    assert accounts.session_user(session) is None and accounts.get("qian") is None


def test_sessions_expire_and_end_on_sign_out(accounts, clock):
    u = accounts.add("sun", "evaluator")
    a, b = accounts.new_session(u), accounts.new_session(u)
    accounts.end_session(a)
    assert accounts.session_user(a) is None and accounts.session_user(b).name == "sun"
    clock.now += timedelta(hours=SESSION_HOURS, minutes=1)
    assert accounts.session_user(b) is None


def test_bad_accounts_are_refused_with_a_code(accounts):
    accounts.add("zhou", "lead", email="Zhou@Example.org")
    cases = [(("zhou", "lead"), "access.exists"), (("wu", "boss"), "access.role"), (("", "lead"), "access.name"),
             (("a\u202eb", "lead"), "access.name"), (("x" * 61, "lead"), "access.name")]
    for args, code in cases:
        with pytest.raises(AccessError) as exc:
            accounts.add(*args)
        assert exc.value.code == code
    with pytest.raises(AccessError) as short:
        accounts.add("wu", "lead", password="short")
    assert short.value.code == "access.short_password"
    assert accounts.by_email("zhou@example.org").name == "zhou"
    assert accounts.by_email("other@example.org") is None and accounts.by_email("") is None
    assert AccessError(code="access.wrong").render("zh") == "名称或密码错误。"


def test_the_roles_table():
    assert ROLES == ("evaluator", "facilitator", "lead")
    expect = {
        "evaluator": {"read", "score"},
        "facilitator": {"read", "score", "live"},
        "lead": {"read", "score", "live", "import", "save_scheme", "withdraw", "manage_users"},
        None: set(),
    }
    for role, actions in expect.items():
        assert {a for a in CAN if can(role, a)} == actions, role
    with pytest.raises(KeyError):
        can("lead", "delete_everything")
    # each role sees its pages; a phone sees the phone pages and the sign-in page only
    assert set(PHONE_PAGES) == {"join", "vote", "raters", "delphi"}
    assert set(pages_for(None)) == {"signin", *PHONE_PAGES}
    assert set(pages_for("evaluator")) == set(PAGES) - {"workshop", "meeting"}
    assert set(pages_for("facilitator")) == set(pages_for("lead")) == set(PAGES)


def test_every_page_of_the_app_is_in_the_table():
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    app = (root / "app.py").read_text(encoding="utf-8")
    listed = {p.stem for p in (root / "app_pages").glob("*.py") if f'"app_pages/{p.name}"' in app}
    assert listed == set(PAGES)
    for stem, action in PAGES.items():       # every page that needs a role guards itself before its other imports
        if action is not None:
            text = (root / "app_pages" / f"{stem}.py").read_text(encoding="utf-8")
            code = [ln for ln in text.split('"""', 2)[2].splitlines() if ln and not ln.startswith(("#", "from __future__"))]
            assert code[1] == f'auth.require("{action}")', stem


# ---------------------------------------------------------------- the command line

def run(argv, stdin: str = "", monkeypatch=None, capsys=None):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def dbfile(tmp_path):
    path = tmp_path / "cli.duckdb"
    duckdb.connect(str(path)).close()
    return str(path)


def test_cli_add_list_link_disable_and_exit_codes(dbfile, monkeypatch, capsys):
    code, out, _ = run(["users", "add", "wang", "--role", "lead", "--password-stdin", "--db", dbfile, "--lang", "en"],
                       "p4ssword!\n", monkeypatch, capsys)
    assert code == 0 and "Added wang (lead)" in out
    code, out, _ = run(["users", "add", "zhao", "--role", "facilitator", "--link", "--db", dbfile, "--lang", "zh",
                        "--base-url", "http://192.168.1.20:8501"], "", monkeypatch, capsys)
    assert code == 0 and "一次性登录链接" in out
    url = out.strip().splitlines()[-1]
    assert url.startswith("http://192.168.1.20:8501/?signin=")
    code, out, _ = run(["users", "list", "--db", dbfile, "--lang", "en"], "", monkeypatch, capsys)
    assert code == 0 and "wang" in out and "facilitator" in out and "p4ssword" not in out
    code, out, _ = run(["users", "link", "wang", "--db", dbfile, "--lang", "en"], "", monkeypatch, capsys)
    assert code == 0 and "http://localhost:8501/?signin=" in out
    con = duckdb.connect(dbfile)
    try:
        assert AccountStore(con).use_link(url.split("signin=")[1]).name == "zhao"
    finally:
        con.close()
    code, out, _ = run(["users", "disable", "zhao", "--db", dbfile, "--lang", "en"], "", monkeypatch, capsys)
    assert code == 0 and "Disabled zhao" in out
    bad = [(["users", "add", "wang", "--role", "lead", "--link"], "", "already exists"),
           (["users", "add", "li", "--role", "lead", "--password-stdin"], "short\n", "too short"),
           (["users", "add", "li", "--role", "lead", "--password-stdin"], "", "No password"),
           (["users", "link", "nobody"], "", "No account"),
           (["users", "link", "zhao"], "", "disabled"),
           (["users", "disable", "nobody"], "", "No account")]
    for argv, stdin, words in bad:
        code, _, err = run(argv + ["--db", dbfile, "--lang", "en"], stdin, monkeypatch, capsys)
        assert code == 2 and words in err, (argv, err)
    code, _, err = run(["users", "list", "--db", dbfile + ".missing", "--lang", "en"], "", monkeypatch, capsys)
    assert code == 2
    with pytest.raises(SystemExit) as exc:
        main(["users", "add", "x", "--role", "boss", "--link", "--db", dbfile])
    assert exc.value.code == 2


def test_cli_asks_the_password_twice(dbfile, monkeypatch, capsys):
    answers = iter(["p4ssword!", "p4ssword?"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _, err = run(["users", "add", "he", "--role", "evaluator", "--db", dbfile, "--lang", "en"], "",
                       monkeypatch, capsys)
    assert code == 2 and "differ" in err
    answers = iter(["p4ssword!", "p4ssword!"])
    code, _, _ = run(["users", "add", "he", "--role", "evaluator", "--db", dbfile, "--lang", "en"], "",
                     monkeypatch, capsys)
    con = duckdb.connect(dbfile)
    try:
        assert code == 0 and AccountStore(con).sign_in("he", "p4ssword!").role == "evaluator"
    finally:
        con.close()


# ---------------------------------------------------------------- failed password sign-ins

@pytest.fixture
def scrypts(monkeypatch):
    """How many times scrypt ran (the work a refusal must not do)."""
    import hashlib
    calls, real = [], hashlib.scrypt

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def refusal(accounts, name, password, session=None) -> str:
    with pytest.raises(AccessError) as exc:
        accounts.sign_in(name, password, session=session)
    return exc.value.render("en")


def test_five_failures_pause_a_name_whether_or_not_it_exists_without_scrypt(accounts, clock, scrypts, tmp_path):
    accounts.add("王组长", "lead", password="s3cret-pass")
    accounts.add("li", "evaluator", password="p4ssword!")
    scrypts.clear()                               # adding hashed two passwords
    start = clock.now
    for n in range(5):                           # each guess from a fresh browser session: the name's limit binds
        for name in ("王组长", "nobody"):
            assert refusal(accounts, name, f"guess-{n}", session=f"{name}-{n}") == t("err.access.wrong", "en")
        clock.now += timedelta(seconds=1)
    assert len(scrypts) == 10
    locked = t("err.access.locked", "en", limit=FAIL_LIMIT, minutes=10, until=f"{start + FAIL_WINDOW:%H:%M}")
    # the right password is refused now, unchecked, in the same words as for a name no account has
    assert refusal(accounts, "王组长", "s3cret-pass", session="fresh") == locked
    assert refusal(accounts, " 王组长 ", "s3cret-pass") == locked
    assert refusal(accounts, "nobody", "s3cret-pass", session="fresh") == locked
    assert len(scrypts) == 10
    assert accounts.sign_in("li", "p4ssword!", session="fresh").name == "li"       # other names are not paused
    # a one-time link still signs the paused name in; a restart keeps the pause (it is in the database)
    assert accounts.use_link(accounts.link("王组长")).name == "王组长"
    again = AccountStore(accounts._con, clock=clock)
    assert refusal(again, "王组长", "s3cret-pass") == locked
    # the pause ends when the oldest of the five failures is 10 minutes old
    clock.now = start + FAIL_WINDOW - timedelta(seconds=1)
    assert refusal(again, "王组长", "s3cret-pass") == locked
    clock.now = start + FAIL_WINDOW
    assert again.sign_in("王组长", "s3cret-pass").role == "lead"


def test_a_browser_session_is_paused_after_five_failures_on_any_names(accounts, clock, scrypts):
    accounts.add("zhao", "facilitator", password="p4ssword!")
    scrypts.clear()
    for n in range(5):
        refusal(accounts, f"name-{n}", "p4ssword!", session="tab-1")
    assert refusal(accounts, "zhao", "p4ssword!", session="tab-1").startswith("Password sign-in is paused")
    assert len(scrypts) == 5
    assert accounts.sign_in("zhao", "p4ssword!", session="tab-2").name == "zhao"


def test_a_success_forgives_the_failures_before_it_and_a_lead_unlocks_a_name(accounts, clock):
    accounts.add("sun", "lead", password="p4ssword!")
    for _ in range(4):
        refusal(accounts, "sun", "typo", session="tab")
    accounts.sign_in("sun", "p4ssword!", session="tab")
    for _ in range(4):                            # 8 failures in 10 minutes, but only 4 since the success
        refusal(accounts, "sun", "typo", session="tab")
    assert accounts.sign_in("sun", "p4ssword!", session="tab").name == "sun"
    for n in range(5):
        refusal(accounts, "sun", "typo", session=f"s{n}")
    assert "paused" in refusal(accounts, "sun", "p4ssword!")
    assert accounts.unlock("sun") == 5
    assert accounts.sign_in("sun", "p4ssword!").name == "sun"
    with pytest.raises(AccessError) as exc:
        accounts.unlock("nobody")
    assert exc.value.code == "access.no_user"


def test_guesses_sent_at_once_are_never_checked_past_the_limit(accounts):
    """80 wrong passwords from 8 threads at once, each from a session of its own: an attempt counts as a failure
    before its scrypt runs, so exactly 5 are checked and 75 refused unchecked."""
    import concurrent.futures as cf
    accounts.add("wu", "lead", password="p4ssword!")

    def guess(n: int) -> str:
        with pytest.raises(AccessError) as exc:
            accounts.sign_in("wu", f"guess-{n}", session=f"t{n}")
        return exc.value.code

    with cf.ThreadPoolExecutor(8) as pool:
        got = list(pool.map(guess, range(80)))
    assert (got.count("access.wrong"), got.count("access.locked")) == (5, 75)


def test_password_guess_rate_at_the_limit_and_expected_time_to_a_hit(accounts, clock):
    """Measured through the engine by the strongest guesser the limit allows: a fresh browser session for every
    guess, as fast as the engine answers, a minute later when refused; the clock moves by the real time each call
    took, so six hours pass in moments."""
    import time
    accounts.add("wang", "lead", password="Zq7-long-and-random")
    hours, checked, refused, n = 6, 0, 0, 0
    spent_checked = spent_refused = 0.0
    end = clock.now + timedelta(hours=hours)
    while clock.now < end:
        n += 1
        start = time.perf_counter()
        try:
            accounts.sign_in("wang", f"guess-{n}", session=f"guesser-{n}")
        except AccessError as exc:
            took = time.perf_counter() - start
            if exc.code == "access.locked":
                refused += 1
                spent_refused += took
                clock.now += timedelta(minutes=1)
            else:
                checked += 1
                spent_checked += took
                clock.now += timedelta(seconds=took)
    assert checked == FAIL_LIMIT * 6 * hours              # 5 every 10 minutes: 30 an hour
    per_hour = checked / hours
    lines = []
    for what, alphabet, length in (("common-password list of 10,000", None, None),
                                   ("8 random lower-case letters and digits", 36, 8),
                                   ("10 random lower-case letters and digits", 36, 10),
                                   ("8 random printable ASCII signs", 94, 8)):
        space = 10_000 if alphabet is None else alphabet ** length
        guesses = (space + 1) / 2
        years = guesses / per_hour / (365.25 * 24)
        lines.append(f"{what}: {guesses:,.0f} guesses, {years * 365.25:,.1f} days" if years < 1 else
                     f"{what}: {guesses:.3g} guesses, {years:.3g} years")
    print(f"\npassword guess rate: {per_hour:.0f} checked guesses/hour at one name (limiter on, {checked} checked and "
          f"{refused} refused unchecked in {hours} h; a checked guess {1000 * spent_checked / checked:.1f} ms, a "
          f"refusal {1000 * spent_refused / max(refused, 1):.1f} ms); expected time to a hit: " + "; ".join(lines))
    assert per_hour == 30


def test_cli_unlocks_a_paused_name(dbfile, monkeypatch, capsys):
    con = duckdb.connect(dbfile)
    try:
        accounts = AccountStore(con)
        accounts.add("wang", "lead", password="p4ssword!")
        for n in range(FAIL_LIMIT):
            refusal(accounts, "wang", "typo", session=f"s{n}")
        assert "paused" in refusal(accounts, "wang", "p4ssword!")
    finally:
        con.close()
    code, out, _ = run(["users", "unlock", "wang", "--db", dbfile, "--lang", "en"], "", monkeypatch, capsys)
    assert code == 0 and out.strip() == t("users.cli.unlocked", "en", name="wang", n=FAIL_LIMIT)
    code, _, err = run(["users", "unlock", "nobody", "--db", dbfile, "--lang", "zh"], "", monkeypatch, capsys)
    assert code == 2 and "nobody" in err
    con = duckdb.connect(dbfile)
    try:
        assert AccountStore(con).sign_in("wang", "p4ssword!").name == "wang"
    finally:
        con.close()


def test_no_password_is_hashed_on_import():
    # the unknown-name hash is made on first need: every app start and CLI command paid 50 ms of scrypt for it
    import subprocess
    code = ("import hashlib\n"
            "def refuse(*a, **k): raise SystemExit('scrypt ran on import')\n"
            "hashlib.scrypt = refuse\n"
            "import indicators.access.accounts, indicators.cli.main\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-500:]
