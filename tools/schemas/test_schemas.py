#!/usr/bin/env python3
"""Sanity checks for src/cfn/schemas/cloudformation.json and for refresh.py's converter.

Runs under pytest (`pytest tools/schemas/test_schemas.py`) or plain Python
(`python3 tools/schemas/test_schemas.py`, prints 'N passed, N failed').
Standard library only; cfn-lint is not needed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "src" / "cfn" / "schemas" / "cloudformation.json"
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # keep tools/schemas/ free of __pycache__

import refresh  # noqa: E402

PRIMS = {"string", "integer", "number", "boolean", "scalar", "json"}
TYPE_RE = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$")
_DOC: dict | None = None


def doc() -> dict:
    global _DOC
    if _DOC is None:
        _DOC = json.loads(OUT.read_text(encoding="utf-8"))
    return _DOC


def types() -> dict:
    return doc()["types"]


def kind(shape) -> str:
    if isinstance(shape, str):
        return shape
    for key, k in (("e", "enum"), ("p", "object"), ("l", "list"), ("m", "map")):
        if key in shape:
            return k
    raise AssertionError(f"bad shape {shape!r}")


def check_shape(shape, where: str) -> None:
    if isinstance(shape, str):
        assert shape in PRIMS, f"{where}: unknown kind {shape!r}"
        return
    assert isinstance(shape, dict), f"{where}: {shape!r}"
    present = [k for k in ("p", "l", "m", "e") if k in shape]
    assert len(present) == 1, f"{where}: exactly one of p/l/m/e: {shape!r}"
    k = present[0]
    allowed = {"p": {"p", "r", "o"}, "l": {"l"}, "m": {"m"}, "e": {"e", "k", "ci"}}[k]
    assert set(shape) <= allowed, f"{where}: unexpected keys {set(shape) - allowed}"
    if k == "p":
        assert isinstance(shape["p"], dict)
        for name, sub in shape["p"].items():
            check_shape(sub, f"{where}.{name}")
        for r in shape.get("r", []):
            assert r in shape["p"], f"{where}: required {r!r} not a property"
        assert shape.get("r", ["x"]) != [], f"{where}: empty r must be omitted"
        assert shape.get("o", True) is True, f"{where}: o must be true or absent"
    elif k in ("l", "m"):
        check_shape(shape[k], f"{where}[]")
    else:
        assert shape["e"] and all(isinstance(v, str) for v in shape["e"]), where
        assert shape.get("k", "integer") in {"integer", "number", "boolean", "scalar"}
        assert shape.get("ci", True) is True


# --------------------------------------------------------------------------
# the generated document
# --------------------------------------------------------------------------


def test_header():
    d = doc()
    assert d["format"] == refresh.FORMAT
    assert d["source"]["package"] == "cfn-lint"
    assert re.match(r"^\d+\.\d+\.\d+$", d["source"]["version"])
    assert d["regions"] == ["us-east-1", "af-south-1"]


def test_size_is_reasonable():
    assert OUT.stat().st_size < 3_000_000
    assert len(types()) > 1500


def test_type_names():
    for name in types():
        assert TYPE_RE.match(name), name


def test_all_shapes_well_formed():
    allowed = {"p", "r", "attrs", "ro", "create_only", "not_in", "depth"}
    for name, t in types().items():
        assert set(t) <= allowed, (name, set(t) - allowed)
        check_shape({"p": t["p"], **({"r": t["r"]} if "r" in t else {})}, name)
        for key in ("attrs", "ro", "create_only"):
            v = t.get(key, ["x"])
            assert v and v == sorted(set(v)), (name, key)
        for nr in t.get("not_in", []):
            assert nr in doc()["regions"], (name, nr)
        # a type is present in at least one region
        assert len(t.get("not_in", [])) < len(doc()["regions"]), name


def test_sns_topic():
    t = types()["AWS::SNS::Topic"]
    assert t["p"]["TopicName"] == "string"
    assert "r" not in t
    assert "TopicArn" in t["attrs"] and "TopicName" in t["attrs"]
    assert "TopicName" in t["create_only"]
    tags = t["p"]["Tags"]
    assert kind(tags) == "list" and kind(tags["l"]) == "object"
    assert tags["l"]["r"] == ["Key", "Value"]


def test_ecs_service_launch_type_enum():
    t = types()["AWS::ECS::Service"]
    lt = t["p"]["LaunchType"]
    assert kind(lt) == "enum"
    assert "FARGATE" in lt["e"] and "EC2" in lt["e"]
    assert lt.get("k", "string") == "string"


def test_rds_dbinstance_attrs():
    t = types()["AWS::RDS::DBInstance"]
    assert "Endpoint.Address" in t["attrs"]
    assert "Endpoint.Port" in t["attrs"]
    assert "Endpoint.Address" in t["ro"]
    # readOnly paths inside arrays are kept in ro but are not GetAtt names
    assert not any("*" in a for a in t["attrs"])


def test_ecs_taskdefinition_container_definitions():
    cd = types()["AWS::ECS::TaskDefinition"]["p"]["ContainerDefinitions"]
    assert kind(cd) == "list"
    item = cd["l"]
    assert kind(item) == "object"
    assert item["p"]["Image"] == "string"
    assert "Name" in item["p"]


def test_ssm_parameter_required():
    t = types()["AWS::SSM::Parameter"]
    assert set(t["r"]) >= {"Type", "Value"}
    assert kind(t["p"]["Tags"]) == "map"


def test_iam_policy_document_is_json():
    t = types()["AWS::IAM::Role"]
    assert t["p"]["AssumeRolePolicyDocument"] == "json"
    assert t["r"] == ["AssumeRolePolicyDocument"]
    assert t["attrs"] == ["Arn", "RoleId"]


def test_region_availability():
    ts = types()
    # us-east-1 only
    assert ts["AWS::SNS::Topic"].get("not_in") is None
    assert any(t.get("not_in") == ["af-south-1"] for t in ts.values())
    assert any(t.get("not_in") == ["us-east-1"] for t in ts.values())


def test_top_level_combinator_required_merged():
    # required only via a top-level oneOf whose every branch needs these
    t = types()["AWS::Route53RecoveryControl::SafetyRule"]
    assert set(t["r"]) >= {"ControlPanelArn", "Name", "RuleConfig"}


# --------------------------------------------------------------------------
# the converter on synthetic schemas
# --------------------------------------------------------------------------


def conv(prop: dict, definitions: dict | None = None):
    schema = {"properties": {"X": prop}, "definitions": definitions or {}}
    return refresh.Converter(schema).conv(prop, 1)


def test_conv_recursion_is_cut():
    defs = {
        "Node": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "Name": {"type": "string"},
                "Children": {"type": "array", "items": {"$ref": "#/definitions/Node"}},
            },
        }
    }
    s = conv({"$ref": "#/definitions/Node"}, defs)
    assert s == {"p": {"Children": {"l": "json"}, "Name": "string"}}


def test_conv_type_arrays_degrade():
    assert conv({"type": ["object", "string"]}) == "json"
    assert conv({"type": ["integer", "string"]}) == "scalar"
    assert conv({"type": ["integer", "number"]}) == "number"
    assert conv({"type": ["boolean", "null"]}) == "boolean"


def test_conv_oneof_merges_objects():
    s = conv(
        {
            "oneOf": [
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"A": {"type": "string"}, "C": {"type": "string"}},
                    "required": ["A", "C"],
                },
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"B": {"type": "integer"}, "C": {"type": "string"}},
                    "required": ["B", "C"],
                },
            ]
        }
    )
    assert s == {"p": {"A": "string", "B": "integer", "C": "string"}, "r": ["C"]}


def test_conv_oneof_required_only_branches():
    s = conv(
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {"A": {"type": "string"}, "B": {"type": "string"}},
            "oneOf": [{"required": ["A"]}, {"required": ["B"]}],
        }
    )
    assert s == {"p": {"A": "string", "B": "string"}}


def test_conv_oneof_mixed_kinds_degrades():
    assert conv({"oneOf": [{"type": "string"}, {"type": "object"}]}) == "json"


def test_conv_enum_map_open_object():
    assert conv({"type": "string", "enum": ["A", "B"]}) == {"e": ["A", "B"]}
    assert conv({"type": "integer", "enum": [1, 2]}) == {"e": ["1", "2"], "k": "integer"}
    assert conv(
        {"type": "object", "patternProperties": {".*": {"type": "string"}}}
    ) == {"m": "string"}
    assert conv({"type": "object", "properties": {"A": {"type": "string"}}}) == {
        "p": {"A": "string"},
        "o": True,
    }
    assert conv({"type": "object"}) == "json"


def test_conv_depth_limit():
    node: dict = {"type": "string"}
    for _ in range(40):
        node = {
            "type": "object",
            "additionalProperties": False,
            "properties": {"N": node},
        }
    s = conv(node)
    depth = 1
    while isinstance(s, dict):
        s = s["p"]["N"]
        depth += 1
    assert s == "json"
    assert depth == refresh.MAX_DEPTH + 1


def test_pointer_to_dotted():
    assert refresh.pointer_to_dotted("/properties/Arn") == "Arn"
    assert refresh.pointer_to_dotted("/properties/Endpoint/Address") == "Endpoint.Address"


if __name__ == "__main__":
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_")]
    passed = failed = 0
    for name, fn in tests:
        try:
            fn()
            passed += 1
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
