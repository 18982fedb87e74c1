"""The docs run: every ```python block in README.md and docs/*.md, and every shell command shown there, runs here.

Python blocks run one by one, each in a fresh namespace with the working directory a new temporary folder that holds
the docs' one precondition: the demo database at `demo.duckdb` (README: `python -m indicators demo --db
demo.duckdb`). Shell commands (```bash, ```sh, ```shell, ```console) run page by page, in the order a reader pastes
them, in one temporary folder a page: `python -m indicators ...` goes through the same `main` that
indicators/__main__.py calls (in this process: one start-up for all of them, to keep the run short), files of the
repository (sample_data/..., tests/data/...) are read where they are, everything a command writes lands in the
temporary folder, and a `--db` that is not there yet is a copy of the demo database (the reader's records).
A command that cannot run here is skipped by a rule in SKIP_RULES that says why; a command no rule covers and that
is not `python -m indicators` fails. A block that is deliberately not run carries `<!-- not-run: reason -->` on the
line before its fence.
"""
from __future__ import annotations

import gc
import io
import os
import re
import runpy
import shlex
import shutil
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL = {"bash", "sh", "shell", "console"}
# Folders of the repository a command may read from; a token under one of them that exists is the repo's file.
# (Not "anything that exists under ROOT": a developer's own demo.duckdb there must never be written to.)
SOURCE_FOLDERS = ("sample_data", "tests", "indicators", "docs", "benchmarks")
DATA_SUFFIXES = {".csv", ".xlsx", ".xls", ".yaml", ".yml", ".json", ".parquet", ".duckdb", ".txt"}

# CommonMark fenced code blocks: an opening fence of 3+ backticks or tildes (indented inside list items), the info
# string's first word is the language, the block ends at a fence of the same character at least as long.
OPEN = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^\s`]*)[^`]*$")
NOT_RUN = re.compile(r"^\s*<!--\s*not-run\b(?P<rest>.*?)-->\s*$")


