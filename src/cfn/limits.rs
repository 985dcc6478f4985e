//! CloudFormation's per-template limits, checked before anything is sent,
//! and the rules AWS names follow (stack names, logical ids, SSM names, where
//! a physical name must be unique).

use super::error::LowerError;
use super::template::Stack;
use crate::eval::LayerModel;

/// A template body larger than this must be uploaded to S3.
pub const INLINE_BODY_BYTES: usize = 51_200;
/// The largest template body CloudFormation takes at all (through S3).
pub const MAX_BODY_BYTES: usize = 1_000_000;
pub const MAX_RESOURCES: usize = 500;
pub const MAX_PARAMETERS: usize = 200;
pub const MAX_OUTPUTS: usize = 200;
pub const MAX_DYNAMIC_REFERENCES: usize = 60;

/// Report every limit the stack's template crosses, at the layer's declaration.
pub fn check(stack: &Stack, layer: &LayerModel, errors: &mut Vec<LowerError>) {
    let body = stack.deploy_body_size();
    let count = |key: &str| stack.template.get(key).and_then(|v| v.as_object()).map_or(0, |o| o.len());
    let over = [
        ("bytes of template body", body.bytes, MAX_BODY_BYTES),
        ("resources", count("Resources"), MAX_RESOURCES),
        ("parameters", count("Parameters"), MAX_PARAMETERS),
        ("outputs", count("Outputs"), MAX_OUTPUTS),
        ("dynamic references", body.dynamic_references, MAX_DYNAMIC_REFERENCES),
    ];
    for (what, count, limit) in over {
        if count > limit {
            errors.push(LowerError::OverLimit {
                span: layer.span,
                stack: stack.stack_name.clone(),
                what,
                count,
                limit,
            });
        }
    }
    if body.bytes > INLINE_BODY_BYTES && body.bytes <= MAX_BODY_BYTES {
        errors.push(LowerError::NeedsS3 {
            span: layer.span,
            stack: stack.stack_name.clone(),
            bytes: body.bytes,
        });
    }
}

/// A stack name: at most this many characters, `[a-zA-Z][-a-zA-Z0-9]*`.
pub const MAX_STACK_NAME: usize = 128;
/// A logical id: at most this many characters, ASCII letters and digits.
pub const MAX_LOGICAL_ID: usize = 255;
/// An SSM parameter's fully qualified name: at most this many characters.
pub const MAX_PARAMETER_NAME: usize = 1011;
/// An SSM parameter name: at most this many `/`-separated levels.
pub const MAX_PARAMETER_LEVELS: usize = 15;
/// SSM reserves names that start with these (case-insensitive, with or without a leading `/`).
pub const RESERVED_PARAMETER_PREFIXES: [&str; 2] = ["aws", "ssm"];

/// Why CloudFormation would refuse `name` as a stack name, if it would.
pub fn stack_name_problem(name: &str) -> Option<String> {
    if name.len() > MAX_STACK_NAME {
        return Some(format!("it has {} characters; a stack name has at most {MAX_STACK_NAME}", name.len()));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Some("a stack name starts with a letter".into());
    }
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        .map(|c| format!("`{c}` is not allowed: a stack name has only letters, digits and `-`"))
}

/// Why CloudFormation would refuse `id` as a logical id, if it would.
pub fn logical_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("it is empty: a logical id needs at least one letter or digit".into());
    }
    if id.len() > MAX_LOGICAL_ID {
        return Some(format!("it has {} characters; a logical id has at most {MAX_LOGICAL_ID}", id.len()));
    }
    id.chars()
        .find(|c| !c.is_ascii_alphanumeric())
        .map(|c| format!("`{c}` is not allowed: a logical id has only letters and digits"))
}

/// Why SSM would refuse `name` as a parameter name (or a prefix of names), if it would.
pub fn parameter_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.len() > MAX_PARAMETER_NAME {
        return Some(format!(
            "it has {} characters; an SSM parameter name has at most {MAX_PARAMETER_NAME}",
            name.len()
        ));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || "_.-/".contains(*c))) {
        let shown = if c == ' ' { "a space".to_string() } else { format!("`{c}`") };
        return Some(format!("{shown} is not allowed: SSM names have only letters, digits and `_ . - /`"));
    }
    let first = name.trim_start_matches('/').get(..3).unwrap_or_default().to_ascii_lowercase();
    if let Some(reserved) = RESERVED_PARAMETER_PREFIXES.iter().find(|p| first == **p) {
        return Some(format!("SSM reserves names that start with `{reserved}` (in any case)"));
    }
    if name.contains("//") {
        return Some("it has an empty level (`//`)".into());
    }
    let levels = name.matches('/').count();
    if levels > MAX_PARAMETER_LEVELS {
        return Some(format!("it has {levels} levels; SSM allows at most {MAX_PARAMETER_LEVELS}"));
    }
    None
}

#[cfg(test)]
mod name_tests {
    use super::*;

    #[test]
    fn stack_names() {
        assert_eq!(stack_name_problem("shop-dev-core"), None);
        assert!(stack_name_problem("-shop-dev").is_some());
        assert!(stack_name_problem("shop.dev").is_some());
        assert_eq!(stack_name_problem(&"a".repeat(128)), None);
        assert!(stack_name_problem(&"a".repeat(129)).unwrap_or_default().contains("129"));
    }

    #[test]
    fn logical_ids() {
        assert_eq!(logical_id_problem("DjangoService"), None);
        assert!(logical_id_problem("").is_some());
        assert!(logical_id_problem("A-B").is_some());
        assert_eq!(logical_id_problem(&"A".repeat(255)), None);
        assert!(logical_id_problem(&"A".repeat(256)).is_some());
    }

    #[test]
    fn parameter_names() {
        assert_eq!(parameter_name_problem("/megadolls/infra/vpc_id"), None);
        assert_eq!(parameter_name_problem("/a-b/c.d_e"), None);
        assert!(parameter_name_problem("/my app/x").unwrap_or_default().contains("a space"));
        assert!(parameter_name_problem("/AWS/x").unwrap_or_default().contains("`aws`"));
        assert!(parameter_name_problem("/Ssm-things").is_some());
        assert!(parameter_name_problem("awsome").is_some(), "the prefix is a prefix, not a level");
        assert!(parameter_name_problem("/a//b").is_some());
        assert_eq!(parameter_name_problem(&"/a".repeat(15)), None);
        assert!(parameter_name_problem(&"/a".repeat(16)).unwrap_or_default().contains("16 levels"));
        assert!(parameter_name_problem(&format!("/{}", "a".repeat(1011))).is_some());
    }
}

/// Where a resource's physical name must be unique: two resources of one
/// type with one name in the same scope are one resource, and the second
/// stack to create it fails with "already exists".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameScope {
    /// One region of one account: most types (clusters, repositories, KMS
    /// aliases, log groups, functions, tables, SSM parameters).
    Region,
    /// Every region of one account: IAM is a global service, so a role,
    /// user, group or instance profile name is taken in all regions at once.
    Account,
    /// Every account and region of the partition: S3 bucket names.
    Global,
}

/// The scope in which a `type_name` resource's physical name must be unique.
pub fn name_scope(type_name: &str) -> NameScope {
    if type_name == "AWS::S3::Bucket" {
        NameScope::Global
    } else if type_name.starts_with("AWS::IAM::") {
        NameScope::Account
    } else {
        NameScope::Region
    }
}
