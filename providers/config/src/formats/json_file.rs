//! JSON: an order-keeping tree, so the operator's key order survives, and a
//! rewrite that re-indents the way their file was indented. JSON has no
//! comments, so a removed key is dropped and the drop is reported as a note.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::{Edit, Flat, FormatError, KeyPath, Rewritten, Value, added_keys};

/// A JSON value whose objects keep their keys in file order.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Scalar(serde_json::Value),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The plain value, for comparison (object key order does not matter there).
    fn plain(&self) -> serde_json::Value {
        match self {
            Node::Scalar(v) => v.clone(),
            Node::Array(items) => serde_json::Value::Array(items.iter().map(Node::plain).collect()),
            Node::Object(fields) => serde_json::Value::Object(
                fields.iter().map(|(k, v)| (k.clone(), v.plain())).collect(),
            ),
        }
    }

    fn fields(&self) -> Option<&Vec<(String, Node)>> {
        match self {
            Node::Object(fields) => Some(fields),
            _ => None,
        }
    }

    fn fields_mut(&mut self) -> Option<&mut Vec<(String, Node)>> {
        match self {
            Node::Object(fields) => Some(fields),
            _ => None,
        }
    }

    fn get(&self, name: &str) -> Option<&Node> {
        self.fields()?
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Node> {
        self.fields_mut()?
            .iter_mut()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    fn find(&self, path: &[String]) -> Option<&Node> {
        path.iter()
            .try_fold(self, |node, segment| node.get(segment))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Scalar(serde_json::Value::Null))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.into()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(
            serde_json::Number::from_f64(v).map_or(serde_json::Value::Null, Into::into),
        ))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.into()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(v.into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields: Vec<(String, Node)> = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            // A repeated key: the last one wins, as in every JSON parser we target.
            match fields.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => fields.push((key, value)),
            }
        }
        Ok(Node::Object(fields))
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Scalar(v) => v.serialize(serializer),
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

fn parse(text: &str) -> Result<Node, FormatError> {
    let node: Node = serde_json::from_str(text).map_err(|e| FormatError(e.to_string()))?;
    match node {
        Node::Object(_) => Ok(node),
        _ => Err(FormatError(
            "the top level must be an object of settings".into(),
        )),
    }
}

pub fn flatten(text: &str) -> Result<Flat, FormatError> {
    let root = parse(text)?;
    let mut flat = Flat::default();
    flatten_node(&root, &mut Vec::new(), &mut flat);
    Ok(flat)
}

fn flatten_node(node: &Node, path: &mut Vec<String>, flat: &mut Flat) {
    match node {
        Node::Object(fields) => {
            for (key, value) in fields {
                path.push(key.clone());
                flatten_node(value, path, flat);
                path.pop();
            }
        }
        leaf => flat.insert(KeyPath(path.clone()), Value::Json(leaf.plain())),
    }
}

pub fn rewrite(operator: &str, template: &str, edits: &[Edit]) -> Result<Rewritten, FormatError> {
    let mut root = parse(operator)?;
    let template_root = parse(template)?;
    let adds = added_keys(edits);
    let mut notes = Vec::new();

    for edit in edits {
        match edit {
            Edit::Set(key) => {
                let new = template_root
                    .find(key.segments())
                    .ok_or_else(|| missing_in_template(key))?
                    .clone();
                let slot = find_mut(&mut root, key.segments())
                    .ok_or_else(|| FormatError(format!("the config has no key {key}")))?;
                *slot = new;
            }
            Edit::Add(key) => add(&mut root, &template_root, key, &adds)?,
            Edit::Remove(key) => {
                if let Some(old) = remove(&mut root, key.segments()) {
                    notes.push(format!(
                        "dropped {key} = {} (JSON has no comments to keep it in)",
                        old.plain()
                    ));
                }
            }
        }
    }

    Ok(Rewritten {
        text: render(&root, operator)?,
        notes,
    })
}

fn missing_in_template(key: &KeyPath) -> FormatError {
    FormatError(format!("the template has no key {key}"))
}

fn find_mut<'a>(node: &'a mut Node, path: &[String]) -> Option<&'a mut Node> {
    match path.split_first() {
        None => Some(node),
        Some((first, rest)) => find_mut(node.get_mut(first)?, rest),
    }
}