@dataclass(frozen=True)
class Block:
    page: str           # relative to the repository, e.g. docs/workshop.md
    line: int           # the opening fence's line, 1-based
    lang: str
    text: str
    not_run: str | None  # the marker's reason ("" when it gives none), None without a marker

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def parse(page: Path) -> tuple[list[Block], list[int]]:
    """The fenced code blocks of one Markdown page, and the lines of not-run markers that precede no block."""
    lines = page.read_text(encoding="utf-8").split("\n")
    rel = page.relative_to(ROOT).as_posix() if page.is_relative_to(ROOT) else page.name
    blocks, markers, used = [], [i for i, s in enumerate(lines) if NOT_RUN.match(s)], set()
    i = 0
    while i < len(lines):
        m = OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = len(m["indent"]), m["fence"]
        close = re.compile(rf"^ *{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        body = [s[min(indent, len(s) - len(s.lstrip(" "))):] for s in lines[i + 1:j]]
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        marker = NOT_RUN.match(lines[k]) if k >= 0 else None
        if marker:
            used.add(k)
        reason = marker["rest"].strip().removeprefix(":").strip() if marker else None
        blocks.append(Block(rel, i + 1, m["info"].lower(), "\n".join(body), reason))
        i = j + 1
    return blocks, [k + 1 for k in markers if k not in used]


BLOCKS = [b for page in PAGES for b in parse(page)[0]]
PYTHON = [b for b in BLOCKS if b.lang in ("python", "py")]


def test_the_parser_reads_fences_as_commonmark_does(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("\n".join([
        "Text with ``` inline.",          # 1: not a fence (backticks in the info string)
        "<!-- not-run: needs a printer -->",
        "",
        "```python",                      # 4
        "print('a')",
        "```",
        "1. A step:",
        "",
        "   ~~~~bash",                    # 9: in a list item, tildes, longer fence
        "   python -m indicators demo --db a.duckdb \\",
        "       --lang en   # the reader's own comment",
        "   ```",                         # not the end: another character
        "   ~~~~",
        "<!-- not-run -->",               # 14: a marker without a reason
        "```sh",                          # 15
        "true",
        "```",
        "<!-- not-run: stray -->",        # 18: before no block
        "Done.",
    ]), encoding="utf-8")
    blocks, orphans = parse(page)
    assert [(b.line, b.lang, b.not_run) for b in blocks] == [(4, "python", "needs a printer"), (9, "bash", None),
                                                             (15, "sh", "")]
    assert blocks[0].text == "print('a')"
    assert blocks[1].text.split("\n") == ["python -m indicators demo --db a.duckdb \\",
                                          "    --lang en   # the reader's own comment", "```"]
    assert orphans == [18]
    cmd = commands(blocks[1])[0]
    assert cmd.line == 10 and cmd.comment == "the reader's own comment"
    assert cmd.argv == ("python", "-m", "indicators", "demo", "--db", "a.duckdb", "--lang", "en")


def test_commands_split_as_a_shell_would():
    block = Block("x.md", 1, "console", "\n".join([
        "$ A=1 python -m pytest -q && streamlit run app.py",
        "output line",
        "$ python -m indicators report --scheme needs-met --out \"S04 card.html\" > out.txt",
    ]), None)
    a, b, c = commands(block)
    assert (a.id, a.env, a.argv) == ("x.md:2", (("A", "1"),), ("python", "-m", "pytest", "-q"))
    assert (b.id, b.argv) == ("x.md:2#2", ("streamlit", "run", "app.py"))
    assert (c.id, c.argv[-1], c.stdout_to) == ("x.md:4", "S04 card.html", "out.txt")
    assert [skip_reason(x, ROOT).split("'")[1] for x in (a, b)] == ["runs tests", "starts the app"]
    assert skip_reason(c, ROOT) is None


# --- Python blocks ---------------------------------------------------------------------------------------------------

def test_the_docs_have_python_and_shell_blocks():
    """The collector finds what is there (an empty list would pass every test below)."""
    ids = {b.id for b in PYTHON}
    assert any(i.startswith("docs/workshop.md:") for i in ids), ids
    assert len(PYTHON) >= 5 and any(b.lang in SHELL for b in BLOCKS if b.page == "README.md")


def test_not_run_markers_give_a_reason_and_precede_a_block():
    bad = [f"{b.id}: not-run without a reason (write <!-- not-run: why -->)" for b in BLOCKS if b.not_run == ""]
    for page in PAGES:
        bad += [f"{page.relative_to(ROOT).as_posix()}:{n}: not-run marker before no code block"
                for n in parse(page)[1]]
    assert not bad, "\n".join(bad)


def test_commands_are_in_shell_blocks():
    """A command shown in an untagged or text block would escape the smoke test below: tag the block bash."""
    hidden = [f"{b.id}: {s.strip()}" for b in BLOCKS if b.lang in ("", "text") for s in b.text.split("\n")
              if re.match(r"\s*(\$ )?(python3? -m indicators\b|indicators [a-z-]+ )", s)]
    assert not hidden, "\n".join(hidden)


@pytest.mark.parametrize("block", PYTHON, ids=[b.id for b in PYTHON])
def test_python_block_runs(block, demo_db, tmp_path, monkeypatch):
    if block.not_run is not None:
        pytest.skip(f"{block.id} is marked not-run: {block.not_run}")
    shutil.copy(demo_db, tmp_path / "demo.duckdb")
    monkeypatch.chdir(tmp_path)
    # Blank lines in front keep the Markdown's line numbers in a traceback, which then names the page itself.
    code = compile("\n" * block.line + block.text, str(ROOT / block.page), "exec", dont_inherit=True)
    namespace = {"__name__": "__docs__"}
    try:
        exec(code, namespace)
    finally:
        namespace.clear()
        gc.collect()   # connections the block left open let go of their files before tmp_path goes


# --- shell commands --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    page: str
    line: int
    n: int              # its place among the commands on that line (a && b)
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    stdout_to: str | None   # `> file`
    comment: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}" + (f"#{self.n}" if self.n > 1 else "")

    @property
    def text(self) -> str:
        return " ".join(shlex.quote(a) for a in self.argv)


def _split_comment(text: str) -> tuple[str, str]:
    """A shell line and its comment: from a `#` that starts a word outside quotes (prose may hold an apostrophe)."""
    quote = None
    for k, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (k == 0 or text[k - 1].isspace()):
            return text[:k], text[k + 1:].strip()
    return text, ""


def commands(block: Block) -> list[Command]:
    """The commands of a shell block: continuation lines joined, comments apart, `a && b` as two; in a console
    block only the lines after a `$ ` prompt."""
    lines, out, i = block.text.split("\n"), [], 0
    while i < len(lines):
        first, text = i, lines[i]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1] + " " + lines[i]
        i += 1
        if block.lang == "console":
            if not text.lstrip().startswith("$ "):
                continue
            text = text.lstrip()[2:]
        text, comment = _split_comment(text)
        lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|>")
        lexer.whitespace_split, lexer.commenters = True, ""
        parts, cur = [], []
        for t in lexer:
            if t in ("&&", ";", "||"):
                parts.append(cur)
                cur = []
            else:
                cur.append(t)
        parts.append(cur)
        for n, argv in enumerate((p for p in parts if p), start=1):
            env = []
            while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0]):
                env.append(tuple(argv.pop(0).split("=", 1)))
            stdout_to = None
            if ">" in argv:
                at = argv.index(">")
                stdout_to, argv = argv[at + 1], argv[:at]
            out.append(Command(block.page, block.line + 1 + first, n, tuple(argv), tuple(env), stdout_to, comment))
    return out


