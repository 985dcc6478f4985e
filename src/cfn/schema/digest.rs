//! The embedded resource-schema digest, and its decoding.
//!
//! The types and patterns of `schemas/cloudformation.json` (format in
//! `schemas/README.md`) are embedded as JSON text, laid out and indexed by
//! `build.rs`: the byte range of each type's schema and of each pattern, and
//! each type's regions and stateful flags. Finding a type is
//! a binary search over that static index; only a type a spec uses is decoded
//! from JSON, once per process. Nothing is read at start-up.

use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Number;

/// The types' and patterns' JSON from `schemas/cloudformation.json`, one after
/// the other, as `build.rs` laid them out and indexed them.
const DIGEST: &str = include_str!(concat!(env!("OUT_DIR"), "/schema_text.json"));

/// One type of the build-time index.
pub(super) struct TypeEntry {
    pub(super) name: &'static str,
    start: u32,
    end: u32,
    /// Bit `i` set when the type is offered in `REGIONS[i]`.
    pub(super) regions: u64,
    pub(super) stateful: bool,
    pub(super) delete_requires_empty: bool,
}

include!(concat!(env!("OUT_DIR"), "/schema_index.rs"));

/// The index entry of `type_name`.
pub(super) fn entry(type_name: &str) -> Option<(usize, &'static TypeEntry)> {
    let at = TYPES.binary_search_by(|t| t.name.cmp(type_name)).ok()?;
    Some((at, &TYPES[at]))
}

/// Every type name, sorted.
pub(super) fn type_names() -> impl Iterator<Item = &'static str> {
    TYPES.iter().map(|t| t.name)
}

/// The schema of `type_name`, decoded on first use. Its names borrow from
/// the embedded text, so decoding allocates little beyond the shapes.
pub fn resource_type(type_name: &str) -> Option<&'static ResourceType<'static>> {
    static DECODED: [OnceLock<Option<Box<ResourceType<'static>>>>; TYPE_COUNT] =
        [const { OnceLock::new() }; TYPE_COUNT];
    let (at, entry) = entry(type_name)?;
    DECODED[at].get_or_init(|| decode(entry).map(Box::new)).as_deref()
}

fn decode(entry: &TypeEntry) -> Option<ResourceType<'static>> {
    let text: &'static str = DIGEST.get(entry.start as usize..entry.end as usize)?;
    // Every type decodes (a unit test decodes them all), so `None` here would
    // mean a digest this build did not index.
    serde_json::from_str(text).ok()
}

/// The ECMA-262 source of pattern `index`.
pub(super) fn pattern(index: usize) -> Option<String> {
    let (start, end) = PATTERNS.get(index)?;
    serde_json::from_str(DIGEST.get(*start as usize..*end as usize)?).ok()
}

/// One resource type's schema; `'d` is the digest's text it borrows from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceType<'d> {
    /// Properties and their shapes.
    #[serde(rename = "p", borrow)]
    pub properties: Properties<'d>,
    /// Required property names.
    #[serde(rename = "r", default, borrow)]
    pub required: Vec<&'d str>,
    /// Valid `Fn::GetAtt` names.
    #[serde(default, borrow)]
    pub attrs: Vec<&'d str>,
    /// Read-only properties, as dotted paths.
    #[serde(rename = "ro", default, borrow)]
    pub read_only: Vec<&'d str>,
    /// Properties whose change replaces the resource, as dotted paths (`*` for
    /// every element of a list).
    #[serde(default, borrow)]
    pub create_only: Vec<&'d str>,
    /// The property that holds the resource's physical name, when the
    /// template may set it (the schema's single, writable primary identifier).
    #[serde(default, borrow)]
    pub name: Option<&'d str>,
    /// The nesting depth below which shapes were cut to [`Shape::Any`].
    #[serde(default)]
    pub depth: Option<u32>,
    // Also in the index; kept here so that unknown fields stay an error.
    #[serde(rename = "in")]
    _regions: &'d str,
    #[serde(rename = "stateful", default)]
    _stateful: bool,
    #[serde(rename = "delete_requires_empty", default)]
    _delete_requires_empty: bool,
}

/// Named shapes, sorted by name (the digest writes them so).
#[derive(Debug, Default)]
pub struct Properties<'d>(Vec<(&'d str, Shape<'d>)>);

impl<'d> Properties<'d> {
    /// The shape of property `name`.
    pub fn get(&self, name: &str) -> Option<&Shape<'d>> {
        let at = self.0.binary_search_by(|(n, _)| (*n).cmp(name)).ok()?;
        Some(&self.0[at].1)
    }

    /// Every property name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &'d str> + '_ {
        self.0.iter().map(|(name, _)| *name)
    }
}

/// The shape of a property value. Boxed parts keep it two words: a decoded
/// type holds thousands, most of them bare kinds.
#[derive(Debug)]
pub enum Shape<'d> {
    /// Anything: not checked.
    Any,
    /// A string, number or bool, unconstrained.
    Kind(Kind),
    /// A string, number or bool, and what the schema constrains about it.
    Scalar(Box<Scalar>),
    /// A record with known properties.
    Object(Box<Object<'d>>),
    /// A list.
    List(Box<List<'d>>),
    /// A record with any keys, each value of the inner shape.
    Map(Box<Shape<'d>>),
}

/// The primitive kind of a scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    /// Any of the four (the schema gave a union of them).
    Scalar,
}

/// A scalar shape with its constraints.
#[derive(Debug)]
pub struct Scalar {
    /// What kind of value.
    pub kind: Kind,
    /// The allowed values, as text (`1`, `true`), when the schema lists them.
    pub allowed: Option<Vec<String>>,
    /// Whether `allowed` compares ignoring case.
    pub case_insensitive: bool,
    /// The numeric range.
    pub range: NumberRange,
    /// The string length, in characters.
    pub length: CountRange,
    /// Index of the string's pattern in the digest's table.
    pub pattern: Option<usize>,
}

/// A record shape.
#[derive(Debug)]
pub struct Object<'d> {
    /// Known properties.
    pub properties: Properties<'d>,
    /// Required property names.
    pub required: Vec<&'d str>,
    /// Whether names outside `properties` are allowed.
    pub open: bool,
}

