//! TOML: flattening with `toml_edit` (document order kept) and rewriting the
//! operator's document in place, so their comments, spacing and key order
//! survive the merge. Only the keys named by an edit change.

use std::collections::BTreeSet;

use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Key, Table, TableLike};

use super::{Edit, Flat, FormatError, KeyPath, Rewritten, Value, added_keys};

pub fn flatten(text: &str) -> Result<Flat, FormatError> {
    let doc = parse(text)?;
    let mut flat = Flat::default();
    flatten_table(doc.as_table(), &mut Vec::new(), &mut flat);
    Ok(flat)
}

fn parse(text: &str) -> Result<DocumentMut, FormatError> {
    text.parse::<DocumentMut>()
        .map_err(|e| FormatError(e.to_string().trim_end().to_string()))
}

fn flatten_table(table: &dyn TableLike, path: &mut Vec<String>, flat: &mut Flat) {
    for (key, item) in table.iter() {
        path.push(key.to_string());
        match item {
            Item::Table(t) => flatten_table(t, path, flat),
            Item::Value(toml_edit::Value::InlineTable(t)) => flatten_table(t, path, flat),
            Item::Value(v) => flat.insert(KeyPath(path.clone()), Value::Toml(plain_value(v))),
            Item::ArrayOfTables(array) => flat.insert(
                KeyPath(path.clone()),
                Value::Toml(toml::Value::Array(
                    array
                        .iter()
                        .map(|t| toml::Value::Table(plain_table(t)))
                        .collect(),
                )),
            ),
            Item::None => {}
        }
        path.pop();
    }
}

/// The value without formatting, for comparison and one-line display.
fn plain_value(value: &toml_edit::Value) -> toml::Value {
    match value {
        toml_edit::Value::String(s) => toml::Value::String(s.value().clone()),
        toml_edit::Value::Integer(i) => toml::Value::Integer(*i.value()),
        toml_edit::Value::Float(f) => toml::Value::Float(*f.value()),
        toml_edit::Value::Boolean(b) => toml::Value::Boolean(*b.value()),
        toml_edit::Value::Datetime(d) => toml::Value::Datetime(*d.value()),
        toml_edit::Value::Array(a) => toml::Value::Array(a.iter().map(plain_value).collect()),
        toml_edit::Value::InlineTable(t) => toml::Value::Table(plain_table(t)),
    }
}

fn plain_table(table: &dyn TableLike) -> toml::Table {
    let mut out = toml::Table::new();
    for (key, item) in table.iter() {
        let value = match item {
            Item::Value(v) => plain_value(v),
            Item::Table(t) => toml::Value::Table(plain_table(t)),
            Item::ArrayOfTables(a) => toml::Value::Array(
                a.iter()
                    .map(|t| toml::Value::Table(plain_table(t)))
                    .collect(),
            ),
            Item::None => continue,
        };
        out.insert(key.to_string(), value);
    }
    out
}

pub fn rewrite(
    operator: &str,
    template: &str,
    edits: &[Edit],
    template_version: &str,
) -> Result<Rewritten, FormatError> {
    let mut doc = parse(operator)?;
    let template_doc = parse(template)?;
    let adds = added_keys(edits);
    let marker = unused_marker(operator);
    let mut commented: Vec<(String, String)> = Vec::new();
    let mut notes = Vec::new();

    for edit in edits {
        match edit {
            Edit::Set(key) => {
                let new = find(template_doc.as_table(), key.segments())
                    .ok_or_else(|| missing_in_template(key))?
                    .clone();
                set(&mut doc, key, new)?;
            }
            Edit::Add(key) => add(&mut doc, &template_doc, key, &adds)?,
            Edit::Remove(key) => {
                let sentinel = format!("{marker}{}", commented.len());
                match remove(&mut doc, key, &sentinel)? {
                    Removal::Marked(old) => commented.push((sentinel, old)),
                    Removal::Dropped(old) => notes.push(format!(
                        "dropped {key} = {old}: it sits where a comment cannot go"
                    )),
                    Removal::Absent => {}
                }
            }
        }
    }

    let mut text = doc.to_string();
    for (sentinel, old) in &commented {
        text = comment_out_line(&text, sentinel, old, template_version);
    }
    Ok(Rewritten { text, notes })
}

fn missing_in_template(key: &KeyPath) -> FormatError {
    FormatError(format!("the template has no key {key}"))
}