def _indicators_args(c: Command) -> list[str] | None:
    """The arguments after `python -m indicators` (or the `indicators` console script), None for another program."""
    a = list(c.argv)
    if len(a) >= 3 and re.fullmatch(r"python3?", a[0]) and a[1:3] == ["-m", "indicators"]:
        return a[3:]
    return a[1:] if a[:1] == ["indicators"] else None


def _in_repo(token: str) -> bool:
    parts = Path(token).parts
    return bool(parts) and parts[0] in SOURCE_FOLDERS and (ROOT / token).exists()


def _readers_file(c: Command, cwd: Path) -> str | None:
    """A bare file name the reader brings (ledger.xlsx): not in the repo and not written by an earlier command.
    A path with a folder in it must exist, so a misspelt sample_data/... fails instead of being skipped."""
    args, skip = _indicators_args(c) or [], False
    for t in args:
        if skip:
            skip = False
            continue
        if t in ("--out", "--db"):
            skip = True
            continue
        if Path(t).suffix in DATA_SUFFIXES and "/" not in t and not (cwd / t).exists():
            return t
    return None


# Each rule: (name, applies to this command?, why it does not run here). Listed so that nothing is skipped silently.
SKIP_RULES = [
    ("installs software", lambda c, cwd: c.argv[:2] in (("pip", "install"), ("pip3", "install"))
     or c.argv[:1] in (("apt-get",), ("apt",), ("sudo",)),
     "installs packages on the machine, over the network"),
    ("starts the app", lambda c, cwd: c.argv[:2] == ("streamlit", "run"),
     "serves the app until stopped, for a browser (the AppTests and tests/e2e drive the app)"),
    ("runs tests", lambda c, cwd: "pytest" in c.argv[:3],
     "a test run inside the test run: the tests it names run in the suite itself"),
    ("network", lambda c, cwd: any("://" in t for t in c.argv),
     "reaches another machine (a Spark master, HDFS, a URL)"),
    ("spark", lambda c, cwd: "spark" in c.argv and "--engine" in c.argv and not os.environ.get("REQUIRE_SPARK"),
     "starts a Spark JVM (about 30 s on two cores): runs where REQUIRE_SPARK=1, as in .ci/run"),
    ("usage line", lambda c, cwd: any(t.startswith("[") or re.fullmatch(r"\w+(\|\w+)+", t) for t in c.argv),
     "a usage line: [options] and a|b stand for choices, not values"),
    ("reader's file", lambda c, cwd: _readers_file(c, cwd) is not None,
     "names a file the reader brings (a bare name such as ledger.xlsx, not in the repository)"),
]


def skip_reason(c: Command, cwd: Path) -> str | None:
    for name, applies, why in SKIP_RULES:
        if applies(c, cwd):
            return f"rule '{name}': {why}"
    return None


def expected_exit(c: Command) -> int:
    """0, or the status the docs give in the command's comment (`# exits 2`)."""
    m = re.search(r"\bexits? (?:with )?(?:status )?(\d+)\b", c.comment)
    return int(m[1]) if m else 0


