#!/usr/bin/env python3
"""Regenerate src/cfn/schemas/cloudformation.json from the CloudFormation resource
provider schemas bundled in the installed `cfn-lint` package.

Standard library only. cfn-lint is never imported (its dependencies need not
be importable): the package directory is located with importlib, its JSON data
is read, and two literal tables are read from its source with `ast`.

Source layout (cfn-lint >= 1.5x):
    cfnlint/data/schemas/providers/<region>.json   {"AWS::X::Y": "<hash>", ...}
    cfnlint/data/schemas/resources/<hash>.json     full provider schema
    cfnlint/data/schemas/version.json              {"schema_date": ...}

The output format is documented in src/cfn/schemas/README.md (keep the two in sync;
bump FORMAT when the shape of the output changes).

Usage:
    python3 tools/schemas/refresh.py [--out src/cfn/schemas/cloudformation.json]
        [--cfnlint-dir DIR] [--regions us-east-1,af-south-1]
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

FORMAT = 3
# Where a type's schema is taken from when several regions have it.
PRIMARY_REGION = "us-east-1"
# Types that hold data but are not in cfn-lint's StatefulResources.json:
# replacing or deleting one loses what is in it.
EXTRA_STATEFUL = {
    "AWS::ECR::Repository": "its images",
    "AWS::Route53::HostedZone": "its DNS records",
}
# Maximum nesting depth of shapes: a resource's own properties are at depth 1,
# each object/list/map level adds one. Anything deeper becomes "json". Once
# recursion is cut, real schemas nest at most ~21 levels (AWS::Lex::Bot).
MAX_DEPTH = 24
# Size budget for one resource type's "p" (compact JSON bytes). A type over it
# is re-converted with a lower depth limit until it fits (only the three
# giant QuickSight types today: Analysis, Dashboard, Template); the limit used
# is recorded as "depth" in that type's entry.
TYPE_BUDGET = 160_000
MIN_DEPTH = 4
# How many times the same `#/definitions/X` may be open on the expansion
# stack. 1 means the first recursive re-entry is cut to "json".
MAX_REF_REENTRY = 1

TYPE_NAME_RE = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$")
PRIMITIVES = ("string", "integer", "number", "boolean")
PATTERN_VALUE_RE = re.compile(r'"pat":"(?:[^"\\]|\\.)*"')


# --------------------------------------------------------------------------
# locating the package
# --------------------------------------------------------------------------


def find_cfnlint_dir(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("refresh.py: cfn-lint is not installed (pip install cfn-lint)")
    return Path(list(spec.submodule_search_locations)[0])


def cfnlint_version() -> str:
    try:
        return importlib.metadata.version("cfn-lint")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def read_getatt_tables(pkg: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Read `_all_property_types` and `_exceptions` from cfnlint/schema/_getatts.py.

    These are cfn-lint's corrections for types whose Fn::GetAtt attributes are
    not exactly their readOnlyProperties (legacy types where every property
    can be fetched with GetAtt, e.g. AWS::SNS::Topic TopicName).
    """
    src = pkg / "schema" / "_getatts.py"
    all_props: list[str] = []
    exceptions: dict[str, list[str]] = {}
    if not src.exists():
        print(f"warning: {src} not found; GetAtt extras skipped", file=sys.stderr)
        return all_props, exceptions
    tree = ast.parse(src.read_text(encoding="utf-8"))
    for node in tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for t in targets:
            if isinstance(t, ast.Name) and t.id == "_all_property_types":
                all_props = list(ast.literal_eval(value))
            elif isinstance(t, ast.Name) and t.id == "_exceptions":
                exceptions = dict(ast.literal_eval(value))
    if not all_props and not exceptions:
        print("warning: GetAtt tables not found in _getatts.py", file=sys.stderr)
    return all_props, exceptions


# --------------------------------------------------------------------------
# raw JSON-schema helpers
# --------------------------------------------------------------------------


