"""`pip install .` gives the `indicators` command anywhere: built from a copy of the repository's package files into
a fresh virtual environment, it answers --help and builds and scores the demo from another folder, reading its
built-in schemes and demo records from the installed package. About 15 s: no download (the dependencies are this
interpreter's, seen through a .pth file), no build isolation (setuptools and wheel come with requirements-dev.txt)."""
import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8")) \
    if (ROOT / "pyproject.toml").exists() else {}


def _requirements(name: str) -> list[str]:
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [r for r in (line.split("#", 1)[0].strip() for line in lines) if r and not r.startswith("-r")]


def test_dependencies_are_requirements_txt():
    project = PYPROJECT["project"]
    assert project["dependencies"] == _requirements("requirements.txt")
    assert project["optional-dependencies"]["spark"] == _requirements("requirements-spark.txt")
    assert project["scripts"] == {"indicators": "indicators.cli.main:main"}


def test_every_package_and_data_file_is_shipped():
    tool = PYPROJECT["tool"]["setuptools"]
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "indicators").rglob("__init__.py")}
    assert set(tool["packages"]) == packages | {"indicators.records.demo"}
    # the files the package reads beside its code: the built-in schemes, and the demo's records
    data = [p for p in (ROOT / "indicators").rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    builtin = ROOT / "indicators" / "scheme" / "builtin"
    unshipped = [p for p in data if not (p.parent == builtin and p.suffix == ".yaml")]
    assert data and not unshipped, f"add them to package-data in pyproject.toml (and here): {unshipped}"
    assert tool["package-data"]["indicators.scheme"] == ["builtin/*.yaml"]
    assert tool["package-dir"]["indicators.records.demo"] == "sample_data/demo"


def _run(*argv, cwd, env):
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{argv}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def test_pip_install_gives_the_indicators_command_anywhere(tmp_path):
    src = tmp_path / "src"   # a copy, so the build's own files (build/, *.egg-info) stay out of the repository
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "indicators", src / "indicators", ignore=skip)
    shutil.copytree(ROOT / "sample_data" / "demo", src / "sample_data" / "demo", ignore=skip)

    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    bin_dir = env_dir / "bin"
    py = bin_dir / "python"
    own = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], check=True,
                         capture_output=True, text=True).stdout.strip()
    # this interpreter's packages (pip, setuptools, duckdb ...) seen after the environment's own: nothing downloaded
    theirs = [p for p in [*site.getsitepackages(), site.getusersitepackages()] if os.path.isdir(p)]
    (Path(own) / "outer.pth").write_text("\n".join(theirs) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    _run(py, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(src),
         cwd=tmp_path, env=env)

    elsewhere = tmp_path / "elsewhere"   # not the repository, not the copy
    elsewhere.mkdir()
    where = _run(py, "-c", "import indicators, indicators.records.store as s; print(indicators.__file__); "
                 "print(s.DEMO_DIR)", cwd=elsewhere, env=env).splitlines()
    assert all(line.startswith(str(env_dir)) for line in where), where   # the installed copy, not the repository
    command = str(bin_dir / "indicators")
    usage = _run(command, "--help", cwd=elsewhere, env=env)
    assert usage.startswith("usage: indicators ") and "score" in usage and "audit" in usage
    built = _run(command, "demo", "--db", "d.duckdb", "--lang", "en", cwd=elsewhere, env=env)
    assert "stations" in built and (elsewhere / "d.duckdb").exists()
    scored = json.loads(_run(command, "score", "--db", "d.duckdb", "--scheme", "needs-met", "--format", "json",
                             cwd=elsewhere, env=env))
    assert scored["scheme"] == "needs-met" and len(scored["stations"]) == 24