def _local(args: list[str], cwd: Path, demo_db: Path) -> list[str]:
    """Repository files by their full path; a --db not there yet (other than for `demo`) a copy of the demo."""
    out, db_next = [], False
    for t in args:
        value = t.split("=", 1)[1] if t.startswith("--") and "=" in t else t
        if db_next and args[:1] != ["demo"] and not (cwd / value).exists():
            (cwd / value).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(demo_db, cwd / value)
        db_next = t == "--db"
        out.append(t.replace(value, str(ROOT / value)) if _in_repo(value) else t)
    return out


@dataclass
class Outcome:
    skipped: str | None = None
    code: int | None = None
    stdout: str = ""
    stderr: str = ""


def run_indicators(args: list[str], cwd: Path, env: dict[str, str]) -> Outcome:
    """`python -m indicators ARGS` in `cwd`: indicators/__main__.py run as `-m` runs it, in this process."""
    out, err = io.StringIO(), io.StringIO()
    here, saved = os.getcwd(), (sys.argv, sys.stdin, {k: os.environ.get(k) for k in env})
    os.chdir(cwd)
    os.environ.update(env)
    sys.argv, sys.stdin = ["indicators", *args], io.StringIO("")   # nothing asks; if it did, no wait for a reply
    code = None
    try:
        with redirect_stdout(out), redirect_stderr(err):
            runpy.run_module("indicators", run_name="__main__", alter_sys=True)
    except SystemExit as exc:   # how __main__ ends, and argparse on a usage error (2)
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        gc.collect()   # connections the command left open close, as at the end of a process
        os.chdir(here)
        sys.argv, sys.stdin = saved[0], saved[1]
        for k, v in saved[2].items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Outcome(code=0 if code is None else code, stdout=out.getvalue(), stderr=err.getvalue())


SHELL_BLOCKS = [b for b in BLOCKS if b.lang in SHELL]
COMMANDS = [c for b in SHELL_BLOCKS for c in commands(b)]


@pytest.fixture(scope="session")
def page_runs(demo_db, tmp_path_factory):
    """page -> {command id -> Outcome}: each page's commands run once, in order, in one temporary folder."""
    done: dict[str, dict[str, Outcome]] = {}

    def run(page: str) -> dict[str, Outcome]:
        if page in done:
            return done[page]
        cwd = tmp_path_factory.mktemp(re.sub(r"\W", "_", page))
        results = done[page] = {}
        for b in (b for b in SHELL_BLOCKS if b.page == page):
            for c in commands(b):
                if b.not_run is not None:
                    results[c.id] = Outcome(skipped=f"{b.id} is marked not-run: {b.not_run}")
                    continue
                why = skip_reason(c, cwd)
                args = _indicators_args(c)
                if why or args is None:
                    results[c.id] = Outcome(skipped=why)   # no rule and not ours: the test fails on it
                    continue
                outcome = run_indicators(_local(args, cwd, demo_db), cwd, dict(c.env))
                if c.stdout_to:
                    (cwd / c.stdout_to).write_text(outcome.stdout, encoding="utf-8")
                results[c.id] = outcome
        return results
    return run


@pytest.mark.parametrize("command", COMMANDS, ids=[c.id for c in COMMANDS])
def test_shell_command_runs(command, page_runs):
    outcome = page_runs(command.page)[command.id]
    if outcome.skipped:
        pytest.skip(f"{command.text}: {outcome.skipped}")
    assert outcome.code is not None, (f"{command.id}: `{command.text}` is not `python -m indicators` and no rule in "
                                      f"SKIP_RULES says why it cannot run here: add one, or make it runnable")
    want = expected_exit(command)
    assert outcome.code == want, (f"{command.id}: `{command.text}` exited {outcome.code}, the docs expect {want}\n"
                                  f"stdout:\n{outcome.stdout[-2000:]}\nstderr:\n{outcome.stderr[-2000:]}")


def test_the_skip_rules_leave_most_commands_running(page_runs):
    """The rules skip what cannot run here, not most of what the docs show."""
    ran = [c.id for c in COMMANDS if page_runs(c.page)[c.id].code is not None]
    assert len(ran) >= 25, ran