def resolve_ref(schema: dict, ref: str) -> dict | None:
    """Resolve a local JSON pointer like '#/definitions/Foo'."""
    if not ref.startswith("#/"):
        return None
    node: Any = schema
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def merge_raw(base: dict, extra: dict) -> dict:
    """Shallow JSON-schema merge used for allOf and for oneOf/anyOf branches:
    properties are unioned, required lists unioned, other keys overridden."""
    out = dict(base)
    for k, v in extra.items():
        if k == "properties" and isinstance(v, dict):
            props = dict(out.get("properties") or {})
            for name, sub in v.items():
                prev = props.get(name)
                if isinstance(prev, dict) and isinstance(sub, dict):
                    props[name] = merge_raw(prev, sub)  # both apply (allOf)
                else:
                    props[name] = sub
            out["properties"] = props
        elif k == "required" and isinstance(v, list):
            out["required"] = list(dict.fromkeys(list(out.get("required") or []) + v))
        elif k == "type" and "type" in out and out["type"] != v:
            # conflicting types: keep both so the converter degrades
            a = out["type"] if isinstance(out["type"], list) else [out["type"]]
            b = v if isinstance(v, list) else [v]
            out["type"] = list(dict.fromkeys(a + b))
        else:
            out[k] = v
    return out


def type_list(node: dict) -> list[str]:
    t = node.get("type")
    if t is None:
        return []
    ts = t if isinstance(t, list) else [t]
    return [x for x in ts if x != "null"]


# --------------------------------------------------------------------------
# shape conversion
# --------------------------------------------------------------------------


# Constraint keys of a scalar shape, from the JSON-schema keyword each comes from.
NUMERIC_KEYS = {"minimum": "lo", "maximum": "hi", "exclusiveMinimum": "xlo", "exclusiveMaximum": "xhi"}
LENGTH_KEYS = {"minLength": "minlen", "maxLength": "maxlen"}
ITEM_KEYS = {"minItems": "minitems", "maxItems": "maxitems"}
# For each key, which bound of several alternatives is the loosest.
LOOSEST = {"lo": min, "xlo": min, "minlen": min, "minitems": min,
           "hi": max, "xhi": max, "maxlen": max, "maxitems": max}
SCALAR_KEYS = ("e", "k", "ci", "lo", "hi", "xlo", "xhi", "minlen", "maxlen", "pat")


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def bounds(node: dict, keys: dict[str, str]) -> dict[str, Any]:
    """The numeric bounds of `node` under their digest keys. A draft-04 boolean
    `exclusiveMaximum: true` makes `maximum` exclusive."""
    out: dict[str, Any] = {}
    counts = keys is not NUMERIC_KEYS  # lengths and item counts are whole and >= 0
    for keyword, key in keys.items():
        v = node.get(keyword)
        if is_number(v) and (not counts or (isinstance(v, int) and v >= 0)):
            out[key] = v
    if counts:
        return out
    for keyword, key, exclusive in (("exclusiveMinimum", "lo", "xlo"), ("exclusiveMaximum", "hi", "xhi")):
        if node.get(keyword) is True and key in out:
            out[exclusive] = out.pop(key)
        # Both bounds on one end: they both apply, so keep the one that binds.
        if key in out and exclusive in out:
            tighter = out[exclusive] >= out[key] if key == "lo" else out[exclusive] <= out[key]
            out.pop(key if tighter else exclusive)
    return out


def scalar_node(kind: str, node: dict) -> Any:
    """A primitive shape with the constraints `node` puts on it: numeric range,
    string length and pattern. Without any, the bare kind."""
    out: dict[str, Any] = {}
    if kind != "string":
        out["k"] = kind
    out.update(bounds(node, NUMERIC_KEYS))
    out.update(bounds(node, LENGTH_KEYS))
    if isinstance(node.get("pattern"), str):
        out["pat"] = node["pattern"]
    if len(out) == (0 if kind == "string" else 1):
        return kind
    return out


