//! CloudFormation's own resource schemas, and checking resources against them.
//!
//! Input: the resource-schema digest `schemas/cloudformation.json`, generated
//! by `tools/schemas/refresh.sh` from the schemas the pinned cfn-lint release
//! ships (format and provenance in `schemas/README.md`), and a layer's
//! resources. Output: lowering errors for what CloudFormation would reject —
//! an unknown type, a type the region does not offer, unknown or missing
//! properties, values of the wrong type, outside an enum, a range, a length,
//! a pattern or an item count — each at the spec line the value came from.
//!
//! This module is the one owner of what the schemas say: the deploy engine
//! asks [`resource_facts`] which types hold data and which properties replace
//! a resource when changed, and the check of names two environments share
//! asks it which property is a resource's physical name, rather than keeping
//! lists of their own.
//!
//! Invariants: nothing is decoded at start-up (the digest is indexed at build
//! time, see [`digest`]); a value known only at deploy time is never checked;
//! a check never rejects a value the schema accepts (where a constraint cannot
//! be read faithfully, such as a pattern with a look-ahead, it is skipped).

mod check;
mod digest;
mod pattern;
mod values;

pub use check::check_layer;
pub use digest::{
    resource_type, CountRange, Kind, List, NumberRange, Object, Properties, ResourceType, Scalar, Shape,
};

/// The regions the digest knows, by code (`af-south-1`): every region the
/// pinned cfn-lint has resource schemas for.
pub fn regions() -> &'static [&'static str] {
    &digest::REGIONS
}

/// Whether `type_name` is offered in `region`; `None` when the type or the
/// region is unknown to the digest.
pub fn available_in(type_name: &str, region: &str) -> Option<bool> {
    let (_, entry) = digest::entry(type_name)?;
    let bit = digest::REGIONS.iter().position(|r| *r == region)?;
    Some(entry.regions & (1 << bit) != 0)
}

/// The regions that offer `type_name` (none for an unknown type).
pub fn offered_in(type_name: &str) -> impl Iterator<Item = &'static str> {
    let bits = digest::entry(type_name).map_or(0, |(_, entry)| entry.regions);
    digest::REGIONS.iter().enumerate().filter(move |(i, _)| bits & (1 << i) != 0).map(|(_, region)| *region)
}

/// What the deploy engine and the name checks need to know about a resource type.
#[derive(Debug, Clone, Copy)]
pub struct ResourceFacts {
    stateful: bool,
    delete_requires_empty: bool,
    create_only: &'static [&'static str],
    physical_name: Option<&'static str>,
}

/// The facts of `type_name`, or `None` for a type CloudFormation does not have.
pub fn resource_facts(type_name: &str) -> Option<ResourceFacts> {
    let (_, entry) = digest::entry(type_name)?;
    let schema = resource_type(type_name)?;
    Some(ResourceFacts {
        stateful: entry.stateful,
        delete_requires_empty: entry.delete_requires_empty,
        create_only: &schema.create_only,
        physical_name: schema.name,
    })
}

impl ResourceFacts {
    /// Whether the resource holds data that deleting or replacing it loses
    /// (cfn-lint's list of stateful types: databases, buckets, file systems,
    /// keys, log groups, queues, secrets, user pools, ...).
    pub fn is_stateful(&self) -> bool {
        self.stateful
    }

    /// Whether CloudFormation can delete the resource only once it is empty
    /// (an S3 bucket with objects fails to delete).
    pub fn delete_requires_empty(&self) -> bool {
        self.delete_requires_empty
    }

    /// The properties that cannot change in place, as dotted paths
    /// (`Endpoint.Address`; `*` stands for every element of a list).
    pub fn create_only_properties(&self) -> &'static [&'static str] {
        self.create_only
    }

    /// The property that holds the resource's physical name, when the
    /// template may set it (`BucketName`, `RoleName`, `AliasName`): the
    /// schema's primary identifier when that is one writable string property.
    /// Two stacks in one scope that set it to the same text make the second
    /// fail with "already exists". `None` when the resource is identified by
    /// something AWS generates (an ARN, a URL, an id).
    pub fn physical_name_property(&self) -> Option<&'static str> {
        self.physical_name
    }

    /// Whether changing the property at `path` (dotted, list indexes as
    /// numbers: `Tags.0.Key`) replaces the resource: the path is a create-only
    /// property, lies inside one, or holds one (a changed record may change the
    /// create-only property inside it, so the answer errs towards replacement).
    pub fn change_replaces(&self, path: &str) -> bool {
        let changed: Vec<&str> = path.split('.').collect();
        self.create_only.iter().any(|create_only| {
            let fixed: Vec<&str> = create_only.split('.').collect();
            let shared = changed.len().min(fixed.len());
            (0..shared).all(|i| fixed[i] == "*" || fixed[i] == changed[i])
        })
    }
}

#[cfg(test)]
mod tests;
