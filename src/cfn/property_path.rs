//! Where a value sits in a resource: `Properties` keys as `A.B[0]`, a
//! resource attribute by name, `publish NAME` for a published value. The one
//! owner of that format, for lowering's diagnostics, the schema checks' and
//! the spans deploy plans point at.
//!
//! A path is a chain of borrowed steps on the stack, written out as text
//! only when something is reported or recorded: a layer of hundreds of
//! resources lowers and checks every value, and almost none is ever named.

use std::fmt;

/// A property path, built one step at a time as lowering descends.
#[derive(Debug, Clone, Copy)]
pub enum PropertyPath<'a> {
    /// The resource's `Properties` record itself (written as nothing).
    Root,
    /// A path that starts with this text (`DeletionPolicy`, `publish vpc_id`).
    Named(&'a str),
    /// A record's field.
    Field(&'a PropertyPath<'a>, &'a str),
    /// A list's item, by position.
    Item(&'a PropertyPath<'a>, usize),
}

impl<'a> PropertyPath<'a> {
    /// The path to `key` inside this record.
    pub fn field(&'a self, key: &'a str) -> PropertyPath<'a> {
        PropertyPath::Field(self, key)
    }

    /// The path to item `index` of this list.
    pub fn item(&'a self, index: usize) -> PropertyPath<'a> {
        PropertyPath::Item(self, index)
    }
}

impl fmt::Display for PropertyPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyPath::Root => Ok(()),
            PropertyPath::Named(text) => f.write_str(text),
            PropertyPath::Field(PropertyPath::Root, key) => f.write_str(key),
            PropertyPath::Field(parent, key) => write!(f, "{parent}.{key}"),
            PropertyPath::Item(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PropertyPath;

    #[test]
    fn written_as_dotted_keys_and_indexes() {
        let root = PropertyPath::Root;
        let rules = root.field("Rules");
        let first = rules.item(0);
        assert_eq!(first.field("Port").to_string(), "Rules[0].Port");
        assert_eq!(root.to_string(), "");
        let named = PropertyPath::Named("publish urls");
        assert_eq!(named.item(2).to_string(), "publish urls[2]");
        assert_eq!(named.field("Host").to_string(), "publish urls.Host");
    }
}