def list_node(inner: Any, node: dict) -> dict:
    out: dict[str, Any] = {"l": inner}
    out.update(bounds(node, ITEM_KEYS))
    return out


def enum_node(kind: str, values: list, ci: bool) -> Any:
    """An enumeration. Its other constraints are dropped: the values say more,
    and a value the schema lists must never be reported as breaking them."""
    vals = []
    for v in values:
        if isinstance(v, bool):
            s = "true" if v else "false"
        elif isinstance(v, (int, float, str)):
            s = str(v)
        else:
            return kind  # object/list enum values: not representable, drop enum
        if s not in vals:
            vals.append(s)
    node: dict[str, Any] = {"e": vals}
    if kind != "string":
        node["k"] = kind
    if ci:
        node["ci"] = True
    return node


def is_prim(shape: Any) -> bool:
    return isinstance(shape, str) and shape in PRIMITIVES + ("scalar",)


def base_kind(shape: Any) -> str | None:
    """Primitive kind of a primitive, constrained or enum shape, else None."""
    if isinstance(shape, str):
        return shape if shape in PRIMITIVES + ("scalar",) else None
    if isinstance(shape, dict) and node_kind(shape) == "scalar":
        return shape.get("k", "string")
    return None


def node_kind(shape: Any) -> str:
    """'prim', 'scalar' (enum or constrained primitive), 'object', 'list' or 'map'."""
    if isinstance(shape, str):
        return "prim"
    for key, kind in (("p", "object"), ("l", "list"), ("m", "map")):
        if key in shape:
            return kind
    if set(shape) <= set(SCALAR_KEYS):
        return "scalar"
    raise ValueError(f"bad shape {shape!r}")