/// Adds `key` from the template, creating missing objects (with only the
/// added keys) right after the key that precedes them in the template.
fn add(
    root: &mut Node,
    template: &Node,
    key: &KeyPath,
    adds: &BTreeSet<KeyPath>,
) -> Result<(), FormatError> {
    let segments = key.segments();
    let mut here = root;
    for depth in 0..segments.len() {
        let name = &segments[depth];
        let parent_path = &segments[..depth];
        let fields = here.fields_mut().ok_or_else(|| {
            FormatError(format!(
                "cannot add {key}: {} is a value in the config, not an object",
                KeyPath(parent_path.to_vec())
            ))
        })?;
        match fields.iter().position(|(k, _)| k == name) {
            Some(i) => here = &mut fields[i].1,
            None => {
                let prefix = KeyPath(segments[..=depth].to_vec());
                let source = template
                    .find(prefix.segments())
                    .ok_or_else(|| missing_in_template(key))?;
                let copy = pruned_copy(source, &prefix, adds);
                let at = insert_position(fields, template.find(parent_path), name);
                fields.insert(at, (name.clone(), copy));
                return Ok(());
            }
        }
    }
    // Already present: an earlier `Add` copied it with its object.
    Ok(())
}

/// Just after the nearest key that comes before `name` in the template's
/// object and exists in the operator's; at the end when there is none.
fn insert_position(fields: &[(String, Node)], template_parent: Option<&Node>, name: &str) -> usize {
    let Some(template_fields) = template_parent.and_then(Node::fields) else {
        return fields.len();
    };
    let Some(me) = template_fields.iter().position(|(k, _)| k == name) else {
        return fields.len();
    };
    template_fields[..me]
        .iter()
        .rev()
        .find_map(|(before, _)| fields.iter().position(|(k, _)| k == before))
        .map_or(fields.len(), |i| i + 1)
}

fn pruned_copy(node: &Node, path: &KeyPath, adds: &BTreeSet<KeyPath>) -> Node {
    match node {
        Node::Object(fields) => Node::Object(
            fields
                .iter()
                .filter_map(|(name, child)| {
                    let child_path = KeyPath([path.0.clone(), vec![name.clone()]].concat());
                    adds.iter()
                        .any(|a| a.is_under(&child_path))
                        .then(|| (name.clone(), pruned_copy(child, &child_path, adds)))
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn remove(node: &mut Node, path: &[String]) -> Option<Node> {
    let (last, parents) = path.split_last()?;
    let fields = find_mut(node, parents)?.fields_mut()?;
    let i = fields.iter().position(|(k, _)| k == last)?;
    Some(fields.remove(i).1)
}

/// Pretty-prints with the operator's indent unit and final newline.
fn render(root: &Node, original: &str) -> Result<String, FormatError> {
    let indent = original
        .lines()
        .skip(1)
        .map(|line| &line[..line.len() - line.trim_start().len()])
        .find(|ws| !ws.is_empty())
        .unwrap_or("  ");
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    root.serialize(&mut serializer)
        .map_err(|e| FormatError(e.to_string()))?;
    let mut text = String::from_utf8(out).map_err(|e| FormatError(e.to_string()))?;
    if original.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(dotted: &str) -> KeyPath {
        KeyPath::from_dotted(dotted)
    }

    #[test]
    fn json_objects_flatten_in_file_order() {
        let flat = flatten(r#"{"z": 1, "bot": {"prefix": "!", "ids": [1, {"a": 2}]}, "a": null}"#)
            .unwrap();
        let keys: Vec<String> = flat.entries().map(|(k, _)| k.to_string()).collect();
        assert_eq!(keys, ["z", "bot.prefix", "bot.ids", "a"]);
    }

    #[test]
    fn a_json_array_at_the_top_is_refused() {
        let err = flatten("[1, 2]").unwrap_err();
        assert!(err.0.contains("top level"), "{err}");
    }

    #[test]
    fn json_rewrite_keeps_key_order_and_indent_and_places_new_keys_after_their_neighbour() {
        let operator = "{\n    \"zeta\": 1,\n    \"bot\": {\n        \"prefix\": \"!\"\n    }\n}\n";
        let template = "{\n  \"zeta\": 1,\n  \"bot\": {\n    \"prefix\": \"!\",\n    \"shards\": 2\n  },\n  \"alpha\": true\n}\n";
        let out = rewrite(
            operator,
            template,
            &[Edit::Add(key("bot.shards")), Edit::Add(key("alpha"))],
        )
        .unwrap();
        assert_eq!(
            out.text,
            "{\n    \"zeta\": 1,\n    \"bot\": {\n        \"prefix\": \"!\",\n        \"shards\": 2\n    },\n    \"alpha\": true\n}\n"
        );
    }
}