/// A string that appears nowhere in the operator's file, so the marker
/// left on a removed key's line cannot match anything of theirs.
fn unused_marker(text: &str) -> String {
    let mut marker = String::from("__steward_removed_");
    while text.contains(&marker) {
        marker.push('_');
    }
    marker
}

fn find<'a>(table: &'a dyn TableLike, path: &[String]) -> Option<&'a Item> {
    let (first, rest) = path.split_first()?;
    let item = table.get(first)?;
    if rest.is_empty() {
        Some(item)
    } else {
        find(item.as_table_like()?, rest)
    }
}

/// The item holding the table `path` names (the document root for an empty path).
fn container_mut<'a>(item: &'a mut Item, path: &[String]) -> Option<&'a mut Item> {
    match path.split_first() {
        None => Some(item),
        Some((first, rest)) => container_mut(item.as_table_like_mut()?.get_mut(first)?, rest),
    }
}

/// Replaces a value, keeping the operator's spacing and trailing comment.
fn set(doc: &mut DocumentMut, key: &KeyPath, new: Item) -> Result<(), FormatError> {
    let (last, parent_path) = key
        .segments()
        .split_last()
        .ok_or_else(|| FormatError("empty key".into()))?;
    let parent = container_mut(doc.as_item_mut(), parent_path)
        .ok_or_else(|| FormatError(format!("the config has no key {key}")))?;
    let inline_parent = parent.is_inline_table();
    let slot = parent
        .as_table_like_mut()
        .and_then(|t| t.get_mut(last))
        .ok_or_else(|| FormatError(format!("the config has no key {key}")))?;
    let mut new = fresh_copy(&new);
    if inline_parent {
        new.make_value();
    }
    if let (Item::Value(old), Item::Value(value)) = (&*slot, &mut new) {
        *value.decor_mut() = old.decor().clone();
    }
    *slot = new;
    Ok(())
}

/// Adds `key` from the template. Where whole tables are missing, the first
/// missing one is copied with its header comments, holding only the keys
/// being added, so one `Add` per key builds each new table once.
fn add(
    doc: &mut DocumentMut,
    template: &DocumentMut,
    key: &KeyPath,
    adds: &BTreeSet<KeyPath>,
) -> Result<(), FormatError> {
    let segments = key.segments();
    // How far the operator's document already goes along `key`.
    let mut depth = 0;
    let mut here: &dyn TableLike = doc.as_table();
    while let Some(item) = here.get(&segments[depth]) {
        depth += 1;
        if depth == segments.len() {
            // Already present: an earlier `Add` copied it with its table.
            return Ok(());
        }
        here = item.as_table_like().ok_or_else(|| {
            FormatError(format!(
                "cannot add {key}: {} is a value in the config, not a table",
                KeyPath(segments[..depth].to_vec())
            ))
        })?;
    }
    let prefix = KeyPath(segments[..=depth].to_vec());
    let (template_key, template_item) = find_key_value(template.as_table(), prefix.segments())
        .ok_or_else(|| missing_in_template(key))?;
    let mut copy = pruned_copy(template_item, &prefix, adds);
    let parent = container_mut(doc.as_item_mut(), &segments[..depth])
        .ok_or_else(|| FormatError(format!("cannot add {key}")))?;
    match parent {
        Item::Table(table) => {
            table.insert_formatted(template_key, copy);
        }
        Item::Value(toml_edit::Value::InlineTable(table)) => {
            copy.make_value();
            let value = copy
                .into_value()
                .map_err(|_| FormatError(format!("cannot add {key} inside an inline table")))?;
            table.insert(&segments[depth], value);
        }
        _ => return Err(FormatError(format!("cannot add {key}"))),
    }
    Ok(())
}

fn find_key_value<'a>(table: &'a dyn TableLike, path: &[String]) -> Option<(&'a Key, &'a Item)> {
    let (last, parents) = path.split_last()?;
    let mut here = table;
    for segment in parents {
        here = here.get(segment)?.as_table_like()?;
    }
    here.get_key_value(last)
}

/// A copy of a template item holding only the keys in `adds` (for a table),
/// with document positions cleared so it is laid out after the operator's
/// own tables rather than at the template's positions.
fn pruned_copy(item: &Item, path: &KeyPath, adds: &BTreeSet<KeyPath>) -> Item {
    copy_item(item, path, &|child| adds.iter().any(|a| a.is_under(child)))
}

/// A deep copy with document positions cleared.
fn fresh_copy(item: &Item) -> Item {
    copy_item(item, &KeyPath(Vec::new()), &|_| true)
}

