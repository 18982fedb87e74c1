"""Scheme files: exact YAML round trips and validation messages that name the field."""
import copy

import pytest
import yaml

from indicators.scheme import catalog
from indicators.scheme.model import SchemeError, dump_yaml, load_yaml, scheme_from_dict
from indicators.scoring.engine import check


@pytest.mark.parametrize("name", catalog.BUILTINS)
def test_builtin_files_round_trip_exactly(name):
    text = (catalog.BUILTIN_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    scheme = load_yaml(text)
    assert dump_yaml(scheme) == text
    assert load_yaml(dump_yaml(scheme)) == scheme


@pytest.mark.parametrize("name", catalog.BUILTINS)
def test_every_builtin_indicator_has_bilingual_names_and_rationale(name):
    for ind in catalog.builtin(name).indicators:
        assert ind.name_zh and ind.name_en and ind.rationale_zh and ind.rationale_en, ind.id


def test_builtin_camps_match_their_purpose():
    assert {i.camp for i in catalog.builtin("photo-count").indicators} == {"output"}
    assert {i.camp for i in catalog.builtin("needs-met").indicators} == {"needs"}


def base() -> dict:
    return yaml.safe_load((catalog.BUILTIN_DIR / "needs-met.yaml").read_text(encoding="utf-8"))


def edit(path, value):
    data = base()
    *head, last = path
    node = data
    for key in head:
        node = node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return data


IND = ("dimensions", 0, "indicators", 0)


@pytest.mark.parametrize("data, field, words", [
    (edit(("id",), "Needs Met!"), "id", "lower-case"),
    (edit(("dimensions",), []), "dimensions", "at least one"),
    (edit(("dimensions", 0, "weight"), -1), "dimensions[0].weight", "negative"),
    (edit(("dimensions", 0, "weight"), "heavy"), "dimensions[0].weight", "number"),
    (edit((*IND, "camp"), "image"), "dimensions[0].indicators[0].camp", "output, needs"),
    (edit((*IND, "name_en"), KeyError), "dimensions[0].indicators[0].name_en", "required"),
    (edit((*IND, "colour"), "red"), "dimensions[0].indicators[0].colour", "unknown field"),
    (edit((*IND, "measure", "kind"), "total"), "dimensions[0].indicators[0].measure.kind", "count"),
    (edit((*IND, "measure", "filter"), "statuss = 'resolved'"), "dimensions[0].indicators[0].measure.filter", "statuss"),
    (edit((*IND, "measure", "filter"), "status = 'done'"), "dimensions[0].indicators[0].measure.filter", "done"),
    (edit((*IND, "measure", "filter"), "evil(status)"), "dimensions[0].indicators[0].measure.filter", "evil"),
    (edit((*IND, "normalisation"), {"method": "goalposts", "low": 1}), "dimensions[0].indicators[0].normalisation",
     "low and high"),
    (edit(("dimensions", 1, "indicators", 0, "id"), "urgent_needs_resolved"), "dimensions[1].indicators[0].id",
     "already used"),
    (edit(("gates", 0, "indicator"), "nope"), "gates[0].indicator", "not an indicator"),
    (edit(("gates", 0, "cap"), "Z"), "gates[0].cap", "not one of the grades"),
    (edit(("grades",), [{"grade": "A", "min": 50}]), "grades", "start at 0"),
])
def test_validation_names_the_field(data, field, words):
    with pytest.raises(SchemeError) as err:
        check(scheme_from_dict(data, "s.yaml"), "s.yaml")
    assert err.value.field == field
    assert words in str(err.value)
    assert str(err.value).startswith("s.yaml: ")


def test_all_zero_weights_are_refused():
    data = base()
    for ind in data["dimensions"][0]["indicators"]:
        ind["weight"] = 0
    with pytest.raises(SchemeError, match=r"dimensions\[0\].indicators\[\*\].weight: are all zero"):
        scheme_from_dict(data)


def test_malformed_yaml_names_line():
    with pytest.raises(SchemeError, match="bad.yaml: line 3"):
        load_yaml("id: x\nname_en: [a\nname_zh: b\n", "bad.yaml")
    with pytest.raises(SchemeError, match="expected a mapping"):
        load_yaml("- just\n- a list\n")


def test_saved_schemes_round_trip_through_the_database(tmp_path):
    from indicators.records import store as records
    con = records.connect(tmp_path / "db.duckdb")
    records.create_schema(con)
    scheme = catalog.builtin("needs-met")
    mine = copy.copy(scheme).with_weights({"reach": 40}, id="needs-met-lanzhou", name_en="Needs met (Lanzhou)")
    catalog.save(con, mine, saved_by="tester")
    assert catalog.available(con)[-1] == "needs-met-lanzhou"
    assert catalog.resolve("needs-met-lanzhou", con)[0] == mine
    with pytest.raises(SchemeError, match="built-in"):
        catalog.save(con, scheme)


def test_saving_a_scheme_leaves_an_audit_row_in_the_same_transaction(tmp_path):
    from indicators.scheme import history as audit
    from indicators.records import store as records
    con = records.connect(tmp_path / "db.duckdb")
    records.create_schema(con)
    mine = catalog.builtin("needs-met").with_weights(id="mine")
    catalog.save(con, mine, saved_by="王评估")
    catalog.save(con, mine.with_weights({"reach": 40}), saved_by="王评估")
    rows = audit.history(con, "mine")
    assert list(rows["action"]) == ["create", "save"]
    assert rows["user"].tolist() == ["王评估", "王评估"]
    assert "reach" in rows["summary"].iloc[1] and "40" in rows["diff"].iloc[1]
