"""The repository stands alone: no README, doc, comment or docstring points at design notes or papers kept
outside it (they live in docs/design.md), and the README's commands use files that exist."""
import re
import shlex

from tests.conftest import ROOT

# Built from pieces so this file does not match itself.
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "DESIGN" + r"\.md", "seed" + "-paper",
                               r"(?<![\w.-])" + "shared" + "/"]))
SCANNED = ("README.md", "app.py", "docs", "indicators", "app_pages", "sample_data", "tests", "benchmarks", ".ci")
SUFFIXES = {".py", ".md", ".txt", ".yaml", ".yml", ".toml", ".cfg", ".ini", ""}


def _files():
    for name in SCANNED:
        path = ROOT / name
        items = [path] if path.is_file() else path.rglob("*")
        for f in items:
            if f.is_file() and f.suffix in SUFFIXES and "__pycache__" not in f.parts and f.stat().st_size < 2_000_000:
                yield f


def test_nothing_points_outside_the_repository():
    hits = []
    for f in _files():
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                hits.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not hits, "\n".join(hits)


def test_the_design_notes_are_in_the_repository():
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    for part in ("The problem", "records contract", "Indicators and schemes", "CR = CI / RI(n)", "Architecture"):
        assert part in text
    assert "docs/design.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_commands_name_files_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    for line in readme.splitlines():
        if "python -m indicators" not in line or "--matrix" not in line:
            continue
        words = shlex.split(line.split("#")[0])
        matrices = [words[i + 1] for i, w in enumerate(words) if w == "--matrix"]
        assert matrices and all((ROOT / m).is_file() for m in matrices), line
