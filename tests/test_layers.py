"""The package's rooms stand one above another (docs/design.md, "Layers"): every import, at the top of a module or
inside a function, points to the same layer or one below. A new arrow upward fails here, naming the line."""
import ast

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "indicators"

# Lowest first. A module belongs to the room its folder names, unless PLACED elsewhere (the longest prefix wins);
# an import may point to its own layer or below. Keep in step with docs/design.md, "Layers".
LAYERS = ["words", "records", "scheme", "weights", "access", "scoring", "analysis", "outputs", "live", "cli"]
ROOMS = {
    "indicators.errors": "words", "indicators.i18n": "words", "indicators.text_safety": "words",
    "indicators.clock": "words",
    "indicators.records": "records", "indicators.scheme": "scheme", "indicators.weights": "weights",
    "indicators.access": "access", "indicators.scoring": "scoring", "indicators.analysis": "analysis",
    "indicators.outputs": "outputs", "indicators.live": "live", "indicators.cli": "cli", "indicators.__main__": "cli",
}
PLACED = {
    # they read records for a scoring Period (scoring.measures)
    "indicators.records.queries": "scoring", "indicators.records.reach": "scoring",
    # resolves a name to a scheme checked by the engine
    "indicators.scheme.catalog": "scoring",
    # framework tables and score sheets are written through outputs.export (formula-safe cells, CSV text)
    "indicators.scheme.framework": "outputs", "indicators.scheme.editing": "outputs",
    "indicators.records.score_sheet": "outputs",
    # the Delphi report prints a live study's history, with the study's own p-value format
    "indicators.outputs.delphi_report": "live",
}


def _modules() -> dict[str, object]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


MODULES = _modules()


def _target(name: str) -> str:
    """The module an imported name lives in: `indicators.cli.common._table` -> `indicators.cli.common`."""
    while name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def imports(module: str):
    """(line, imported module) of every import of the package in `module`, wherever in the file it stands."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:   # relative: from . import en
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] == "indicators" and name != "indicators":
                target = _target(name)
                if target not in (module, "indicators"):
                    yield node.lineno, target


def layer(module: str) -> str:
    for table in (PLACED, ROOMS):
        hits = [p for p in table if module == p or module.startswith(p + ".")]
        if hits:
            return table[max(hits, key=len)]
    raise AssertionError(f"{module} is in no layer: add its room to ROOMS (and to docs/design.md)")


def test_every_module_has_a_layer_and_the_placed_ones_exist():
    for module in MODULES:
        if module != "indicators":
            assert layer(module) in LAYERS
    assert set(PLACED) <= set(MODULES)


def test_no_import_points_up():
    up = [f"{m} (line {n}, {layer(m)}) imports {t} ({layer(t)})" for m in MODULES if m != "indicators"
          for n, t in imports(m) if LAYERS.index(layer(t)) > LAYERS.index(layer(m))]
    assert not up, "\n".join(up)


def test_scoring_owns_ranks_and_imports_nothing_above_it():
    above = ("indicators.analysis", "indicators.outputs", "indicators.live", "indicators.cli")
    wrong = [(m, n, t) for m in MODULES if m.startswith("indicators.scoring")
             for n, t in imports(m) if t.startswith(above)]
    assert not wrong, wrong


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("indicators.cli.")
                                          and m != "indicators.cli.main"))
def test_cli_subcommands_import_only_the_common_module_below_them(module):
    # main imports the subcommand modules; they share helpers through indicators.cli.common, never through main
    inside = [(n, t) for n, t in imports(module) if t.startswith("indicators.cli")]
    assert all(t == "indicators.cli.common" for _, t in inside), inside


def test_the_layers_are_documented():
    text = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    section = text.split("### Layers", 1)[1].split("\n#", 1)[0]
    for name in LAYERS:
        assert name in section, name
    for module in PLACED:
        assert module.removeprefix("indicators.") in section, module
