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
    for key, k in (("p", "object"), ("l", "list"), ("m", "map"), ("e", "enum")):
        if key in shape:
            return k
    return "scalar"


SCALAR_KEYS = {"k", "lo", "hi", "xlo", "xhi", "minlen", "maxlen", "pat"}


def check_count_range(shape, low: str, high: str, where: str) -> None:
    for key in (low, high):
        if key in shape:
            assert isinstance(shape[key], int) and shape[key] >= 0, f"{where}: {key} {shape[key]!r}"
    if low in shape and high in shape:
        assert shape[low] <= shape[high], f"{where}: {low} > {high}"


def check_scalar(shape, where: str) -> None:
    assert set(shape) <= SCALAR_KEYS, f"{where}: unexpected keys {set(shape) - SCALAR_KEYS}"
    assert shape.get("k", "integer") in {"integer", "number", "boolean", "scalar"}, where
    assert set(shape) - {"k"}, f"{where}: a constrained scalar without constraints"
    for key in ("lo", "hi", "xlo", "xhi"):
        if key in shape:
            assert isinstance(shape[key], (int, float)) and not isinstance(shape[key], bool), where
    assert not ("lo" in shape and "xlo" in shape), where
    assert not ("hi" in shape and "xhi" in shape), where
    if "lo" in shape and "hi" in shape:
        assert shape["lo"] <= shape["hi"], f"{where}: empty range"
    check_count_range(shape, "minlen", "maxlen", where)
    if "pat" in shape:
        assert isinstance(shape["pat"], int) and 0 <= shape["pat"] < len(doc()["patterns"]), where


def check_shape(shape, where: str) -> None:
    if isinstance(shape, str):
        assert shape in PRIMS, f"{where}: unknown kind {shape!r}"
        return
    assert isinstance(shape, dict), f"{where}: {shape!r}"
    k = kind(shape)
    if k == "scalar":
        check_scalar(shape, where)
        return
    allowed = {
        "object": {"p", "r", "o"},
        "list": {"l", "minitems", "maxitems"},
        "map": {"m"},
        "enum": {"e", "k", "ci"},
    }[k]
    assert set(shape) <= allowed, f"{where}: unexpected keys {set(shape) - allowed}"
    if k == "object":
        assert isinstance(shape["p"], dict)
        for name, sub in shape["p"].items():
            check_shape(sub, f"{where}.{name}")
        for r in shape.get("r", []):
            assert r in shape["p"], f"{where}: required {r!r} not a property"
        assert shape.get("r", ["x"]) != [], f"{where}: empty r must be omitted"
        assert shape.get("o", True) is True, f"{where}: o must be true or absent"
    elif k == "list":
        check_count_range(shape, "minitems", "maxitems", where)
        check_shape(shape["l"], f"{where}[]")
    elif k == "map":
        check_shape(shape["m"], f"{where}[]")
    else:
        assert shape["e"] and all(isinstance(v, str) for v in shape["e"]), where
        assert shape.get("k", "integer") in {"integer", "number", "boolean", "scalar"}
        assert shape.get("ci", True) is True


