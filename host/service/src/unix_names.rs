//! Unix user and group names as `[control]` names them: read from
//! `/etc/passwd` and `/etc/group` (local accounts; names that only a
//! directory service knows are not resolved, give their numeric ids).

use std::path::Path;

const PASSWD: &str = "/etc/passwd";
const GROUP: &str = "/etc/group";

/// The name of user `uid`, if the local account database has it.
pub fn user_name(uid: u32) -> Option<String> {
    entries(Path::new(PASSWD))
        .into_iter()
        .find(|e| e.id == uid)
        .map(|e| e.name)
}

/// Whether `name` (a user name or a numeric uid) is user `uid`.
pub fn user_matches(name: &str, uid: u32) -> bool {
    matches(name, uid, Path::new(PASSWD))
}

/// Whether `name` (a group name or a numeric gid) is group `gid`.
pub fn group_matches(name: &str, gid: u32) -> bool {
    matches(name, gid, Path::new(GROUP))
}

/// The group id of `name` (a group name or a numeric gid).
pub fn group_id(name: &str) -> Option<u32> {
    if let Ok(id) = name.parse() {
        return Some(id);
    }
    entries(Path::new(GROUP))
        .into_iter()
        .find(|e| e.name == name)
        .map(|e| e.id)
}

fn matches(name: &str, id: u32, database: &Path) -> bool {
    match name.parse::<u32>() {
        Ok(n) => n == id,
        Err(_) => entries(database)
            .iter()
            .any(|e| e.id == id && e.name == name),
    }
}

struct Entry {
    name: String,
    id: u32,
}

/// `name:password:id:…` lines; comments and malformed lines skipped.
fn entries(database: &Path) -> Vec<Entry> {
    parse(&std::fs::read_to_string(database).unwrap_or_default())
}

fn parse(text: &str) -> Vec<Entry> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let id = fields.nth(1)?.parse().ok()?;
            Some(Entry {
                name: name.to_string(),
                id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_and_ids_and_skips_what_is_not_an_entry() {
        let parsed = parse(
            "# local\nroot:x:0:0:root:/root:/bin/sh\nbroken\nnobody:x:65534:65534::/:/usr/sbin/nologin\n",
        );
        let pairs: Vec<_> = parsed.iter().map(|e| (e.name.as_str(), e.id)).collect();
        assert_eq!(pairs, [("root", 0), ("nobody", 65534)]);
    }

    #[test]
    fn root_is_named_and_numbers_match_themselves() {
        assert_eq!(user_name(0).as_deref(), Some("root"));
        assert!(user_matches("root", 0));
        assert!(user_matches("0", 0));
        assert!(!user_matches("root", 1));
        assert!(group_matches("root", 0));
        assert_eq!(group_id("root"), Some(0));
    }
}