/// Copies `item` (found at `path`), keeping the table entries `keep` accepts.
/// New `Table`s carry no document position, so toml_edit places them after
/// the table they follow in the operator's document.
fn copy_item(item: &Item, path: &KeyPath, keep: &dyn Fn(&KeyPath) -> bool) -> Item {
    let child_path = |name: &str| KeyPath([path.0.clone(), vec![name.to_string()]].concat());
    match item {
        Item::Table(table) => {
            let mut out = Table::new();
            *out.decor_mut() = table.decor().clone();
            out.set_implicit(table.is_implicit());
            out.set_dotted(table.is_dotted());
            for (name, child) in table.iter() {
                let child_path = child_path(name);
                if let (true, Some(key)) = (keep(&child_path), table.key(name)) {
                    out.insert_formatted(key, copy_item(child, &child_path, keep));
                }
            }
            Item::Table(out)
        }
        Item::Value(toml_edit::Value::InlineTable(table)) => {
            let mut out = InlineTable::new();
            *out.decor_mut() = table.decor().clone();
            for (name, child) in table.iter() {
                let child_path = child_path(name);
                if !keep(&child_path) {
                    continue;
                }
                let copy = copy_item(&Item::Value(child.clone()), &child_path, keep);
                if let (Some(key), Ok(value)) = (table.key(name), copy.into_value()) {
                    out.insert_formatted(key, value);
                }
            }
            Item::Value(toml_edit::Value::InlineTable(out))
        }
        Item::ArrayOfTables(array) => {
            let mut out = ArrayOfTables::new();
            for table in array.iter() {
                if let Item::Table(t) = fresh_copy(&Item::Table(table.clone())) {
                    out.push(t);
                }
            }
            Item::ArrayOfTables(out)
        }
        other => other.clone(),
    }
}

enum Removal {
    /// The value was replaced by the sentinel; the line becomes a comment.
    Marked(String),
    /// It could not be commented out in place (inline table, array of
    /// tables) and was taken out.
    Dropped(String),
    Absent,
}

fn remove(doc: &mut DocumentMut, key: &KeyPath, sentinel: &str) -> Result<Removal, FormatError> {
    let Some((last, parent_path)) = key.segments().split_last() else {
        return Ok(Removal::Absent);
    };
    let Some(parent) = container_mut(doc.as_item_mut(), parent_path) else {
        return Ok(Removal::Absent);
    };
    let inline_parent = parent.is_inline_table();
    let Some(table) = parent.as_table_like_mut() else {
        return Ok(Removal::Absent);
    };
    let Some(item) = table.get_mut(last) else {
        return Ok(Removal::Absent);
    };
    match item {
        Item::Value(old) if !inline_parent => {
            let shown = plain_value(old).to_string();
            let mut marker = toml_edit::Value::from(sentinel);
            *marker.decor_mut() = old.decor().clone();
            *item = Item::Value(marker);
            Ok(Removal::Marked(shown))
        }
        _ => {
            let shown = match &*item {
                Item::Value(v) => plain_value(v).to_string(),
                Item::ArrayOfTables(a) => toml::Value::Array(
                    a.iter()
                        .map(|t| toml::Value::Table(plain_table(t)))
                        .collect(),
                )
                .to_string(),
                Item::Table(t) => toml::Value::Table(plain_table(t)).to_string(),
                Item::None => String::new(),
            };
            if let Some(inline) = parent.as_inline_table_mut() {
                remove_from_inline(inline, last);
            } else if let Some(table) = parent.as_table_like_mut() {
                table.remove(last);
            }
            Ok(Removal::Dropped(shown))
        }
    }
}

/// Takes `name` out of an inline table; when it was the last entry, the
/// entry before it inherits its spacing, so `{ x = 1, y = 2 }` becomes `{ x = 1 }`.
fn remove_from_inline(table: &mut InlineTable, name: &str) {
    let was_last = table.iter().last().is_some_and(|(k, _)| k == name);
    let Some(removed) = table.remove(name) else {
        return;
    };
    if !was_last {
        return;
    }
    if let (Some((_, value)), Some(suffix)) = (table.iter_mut().last(), removed.decor().suffix()) {
        value.decor_mut().set_suffix(suffix.clone());
    }
}