def prop(type_name: str, path: str):
    """The shape at a dotted property path; `[]` steps into a list's items."""
    shape = {"p": types()[type_name]["p"]}
    for step in path.split("."):
        name = step.rstrip("[]")
        shape = shape["p"][name]
        for _ in range((len(step) - len(name)) // 2):
            shape = shape["l"]
    return shape


def has_region(t: dict, region: str) -> bool:
    return bool(int(t["in"], 16) >> doc()["regions"].index(region) & 1)


# --------------------------------------------------------------------------
# the generated document
# --------------------------------------------------------------------------


def test_header():
    d = doc()
    assert d["format"] == refresh.FORMAT == 3
    assert d["source"]["package"] == "cfn-lint"
    assert re.match(r"^\d+\.\d+\.\d+$", d["source"]["version"])
    assert d["regions"] == sorted(d["regions"])
    assert len(d["regions"]) <= 64, "availability is a u64 bitset on the Rust side"
    assert {"us-east-1", "af-south-1", "eu-west-1", "ap-southeast-7", "mx-central-1"} <= set(d["regions"])
    assert "sam" not in d["regions"]
    assert d["patterns"] == sorted(set(d["patterns"]))


def test_size_is_reasonable():
    assert OUT.stat().st_size < 4_000_000
    assert len(types()) > 1800


def test_type_names():
    for name in types():
        assert TYPE_RE.match(name), name


def test_all_shapes_well_formed():
    allowed = {"p", "r", "attrs", "ro", "create_only", "name", "in", "stateful", "delete_requires_empty", "depth"}
    everywhere = (1 << len(doc()["regions"])) - 1
    for name, t in types().items():
        assert set(t) <= allowed, (name, set(t) - allowed)
        check_shape({"p": t["p"], **({"r": t["r"]} if "r" in t else {})}, name)
        for key in ("attrs", "ro", "create_only"):
            v = t.get(key, ["x"])
            assert v and v == sorted(set(v)), (name, key)
        # a type is present in at least one region, and only in known ones
        assert re.match(r"^[0-9a-f]+$", t["in"]), (name, t["in"])
        assert 0 < int(t["in"], 16) <= everywhere, name
        assert t.get("stateful", True) is True, name
        assert t.get("delete_requires_empty", True) is True and ("delete_requires_empty" not in t or t["stateful"])


def test_physical_names():
    t = types()
    expected = {
        "AWS::S3::Bucket": "BucketName",
        "AWS::ECS::Cluster": "ClusterName",
        "AWS::ECR::Repository": "RepositoryName",
        "AWS::KMS::Alias": "AliasName",
        "AWS::IAM::Role": "RoleName",
        "AWS::Logs::LogGroup": "LogGroupName",
        "AWS::Lambda::Function": "FunctionName",
    }
    for name, prop in expected.items():
        assert t[name].get("name") == prop, name
    # identified by something generated (an ARN, a URL, an id): no name to clash
    for name in ("AWS::SNS::Topic", "AWS::SQS::Queue", "AWS::EC2::SecurityGroup", "AWS::ECS::Service"):
        assert "name" not in t[name], name
    for name, entry in t.items():
        if "name" in entry:
            assert entry["name"] in entry["p"], name
            assert entry["name"] not in entry.get("ro", []), name


def test_every_pattern_is_used():
    used: set[int] = set()

    def walk(shape) -> None:
        if isinstance(shape, dict):
            if "pat" in shape:
                used.add(shape["pat"])
            for key in ("l", "m"):
                if key in shape:
                    walk(shape[key])
            for sub in (shape.get("p") or {}).values():
                walk(sub)

    for t in types().values():
        walk({"p": t["p"]})
    assert used == set(range(len(doc()["patterns"])))


def test_sns_topic():
    t = types()["AWS::SNS::Topic"]
    assert t["p"]["TopicName"] == {"maxlen": 256}
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
    assert all(has_region(ts["AWS::SNS::Topic"], r) for r in doc()["regions"])
    apprunner = ts["AWS::AppRunner::Service"]
    assert has_region(apprunner, "us-east-1") and has_region(apprunner, "eu-west-1")
    assert not has_region(apprunner, "af-south-1") and not has_region(apprunner, "sa-east-1")
    # offered in a single region, which is not us-east-1
    farm = ts["AWS::DeviceFarm::Project"]
    assert [r for r in doc()["regions"] if has_region(farm, r)] == ["us-west-2"]


def test_stateful_types():
    ts = types()
    for name in ("AWS::RDS::DBInstance", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::S3::Bucket",
                 "AWS::DynamoDB::Table", "AWS::EFS::FileSystem", "AWS::Cognito::UserPool"):
        assert ts[name].get("stateful") is True, name
    assert ts["AWS::S3::Bucket"].get("delete_requires_empty") is True
    for name in refresh.EXTRA_STATEFUL:  # mdl's additions to cfn-lint's list
        assert ts[name].get("stateful") is True, name
    assert "stateful" not in ts["AWS::SNS::Topic"]
    assert "delete_requires_empty" not in ts["AWS::RDS::DBInstance"]


def test_constraints_are_kept():
    assert prop("AWS::SQS::Queue", "DelaySeconds") == {"k": "integer", "lo": 0, "hi": 900}
    name = prop("AWS::ECR::Repository", "RepositoryName")
    assert (name["minlen"], name["maxlen"]) == (2, 256)
    assert "[a-z0-9]+" in doc()["patterns"][name["pat"]]
    user = prop("AWS::RDS::DBInstance", "MasterUsername")
    assert doc()["patterns"][user["pat"]].startswith("^[a-zA-Z]")
    architectures = prop("AWS::Lambda::Function", "Architectures")
    assert (architectures["minitems"], architectures["maxitems"]) == (1, 1)
    assert prop("AWS::ECS::TaskDefinition", "ContainerDefinitions[].Name") is not None
    # an enum carries no other constraint
    assert set(prop("AWS::ECS::Service", "LaunchType")) == {"e"}


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


def test_conv_scalar_constraints():
    assert conv({"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[a-z]+$"}) == {
        "minlen": 1, "maxlen": 64, "pat": "^[a-z]+$"}
    assert conv({"type": "integer", "minimum": 0, "maximum": 900}) == {"k": "integer", "lo": 0, "hi": 900}
    assert conv({"type": "number", "maximum": 5, "exclusiveMaximum": True}) == {"k": "number", "xhi": 5}
    # both bounds on one end apply: the binding one is kept
    assert conv({"type": "integer", "maximum": 1000, "exclusiveMaximum": 1000}) == {"k": "integer", "xhi": 1000}
    assert conv({"type": "integer", "minimum": 5, "exclusiveMinimum": 1}) == {"k": "integer", "lo": 5}
    # lengths must be whole and >= 0
    assert conv({"type": "string", "maxLength": -1, "minLength": 1.5}) == "string"
    assert conv({"type": ["integer", "string"], "maxLength": 3}) == {"k": "scalar", "maxlen": 3}
    assert conv({"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5}) == {
        "l": "string", "minitems": 1, "maxitems": 5}
    # an enum's values say more than its other constraints
    assert conv({"type": "string", "enum": ["a", "b"], "pattern": "^x$", "maxLength": 1}) == {"e": ["a", "b"]}


def test_conv_alternatives_keep_the_loosest_constraints():
    s = conv({"oneOf": [
        {"type": "string", "maxLength": 10, "minLength": 2, "pattern": "^a"},
        {"type": "string", "maxLength": 20, "minLength": 1, "pattern": "^a"},
    ]})
    assert s == {"minlen": 1, "maxlen": 20, "pat": "^a"}
    s = conv({"anyOf": [
        {"type": "string", "maxLength": 10, "pattern": "^a"},
        {"type": "string", "pattern": "^b"},
    ]})
    assert s == "string", "a bound or pattern missing from one branch is dropped"
    s = conv({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["x"]}]})
    assert s == "scalar"
    s = conv({"oneOf": [
        {"type": "array", "items": {"type": "string"}, "maxItems": 2},
        {"type": "array", "items": {"type": "string"}, "maxItems": 4},
    ]})
    assert s == {"l": "string", "maxitems": 4}


def test_intern_patterns_and_region_bits():
    ts = {
        "A::B::C": {"p": {"X": {"pat": "b"}, "Y": {"l": {"pat": "a"}}}},
        "A::B::D": {"p": {"Z": {"p": {"W": {"pat": "b"}}}}},
    }
    assert refresh.intern_patterns(ts) == ["a", "b"]
    assert ts["A::B::C"]["p"] == {"X": {"pat": 1}, "Y": {"l": {"pat": 0}}}
    assert ts["A::B::D"]["p"]["Z"]["p"]["W"] == {"pat": 1}
    assert refresh.region_bits(["a", "b", "c", "d", "e"], ["a", "e"]) == "11"


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