/// A list shape.
#[derive(Debug)]
pub struct List<'d> {
    /// The shape of every item.
    pub items: Shape<'d>,
    /// How many items.
    pub count: CountRange,
}

/// A numeric range; each end may be exclusive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumberRange {
    /// The lowest value and whether it is itself excluded.
    pub min: Option<(Number, bool)>,
    /// The highest value and whether it is itself excluded.
    pub max: Option<(Number, bool)>,
}

/// An inclusive range of counts (characters, items).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountRange {
    /// The least.
    pub min: Option<u64>,
    /// The most.
    pub max: Option<u64>,
}

impl CountRange {
    /// Whether `count` is inside the range.
    pub fn contains(&self, count: u64) -> bool {
        self.min.map_or(true, |min| count >= min) && self.max.map_or(true, |max| count <= max)
    }
}

/// Every key a shape object may have (format 3, `schemas/README.md`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode<'d> {
    #[serde(borrow)]
    p: Option<Properties<'d>>,
    #[serde(default, borrow)]
    r: Vec<&'d str>,
    #[serde(default)]
    o: bool,
    #[serde(borrow)]
    l: Option<Shape<'d>>,
    #[serde(borrow)]
    m: Option<Shape<'d>>,
    e: Option<Vec<String>>,
    k: Option<Kind>,
    #[serde(default)]
    ci: bool,
    lo: Option<Number>,
    hi: Option<Number>,
    xlo: Option<Number>,
    xhi: Option<Number>,
    minlen: Option<u64>,
    maxlen: Option<u64>,
    pat: Option<usize>,
    minitems: Option<u64>,
    maxitems: Option<u64>,
}

impl<'d> From<RawNode<'d>> for Shape<'d> {
    fn from(raw: RawNode<'d>) -> Shape<'d> {
        if let Some(properties) = raw.p {
            return Shape::Object(Box::new(Object { properties, required: raw.r, open: raw.o }));
        }
        if let Some(items) = raw.l {
            let count = CountRange { min: raw.minitems, max: raw.maxitems };
            return Shape::List(Box::new(List { items, count }));
        }
        if let Some(values) = raw.m {
            return Shape::Map(Box::new(values));
        }
        let bound = |inclusive: Option<Number>, exclusive: Option<Number>| {
            inclusive.map(|n| (n, false)).or(exclusive.map(|n| (n, true)))
        };
        Shape::Scalar(Box::new(Scalar {
            kind: raw.k.unwrap_or(Kind::String),
            allowed: raw.e,
            case_insensitive: raw.ci,
            range: NumberRange { min: bound(raw.lo, raw.xlo), max: bound(raw.hi, raw.xhi) },
            length: CountRange { min: raw.minlen, max: raw.maxlen },
            pattern: raw.pat,
        }))
    }
}

/// A shape is a bare kind (`"string"`, `"json"`) or an object; written by
/// hand because serde's untagged enums buffer every value first, which makes
/// decoding a large type several times slower.
impl<'de: 'd, 'd> Deserialize<'de> for Shape<'d> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shape<'d>, D::Error> {
        deserializer.deserialize_any(ShapeVisitor(PhantomData))
    }
}

struct ShapeVisitor<'d>(PhantomData<&'d ()>);

impl<'de: 'd, 'd> Visitor<'de> for ShapeVisitor<'d> {
    type Value = Shape<'d>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a shape: a kind name or an object")
    }

    fn visit_str<E: de::Error>(self, kind: &str) -> Result<Shape<'d>, E> {
        let kind = match kind {
            "json" => return Ok(Shape::Any),
            "string" => Kind::String,
            "integer" => Kind::Integer,
            "number" => Kind::Number,
            "boolean" => Kind::Boolean,
            "scalar" => Kind::Scalar,
            other => {
                return Err(E::unknown_variant(
                    other,
                    &["string", "integer", "number", "boolean", "scalar", "json"],
                ))
            }
        };
        Ok(Shape::Kind(kind))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Shape<'d>, A::Error> {
        RawNode::deserialize(de::value::MapAccessDeserializer::new(map)).map(Shape::from)
    }
}

impl<'de: 'd, 'd> Deserialize<'de> for Properties<'d> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Properties<'d>, D::Error> {
        deserializer.deserialize_map(PropertiesVisitor(PhantomData))
    }
}

struct PropertiesVisitor<'d>(PhantomData<&'d ()>);

impl<'de: 'd, 'd> Visitor<'de> for PropertiesVisitor<'d> {
    type Value = Properties<'d>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of property shapes")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Properties<'d>, A::Error> {
        let mut properties = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(entry) = map.next_entry::<&'de str, Shape<'d>>()? {
            properties.push(entry);
        }
        properties.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Ok(Properties(properties))
    }
}