/// Turns the line holding `sentinel` into
/// `# removed in template X: key = old`, keeping its indent and any trailing comment.
fn comment_out_line(text: &str, sentinel: &str, old: &str, version: &str) -> String {
    let quoted = format!("\"{sentinel}\"");
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.find(&quoted) {
            Some(at) => {
                let indent_len = line.len() - line.trim_start().len();
                let key = line[indent_len..at]
                    .trim_end()
                    .trim_end_matches('=')
                    .trim_end();
                let rest = &line[at + quoted.len()..];
                out.push_str(&line[..indent_len]);
                out.push_str(&format!(
                    "# removed in template {version}: {key} = {old}{rest}"
                ));
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(dotted: &str) -> KeyPath {
        KeyPath::from_dotted(dotted)
    }

    #[test]
    fn nested_tables_flatten_to_dotted_keys_and_arrays_stay_whole() {
        let flat = flatten(
            "a = 1\n[bot]\nprefix = \"!\"\nowners = [1, 2]\n[bot.limits]\nrate = 5\npoint = { x = 1 }\n",
        )
        .unwrap();
        let keys: Vec<String> = flat.entries().map(|(k, _)| k.to_string()).collect();
        assert_eq!(
            keys,
            [
                "a",
                "bot.prefix",
                "bot.owners",
                "bot.limits.rate",
                "bot.limits.point.x"
            ]
        );
        assert_eq!(flat.get(&key("bot.owners")).unwrap().render(), "[1, 2]");
    }

    #[test]
    fn unparsable_toml_says_where() {
        let err = flatten("[bot\nprefix = 1\n").unwrap_err();
        assert!(err.0.contains("line 1"), "{err}");
    }

    #[test]
    fn set_keeps_the_trailing_comment_of_the_line() {
        let out = rewrite(
            "[bot]\nprefix = \"!\"   # what users type\n",
            "[bot]\nprefix = \"?\"\n",
            &[Edit::Set(key("bot.prefix"))],
            "2.0.0",
        )
        .unwrap();
        assert_eq!(out.text, "[bot]\nprefix = \"?\"   # what users type\n");
    }

    #[test]
    fn added_table_brings_its_header_comment_and_only_added_keys() {
        let out = rewrite(
            "[bot]\nprefix = \"!\"\n",
            "[bot]\nprefix = \"!\"\n\n# Prometheus metrics\n[metrics]\n# port to listen on\nport = 9100\nenabled = false\n",
            &[Edit::Add(key("metrics.port"))],
            "2.0.0",
        )
        .unwrap();
        assert_eq!(
            out.text,
            "[bot]\nprefix = \"!\"\n\n# Prometheus metrics\n[metrics]\n# port to listen on\nport = 9100\n"
        );
    }

    #[test]
    fn removed_key_inside_an_inline_table_is_dropped_with_a_note() {
        let out = rewrite(
            "point = { x = 1, y = 2 }\n",
            "point = { x = 1 }\n",
            &[Edit::Remove(key("point.y"))],
            "2.0.0",
        )
        .unwrap();
        assert_eq!(out.text, "point = { x = 1 }\n");
        assert_eq!(out.notes.len(), 1, "{:?}", out.notes);
        assert!(out.notes[0].contains("point.y = 2"));
    }

    #[test]
    fn dotted_keys_arrays_of_tables_and_new_subtables_merge_in_place() {
        let operator = "v = \"1\"\nbot.prefix = \"?\"\nbot.legacy = true\n\n[[plugins]]\nname = \"a\"\n\n[db]\nurl = \"x\"\n";
        let template = "v = \"2\"\nroot_new = 5\n[bot]\nprefix = \"!\"\n# shards!\nshards = 2\n\n[[plugins]]\nname = \"b\"\n[[plugins]]\nname = \"c\"\n\n[db]\nurl = \"x\"\n[db.pool]\nsize = 3\n";
        let out = rewrite(
            operator,
            template,
            &[
                Edit::Set(key("v")),
                Edit::Add(key("root_new")),
                Edit::Add(key("bot.shards")),
                Edit::Remove(key("bot.legacy")),
                Edit::Set(key("plugins")),
                Edit::Add(key("db.pool.size")),
            ],
            "2",
        )
        .unwrap();
        assert_eq!(
            out.text,
            "v = \"2\"\nbot.prefix = \"?\"\n# removed in template 2: bot.legacy = true\n# shards!\nbot.shards = 2\nroot_new = 5\n\n[[plugins]]\nname = \"b\"\n[[plugins]]\nname = \"c\"\n\n[db]\nurl = \"x\"\n[db.pool]\nsize = 3\n"
        );
        assert!(flatten(&out.text).is_ok());
    }
}