def loosest(shapes: list[Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The constraints every alternative has, each at its loosest, so that the
    merged shape never rejects a value one alternative accepts."""
    out: dict[str, Any] = {}
    dicts = [s for s in shapes if isinstance(s, dict)]
    if len(dicts) < len(shapes):
        return out
    for key in keys:
        values = [s.get(key) for s in dicts]
        if any(v is None for v in values):
            continue
        if key == "pat":
            if len(set(values)) == 1:
                out[key] = values[0]
        else:
            out[key] = LOOSEST[key](values)
    return out


def merge_scalars(kinds: list[str], shapes: list[Any]) -> Any:
    ks = set(kinds)
    kind = kinds[0] if len(ks) == 1 else (
        "number" if ks <= {"integer", "number"} else "scalar")
    # an enum survives only if every branch is an enum
    if all(isinstance(s, dict) and "e" in s for s in shapes):
        vals: list[str] = []
        for s in shapes:
            for v in s["e"]:
                if v not in vals:
                    vals.append(v)
        return enum_node(kind, vals, any(s.get("ci") for s in shapes))
    out: dict[str, Any] = {} if kind == "string" else {"k": kind}
    out.update(loosest(shapes, ("lo", "hi", "xlo", "xhi", "minlen", "maxlen", "pat")))
    return out if len(out) > (0 if kind == "string" else 1) else kind


def merge_shapes(shapes: list[Any]) -> Any:
    """Merge alternative shapes (oneOf/anyOf branches, several patternProperties)."""
    uniq: list[Any] = []
    for s in shapes:
        if s not in uniq:
            uniq.append(s)
    if len(uniq) == 1:
        return uniq[0]
    if any(s == "json" for s in uniq):
        return "json"
    kinds = [base_kind(s) for s in uniq]
    if all(k is not None for k in kinds):
        return merge_scalars(kinds, uniq)  # type: ignore[arg-type]
    if all(isinstance(s, dict) for s in uniq):
        ts = {node_kind(s) for s in uniq}
        if ts == {"list"}:
            out = {"l": merge_shapes([s["l"] for s in uniq])}
            out.update(loosest(uniq, ("minitems", "maxitems")))
            return out
        if ts == {"map"}:
            return {"m": merge_shapes([s["m"] for s in uniq])}
        if ts == {"object"}:
            props: dict[str, list[Any]] = {}
            for s in uniq:
                for k, v in s["p"].items():
                    props.setdefault(k, []).append(v)
            req = set(uniq[0].get("r", []))
            for s in uniq[1:]:
                req &= set(s.get("r", []))
            merged: dict[str, Any] = {
                "p": {k: merge_shapes(v) for k, v in sorted(props.items())},
            }
            if req:
                merged["r"] = sorted(req)
            if any(s.get("o") for s in uniq):
                merged["o"] = True
            return merged
    return "json"


class Converter:
    def __init__(self, schema: dict, max_depth: int = MAX_DEPTH):
        self.schema = schema
        self.max_depth = max_depth
        self.stack: list[str] = []
        self.stats = {"recursion_cut": 0, "depth_cut": 0, "degraded": 0}

    def conv(self, node: Any, depth: int) -> Any:
        if not isinstance(node, dict):
            return "json"
        if depth > self.max_depth:
            self.stats["depth_cut"] += 1
            return "json"
        ref = node.get("$ref")
        if isinstance(ref, str):
            if self.stack.count(ref) >= MAX_REF_REENTRY:
                self.stats["recursion_cut"] += 1
                return "json"
            target = resolve_ref(self.schema, ref)
            if target is None:
                return "json"
            rest = {k: v for k, v in node.items() if k != "$ref"}
            merged = merge_raw(target, rest) if rest else target
            self.stack.append(ref)
            try:
                return self.conv(merged, depth)
            finally:
                self.stack.pop()

        if isinstance(node.get("allOf"), list):
            merged = {k: v for k, v in node.items() if k != "allOf"}
            for sub in node["allOf"]:
                if isinstance(sub, dict):
                    merged = merge_raw(merged, self.deref(sub))
            return self.conv(merged, depth)

        for comb in ("oneOf", "anyOf"):
            if isinstance(node.get(comb), list):
                base = {k: v for k, v in node.items() if k != comb}
                branches = [
                    merge_raw(base, self.deref(b))
                    for b in node[comb]
                    if isinstance(b, dict)
                ]
                if not branches:
                    return self.conv(base, depth)
                return merge_shapes([self.conv(b, depth) for b in branches])

        types = type_list(node)
        if not types:
            if "properties" in node or "patternProperties" in node:
                types = ["object"]
            elif "items" in node:
                types = ["array"]
            elif "enum" in node or "const" in node:
                vals = node.get("enum") or [node.get("const")]
                if all(isinstance(v, str) for v in vals):
                    types = ["string"]
                elif all(isinstance(v, bool) for v in vals):
                    types = ["boolean"]
                elif all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
                    types = ["integer"]
                else:
                    return "json"
            else:
                return "json"
        if len(types) > 1:
            self.stats["degraded"] += 1
            if all(t in PRIMITIVES for t in types):
                kind = "number" if set(types) <= {"integer", "number"} else "scalar"
                return scalar_node(kind, node)
            return "json"
        t = types[0]

        if t in PRIMITIVES:
            if isinstance(node.get("enum"), list) and node["enum"]:
                return enum_node(t, node["enum"], bool(node.get("enumCaseInsensitive")))
            if "const" in node:
                return enum_node(t, [node["const"]], False)
            return scalar_node(t, node)

        if t == "array":
            items = node.get("items")
            inner = self.conv(items, depth + 1) if isinstance(items, dict) else "json"
            return list_node(inner, node)

        if t == "object":
            props = node.get("properties")
            addl = node.get("additionalProperties", True)
            pattern = node.get("patternProperties")
            if isinstance(props, dict) and props:
                out: dict[str, Any] = {
                    "p": {
                        k: self.conv(v, depth + 1) for k, v in sorted(props.items())
                    },
                }
                req = [r for r in node.get("required", []) or [] if isinstance(r, str)]
                if req:
                    out["r"] = sorted(set(req))
                if addl is not False or pattern:
                    out["o"] = True
                return out
            if isinstance(pattern, dict) and pattern:
                return {
                    "m": merge_shapes(
                        [self.conv(v, depth + 1) for _, v in sorted(pattern.items())]
                    ),
                }
            if isinstance(addl, dict) and addl:
                return {"m": self.conv(addl, depth + 1)}
            if addl is False:
                return {"p": {}}
            return "json"

        return "json"

    def deref(self, node: dict) -> dict:
        """Resolve a top-level $ref of a combinator branch (one level)."""
        ref = node.get("$ref")
        if isinstance(ref, str) and ref not in self.stack:
            target = resolve_ref(self.schema, ref)
            if target is not None:
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return merge_raw(target, rest) if rest else target
        return node


# --------------------------------------------------------------------------
# attributes
# --------------------------------------------------------------------------


def pointer_to_dotted(p: str) -> str | None:
    parts = p.split("/")
    if len(parts) < 3 or parts[0] != "" or parts[1] != "properties":
        return None
    return ".".join(parts[2:])


def all_property_attrs(schema: dict) -> list[str]:
    """Mirror of cfn-lint GetAtts._process_schema for `_all_property_types`:
    every leaf property path (objects descended, arrays of scalars kept,
    arrays of objects/arrays skipped)."""
    out: list[str] = []

    def walk(obj: dict, path: list[str], seen: tuple[str, ...]) -> None:
        ts = obj.get("type")
        ts = ts if isinstance(ts, list) else [ts]
        if "object" in ts:
            for name, v in (obj.get("properties") or {}).items():
                if isinstance(v, dict):
                    walk(v, path + [name], seen)
        elif "array" in ts:
            items = obj.get("items") or {}
            if isinstance(items, dict) and items.get("type") in ("object", "array"):
                return
            out.append(".".join(path))
        elif isinstance(obj.get("$ref"), str):
            ref = obj["$ref"]
            target = resolve_ref(schema, ref)
            if target is None or ref in seen:
                out.append(".".join(path))
                return
            walk(target, path, seen + (ref,))
        else:
            out.append(".".join(path))

    for name, v in (schema.get("properties") or {}).items():
        if isinstance(v, dict):
            walk(v, [name], ())
    return out


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def stored_size(props: dict) -> int:
    """Bytes `props` takes in the digest, where each pattern is a table index."""
    text = json.dumps(props, separators=(",", ":"))
    return len(PATTERN_VALUE_RE.sub('"pat":0', text))


def convert_type(
    type_name: str,
    schema: dict,
    all_props_types: set[str],
    exceptions: dict[str, list[str]],
    stats: dict[str, int],
) -> dict:
    # The resource's own properties, viewed as one closed object so that
    # top-level allOf/oneOf/anyOf (mostly extra `required` lists) are merged
    # exactly like nested ones.
    top_raw: dict[str, Any] = {
        "type": "object",
        "properties": schema.get("properties") or {},
        "additionalProperties": False,
    }
    for k in ("required", "allOf", "oneOf", "anyOf"):
        if k in schema:
            top_raw[k] = schema[k]
    max_depth = MAX_DEPTH
    while True:
        conv = Converter(schema, max_depth)
        top = conv.conv(top_raw, 0)
        if not isinstance(top, dict) or "p" not in top:
            sys.exit(f"refresh.py: {type_name}: top level is not an object: {top!r}")
        props = top["p"]
        size = stored_size(props)
        if size <= TYPE_BUDGET or max_depth <= MIN_DEPTH:
            break
        max_depth -= 1
    for k, v in conv.stats.items():
        stats[k] = stats.get(k, 0) + v
    out: dict[str, Any] = {"p": props}
    if max_depth < MAX_DEPTH:
        out["depth"] = max_depth
        print(
            f"note: {type_name}: depth limited to {max_depth} ({size} bytes)",
            file=sys.stderr,
        )

    if top.get("r"):
        out["r"] = top["r"]

    ro = [
        d
        for d in (pointer_to_dotted(p) for p in schema.get("readOnlyProperties") or [])
        if d
    ]
    ro = list(dict.fromkeys(ro))

    # Fn::GetAtt names: cfn-lint's GetAtts logic.
    if type_name in all_props_types:
        attrs = all_property_attrs(schema)
    else:
        attrs = [a for a in ro if "*" not in a.split(".")]
        attrs += exceptions.get(type_name, [])
    attrs = sorted(set(attrs))
    if attrs:
        out["attrs"] = attrs
    if ro:
        out["ro"] = sorted(ro)

    co = [
        d
        for d in (pointer_to_dotted(p) for p in schema.get("createOnlyProperties") or [])
        if d
    ]
    if co:
        out["create_only"] = sorted(set(co))
    name = physical_name_property(schema, props, ro)
    if name:
        out["name"] = name
    return out


def is_string_shape(shape: Any) -> bool:
    """Whether a converted shape is a string, constrained or not (not an enum)."""
    if shape == "string":
        return True
    return (
        isinstance(shape, dict)
        and shape.get("k", "string") == "string"
        and not {"p", "l", "m", "e"} & set(shape)
    )


def physical_name_property(schema: dict, props: dict, read_only: list[str]) -> str | None:
    """The property that holds the resource's physical name, which the template
    may set: the schema's `primaryIdentifier` when it is one top-level string
    property that is not read-only (`BucketName`, `RoleName`, `AliasName`).
    Two stacks that set it to the same text create the same resource, and the
    second fails. A read-only identifier (an ARN, an id) is always generated."""
    identifier = schema.get("primaryIdentifier") or []
    if len(identifier) != 1:
        return None
    name = pointer_to_dotted(identifier[0])
    if not name or "." in name or name in read_only or not is_string_shape(props.get(name)):
        return None
    return name


def read_stateful(pkg: Path) -> dict[str, dict]:
    """cfn-lint's list of the resource types that hold data (its rule for
    `DeletionPolicy`/`UpdateReplacePolicy` on stateful resources reads the same
    file): type name -> its facts (`DeleteRequiresEmptyResource`), plus
    EXTRA_STATEFUL."""
    src = pkg / "data" / "AdditionalSpecs" / "StatefulResources.json"
    if not src.exists():
        sys.exit(f"refresh.py: {src} not found")
    listed = json.loads(src.read_text(encoding="utf-8")).get("ResourceTypes", {})
    for name in EXTRA_STATEFUL:
        listed.setdefault(name, {})
    return listed


def provider_regions(providers_dir: Path) -> list[str]:
    """Every region cfn-lint has a provider file for, sorted (not `sam`, the SAM
    transform's types)."""
    return sorted(f.stem for f in providers_dir.glob("*.json") if f.stem != "sam")


def region_bits(regions: list[str], present: list[str]) -> str:
    """Availability as hexadecimal: bit i set when the type exists in regions[i]."""
    bits = sum(1 << i for i, r in enumerate(regions) if r in present)
    return format(bits, "x")


def intern_patterns(types: dict[str, Any]) -> list[str]:
    """Replace every `pat` string by its index in the returned sorted table: a
    pattern is stored (and compiled by mdl) once however many shapes share it."""
    found: set[str] = set()

    def walk(shape: Any, visit) -> None:
        if not isinstance(shape, dict):
            return
        visit(shape)
        for key in ("l", "m"):
            if key in shape:
                walk(shape[key], visit)
        for sub in (shape.get("p") or {}).values():
            walk(sub, visit)

    def collect(shape: dict) -> None:
        if "pat" in shape:
            found.add(shape["pat"])

    for t in types.values():
        walk({"p": t["p"]}, collect)
    table = sorted(found)
    index = {p: i for i, p in enumerate(table)}

    def replace(shape: dict) -> None:
        if "pat" in shape:
            shape["pat"] = index[shape["pat"]]

    for t in types.values():
        walk({"p": t["p"]}, replace)
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    here = Path(__file__).resolve().parent
    ap.add_argument(
        "--out", default=str(here.parent.parent / "src" / "cfn" / "schemas" / "cloudformation.json")
    )
    ap.add_argument("--cfnlint-dir", default=None, help="path of the cfnlint package")
    ap.add_argument(
        "--regions",
        default="",
        help="comma separated (default: every region cfn-lint has a provider file for)",
    )
    args = ap.parse_args(argv)

    pkg = find_cfnlint_dir(args.cfnlint_dir)
    data = pkg / "data" / "schemas"
    providers_dir = data / "providers"
    resources_dir = data / "resources"
    if not (providers_dir / f"{PRIMARY_REGION}.json").exists():
        sys.exit(f"refresh.py: no provider schemas under {providers_dir}")

    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    regions = sorted(set(regions)) if regions else provider_regions(providers_dir)
    region_maps: dict[str, dict[str, str]] = {}
    for r in regions:
        f = providers_dir / f"{r}.json"
        if not f.exists():
            sys.exit(f"refresh.py: no provider file for region {r}: {f}")
        region_maps[r] = json.loads(f.read_text(encoding="utf-8"))

    schema_date = ""
    vf = data / "version.json"
    if vf.exists():
        schema_date = json.loads(vf.read_text(encoding="utf-8")).get("schema_date", "")

    all_props_types, exceptions = read_getatt_tables(pkg)
    all_props_set = set(all_props_types)
    stateful = read_stateful(pkg)

    # The primary region's schema wins when a type has several (none does
    # today: every region names the same schema file for a type).
    order = sorted(regions, key=lambda r: (r != PRIMARY_REGION, r))
    names = sorted({n for m in region_maps.values() for n in m})
    types: dict[str, Any] = {}
    stats: dict[str, int] = {}
    for name in names:
        if not TYPE_NAME_RE.match(name):
            print(f"warning: skipping odd type name {name!r}", file=sys.stderr)
            continue
        present = [r for r in order if name in region_maps[r]]
        hashes = {region_maps[r][name] for r in present}
        if len(hashes) > 1:
            print(
                f"note: {name} has different schemas per region; "
                f"using {present[0]}'s",
                file=sys.stderr,
            )
        h = region_maps[present[0]][name]
        schema = json.loads((resources_dir / f"{h}.json").read_text(encoding="utf-8"))
        entry = convert_type(name, schema, all_props_set, exceptions, stats)
        entry["in"] = region_bits(regions, present)
        if name in stateful:
            entry["stateful"] = True
            if stateful[name].get("DeleteRequiresEmptyResource"):
                entry["delete_requires_empty"] = True
        types[name] = entry
    for name in sorted(set(stateful) - set(types)):
        print(f"warning: stateful type {name} is in no region", file=sys.stderr)
    patterns = intern_patterns(types)

    doc = {
        "format": FORMAT,
        "source": {
            "package": "cfn-lint",
            "version": cfnlint_version(),
            "schema_date": schema_date,
            "path": "cfnlint/data/{schemas/providers/<region>.json,schemas/resources/<hash>.json,"
            "AdditionalSpecs/StatefulResources.json}",
        },
        "regions": regions,
        "patterns": patterns,
        "types": types,
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    print(
        f"wrote {out}: {len(types)} types, {len(regions)} regions, {len(patterns)} patterns, "
        f"{len(text) + 1} bytes "
        f"(cfn-lint {doc['source']['version']}, schemas {schema_date}); "
        f"recursion cuts {stats.get('recursion_cut', 0)}, "
        f"depth cuts {stats.get('depth_cut', 0)}, "
        f"degraded type unions {stats.get('degraded', 0)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
