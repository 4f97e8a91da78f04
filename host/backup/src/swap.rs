//! The restore's file swap inside its working directory
//! (`.steward-restore-*/` in the bot's root): a plan of what is at each
//! path, journaled before anything moves; then what is there goes into
//! `previous/` and the staged copy into place: a whole directory at once
//! where the live one holds nothing but what the restore replaces, file
//! by file everywhere else. A file whose live copy already matches the
//! backup was never staged: the swap leaves it in place, or, where its
//! directory moves whole, moves it into the staged directory first (one
//! journaled rename, put back by undo; one the bot wrote or removed once it
//! ran on the restored tree is written again from the snapshot, found by
//! its journaled fingerprint). Every move is one rename through directory
//! handles that never follow a link and never replace anything, so no file
//! can be lost between two moves. Undo and finish read where each file and
//! directory is, so they work the same inside the restore and at the next
//! start after a `kill -9`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use super::journal::{Journal, Phase, Planned, PlannedDir, Sidecar, Unchanged};
use super::manifest;
use super::problem::Problem;
use crate::dir_handle::{DirHandle, Entry, HandleError, Kind};

/// Where the archive is unpacked, inside the working directory.
pub const STAGING: &str = "staging";
/// The pre-restore copy: what each restored file replaced.
pub const PREVIOUS: &str = "previous";
/// What SQLite keeps beside a database.
pub const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// A file of the backup to put back.
pub struct ToRestore<'a> {
    /// Relative to the bot's root, `/`-separated.
    pub rel: &'a str,
    pub size: u64,
    pub sqlite: bool,
    /// The live file already holds what the backup has (its content blob
    /// by blob, size, mode and mtime): it is not staged, and the swap
    /// leaves it in place, or moves it into staging (never rewritten)
    /// when the directory it is in moves whole.
    pub in_place: bool,
}

pub use super::journal::Fingerprint;

/// The fingerprint of the regular file at `rel` below `base` (never
/// through a link); `None` when no regular file is there.
pub fn fingerprint_at(base: &DirHandle, rel: &str) -> Option<Fingerprint> {
    let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
    let dir = base.subdir(parent).ok()??;
    let file = dir.open_file_of(name).ok()??;
    file.metadata().ok().map(|m| Fingerprint::of(&m))
}

impl Fingerprint {
    /// Whether the file at `rel` below `root` is still the one this
    /// fingerprint was taken of (never following a link).
    pub fn still_at(&self, root: &DirHandle, rel: &str) -> bool {
        fingerprint_at(root, rel) == Some(*self)
    }
}

/// Why a plan cannot be made.
pub enum PlanError {
    /// Paths the swap would touch twice, or as a file and a directory.
    Conflicting(Vec<Problem>),
    /// A link, a directory or a special file where a file goes.
    InTheWay(HandleError),
}

impl From<HandleError> for PlanError {
    fn from(e: HandleError) -> Self {
        PlanError::InTheWay(e)
    }
}

/// Looks at every path the swap will touch (nothing of the bot's tree is
/// changed): refuses a path touched twice or both as a file and a
/// directory (whatever the manifest says), and a link or a non-file in the
/// way. The directories of `work`'s staging that can move whole are
/// planned as such (and given the mode and owner of the live directory
/// they replace); the files below them are not planned one by one.
pub fn plan(
    root: &DirHandle,
    work: &DirHandle,
    backup_id: &str,
    files: &[ToRestore],
) -> Result<Journal, PlanError> {
    let mut touched: Vec<String> = Vec::new();
    for f in files {
        touched.push(f.rel.to_string());
        if f.sqlite {
            touched.extend(SIDECARS.iter().map(|s| format!("{}{s}", f.rel)));
        }
    }
    let problems = manifest::path_findings(touched.iter().map(String::as_str));
    if !problems.is_empty() {
        return Err(PlanError::Conflicting(problems));
    }
    let mut survey = Survey {
        chosen: files.iter().map(|f| f.rel).collect(),
        in_place: files.iter().filter(|f| f.in_place).map(|f| f.rel).collect(),
        holding_db: files
            .iter()
            .filter(|f| f.sqlite)
            .flat_map(|f| ancestors(f.rel))
            .collect(),
        whole: Vec::new(),
        as_root: work.mode_and_owner()?.1 == 0,
        mount: root.mount()?,
    };
    let staging = staging(work)?;
    survey.dir(&staging, Some(root), "")?;
    let mut whole = survey.whole;
    for d in &whole {
        if let Some(staged) = staging.subdir(&d.rel)? {
            let live = if d.existed {
                root.subdir(&d.rel)?
            } else {
                None
            };
            settle(&staged, live.as_ref())?;
        }
    }
    whole.sort_by(|a, b| a.rel.cmp(&b.rel));
    let whole_at: HashMap<String, usize> = whole
        .iter()
        .enumerate()
        .map(|(i, d)| (d.rel.clone(), i))
        .collect();

    let mut planned = Vec::with_capacity(files.len());
    let mut created_dirs = Vec::new();
    let mut seen_dirs = BTreeSet::new();
    let mut dirs = Parents::new([root, root, root]);
    for d in &whole {
        if let Some((parent, _)) = d.rel.rsplit_once('/')
            && dirs.parent(ROOT, parent, false)?.is_none()
        {
            for dir in root.missing_dirs(parent)? {
                if seen_dirs.insert(dir.clone()) {
                    created_dirs.push(dir);
                }
            }
        }
    }
    for f in files {
        if let Some(i) = ancestors(f.rel).find_map(|a| whole_at.get(a)) {
            whole[*i].files += 1;
            if f.in_place {
                whole[*i].borrowed.push(f.rel.to_string());
            }
            continue;
        }
        // Already what the backup holds: left where it is.
        if f.in_place {
            continue;
        }
        let existed = exists_as_file(&mut dirs, f.rel)?;
        let mut sidecars = Vec::new();
        if f.sqlite {
            for suffix in SIDECARS {
                let rel = format!("{}{suffix}", f.rel);
                let existed = exists_as_file(&mut dirs, &rel)?;
                sidecars.push(Sidecar { rel, existed });
            }
        }
        if let Some((parent, _)) = f.rel.rsplit_once('/')
            && dirs.parent(ROOT, parent, false)?.is_none()
        {
            for dir in root.missing_dirs(parent)? {
                if seen_dirs.insert(dir.clone()) {
                    created_dirs.push(dir);
                }
            }
        }
        planned.push(Planned {
            rel: f.rel.to_string(),
            existed,
            size: f.size,
            sidecars,
        });
    }
    Ok(Journal {
        backup_id: backup_id.to_string(),
        phase: Phase::Swapping,
        files: planned,
        dirs: whole,
        created_dirs,
        unchanged: Vec::new(),
        snapshot: None,
    })
}

/// The directories `rel` lies in, nearest first (`a/b/c` -> `a/b`, `a`).
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    let mut rest = rel;
    std::iter::from_fn(move || {
        let (parent, _) = rest.rsplit_once('/')?;
        rest = parent;
        Some(parent)
    })
}

/// The walk of staging beside the live tree that finds the directories
/// that can be swapped whole: every staged entry below is a restored file
/// or a directory, every live entry below is a regular file the restore
/// replaces, one already matching the backup (moved into staging first)
/// or a directory staged too, and no database is below (its
/// `-wal`/`-shm` are set aside file by file). Anything else the live
/// directory holds (a file made since the backup, one the restore type
/// leaves out, a link) keeps it, and the files around it, swapped file by
/// file. A directory where more files already match than need writing
/// is swapped file by file too: the matching ones then stay untouched,
/// which costs fewer renames than moving them aside and back.
struct Survey<'a> {
    chosen: HashSet<&'a str>,
    /// Chosen files whose live copy already matches (not staged).
    in_place: HashSet<&'a str>,
    holding_db: HashSet<&'a str>,
    /// The largest directories that can move whole, in no order.
    whole: Vec<PlannedDir>,
    /// Steward runs as root, so it can give a directory its owner.
    as_root: bool,
    /// The bot root's mount: a live directory on another (a filesystem
    /// or a bind mount there) never moves, so its files are never taken
    /// into the pre-restore copy and removed with it.
    mount: u64,
}

impl Survey<'_> {
    /// Whether the directory `rel` (`staged`, and `live` when the bot's
    /// tree has it) can move whole; when it cannot, its subdirectories
    /// that can are recorded. A live directory owned by someone else than
    /// the staged one keeps its place unless Steward may give the staged
    /// one its owner (see `settle`).
    fn dir(
        &mut self,
        staged: &DirHandle,
        live: Option<&DirHandle>,
        rel: &str,
    ) -> Result<Tally, HandleError> {
        let mut tally = Tally::default();
        let mut whole = !rel.is_empty() && !self.holding_db.contains(rel);
        if let Some(live) = live
            && whole
        {
            whole = live.mount()? == self.mount;
        }
        if whole
            && !self.as_root
            && let Some(live) = live
        {
            let (_, uid, gid) = live.mode_and_owner()?;
            let (_, our_uid, our_gid) = staged.mode_and_owner()?;
            whole = (uid, gid) == (our_uid, our_gid);
        }
        let join = |name: &str| {
            if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            }
        };
        let staged_kinds: HashMap<String, Kind> = staged.kinds()?.into_iter().collect();
        let mut subdirs = Vec::new();
        for (name, kind) in &staged_kinds {
            let child = join(name);
            match kind {
                Kind::File => {
                    whole &= self.chosen.contains(child.as_str());
                    tally.staged += 1;
                }
                Kind::Dir => {
                    let live_child = match live {
                        Some(live) => match live.entry_of(name)? {
                            Entry::Dir => live.subdir(name)?,
                            Entry::Missing => None,
                            // A link or a file where the backup has a
                            // directory: left to the file-by-file plan,
                            // which refuses it if a restored file goes
                            // through it.
                            _ => {
                                whole = false;
                                continue;
                            }
                        },
                        None => None,
                    };
                    let Some(staged_child) = staged.subdir(name)? else {
                        whole = false;
                        continue;
                    };
                    let below = self.dir(&staged_child, live_child.as_ref(), &child)?;
                    whole &= below.whole;
                    tally.staged += below.staged;
                    tally.kept += below.kept;
                    subdirs.push((child, below.whole, live_child.is_some()));
                }
                Kind::Symlink | Kind::Other => whole = false,
            }
        }
        if let Some(live) = live
            && whole
        {
            for (name, kind) in live.kinds()? {
                let kept = kind == Kind::File && self.in_place.contains(join(&name).as_str());
                if kept {
                    tally.kept += 1;
                }
                whole &= kept
                    || (matches!(kind, Kind::File | Kind::Dir)
                        && staged_kinds.get(&name) == Some(&kind));
            }
        }
        // Whole: one rename per matching file and two for the directory;
        // file by file: two per staged file. Matching files move only into
        // a directory Steward may write (`settle` gives it the live mode).
        if whole && tally.kept > 0 {
            whole = tally.kept + 2 <= 2 * tally.staged
                && (self.as_root
                    || live.map_or(Ok(true), |l| l.mode_and_owner().map(|m| m.0 & 0o200 != 0))?);
        }
        if whole {
            tally.whole = true;
            return Ok(tally);
        }
        for (rel, child_whole, existed) in subdirs {
            if child_whole {
                self.whole.push(PlannedDir {
                    rel,
                    existed,
                    files: 0,
                    borrowed: Vec::new(),
                });
            }
        }
        Ok(tally)
    }
}

/// What `Survey::dir` found below a directory.
#[derive(Default)]
struct Tally {
    /// The directory can move whole.
    whole: bool,
    /// Staged files below it.
    staged: usize,
    /// Live files below it already matching the backup (counted only
    /// while it can still move whole).
    kept: usize,
}

fn exists_as_file(dirs: &mut Parents, rel: &str) -> Result<bool, HandleError> {
    let found = dirs.entry(ROOT, rel)?;
    match found.not_a_file(dirs.bases[ROOT].shown(rel)) {
        Some(refusal) => Err(refusal),
        None => Ok(found != Entry::Missing),
    }
}

/// Gives the staged directory (moving whole) and each one below it the
/// mode and owner of the live one it replaces (0755 when new, as a
/// file-by-file swap makes them), so the swap changes neither.
fn settle(staged: &DirHandle, live: Option<&DirHandle>) -> Result<(), HandleError> {
    let (mode, uid, gid) = match live {
        Some(live) => live.mode_and_owner()?,
        None => {
            let (_, uid, gid) = staged.mode_and_owner()?;
            (0o755, uid, gid)
        }
    };
    for (name, kind) in staged.kinds()? {
        if kind != Kind::Dir {
            continue;
        }
        let Some(staged_child) = staged.subdir(&name)? else {
            continue;
        };
        let live_child = match live {
            Some(live) => live.subdir(&name)?,
            None => None,
        };
        settle(&staged_child, live_child.as_ref())?;
    }
    // Last: a directory made read-only is not written into again.
    staged.set_mode_and_owner(mode, uid, gid)
}

/// Moves every directory, then every file of the plan: what is at its
/// path into `previous/`, then the staged one into place. `after_move`
/// runs after each rename.
pub fn apply(
    root: &DirHandle,
    work: &DirHandle,
    journal: &Journal,
    mut after_move: impl FnMut(),
) -> Result<(), HandleError> {
    let mut scratch = Vec::new();
    let previous = work.subdir_creating(PREVIOUS, &mut scratch)?;
    let staging = staging(work)?;
    let mut dirs = Parents::new([root, &previous, &staging]);
    for d in &journal.dirs {
        // The live files already matching move into the staged directory
        // first (through handles of their own: the live directory moves
        // next), so it goes into place whole with them.
        let mut borrow = Parents::new([root, &previous, &staging]);
        for rel in &d.borrowed {
            borrow.rename(ROOT, rel, STAGED)?;
            after_move();
        }
        if d.existed {
            dirs.rename(ROOT, &d.rel, PREV)?;
            after_move();
        }
        dirs.rename(STAGED, &d.rel, ROOT)?;
        after_move();
    }
    for f in &journal.files {
        for s in f.sidecars.iter().filter(|s| s.existed) {
            match dirs.rename(ROOT, &s.rel, PREV) {
                Ok(()) => after_move(),
                // Gone since the plan (SQLite removes them on close):
                // nothing to keep.
                Err(HandleError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        if f.existed {
            dirs.rename(ROOT, &f.rel, PREV)?;
            after_move();
        }
        dirs.rename(STAGED, &f.rel, ROOT)?;
        after_move();
    }
    Ok(())
}

/// The trees `Parents` moves files between, by index.
const ROOT: usize = 0;
const PREV: usize = 1;
const STAGED: usize = 2;

/// Each directory a swap moves files out of or into, opened (without
/// following a link) once per swap rather than component by component
/// for every move: thousands of files share a handful of directories.
/// Nothing else changes the tree meanwhile (the bot is stopped), and a
/// handle keeps naming the directory it opened.
struct Parents<'a> {
    bases: [&'a DirHandle; 3],
    open: [std::collections::HashMap<String, DirHandle>; 3],
}

impl<'a> Parents<'a> {
    fn new(bases: [&'a DirHandle; 3]) -> Self {
        Parents {
            bases,
            open: Default::default(),
        }
    }

    /// Moves `rel` from below base `from` to the same path below base
    /// `to` (creating its missing parents there), never replacing
    /// anything.
    fn rename(&mut self, from: usize, rel: &str, to: usize) -> Result<(), HandleError> {
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if self.parent(from, parent, false)?.is_none() {
            return Err(HandleError::Io {
                path: self.bases[from].shown(rel),
                source: std::io::ErrorKind::NotFound.into(),
            });
        }
        self.parent(to, parent, true)?;
        let source = &self.open[from][parent];
        let dest = &self.open[to][parent];
        source.rename_into(name, dest, name)
    }

    /// What is at `rel` below base `base` (`Missing` when a parent is).
    fn entry(&mut self, base: usize, rel: &str) -> Result<Entry, HandleError> {
        let (parent, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        match self.parent(base, parent, false)? {
            Some(dir) => dir.entry_of(name),
            None => Ok(Entry::Missing),
        }
    }

    /// The handle of `parent` below base `base`: `None` when it is missing
    /// (created when `create`).
    fn parent(
        &mut self,
        base: usize,
        parent: &str,
        create: bool,
    ) -> Result<Option<&DirHandle>, HandleError> {
        if !self.open[base].contains_key(parent) {
            let dir = if create {
                Some(self.bases[base].subdir_creating(parent, &mut Vec::new())?)
            } else {
                self.bases[base].subdir(parent)?
            };
            let Some(dir) = dir else {
                return Ok(None);
            };
            self.open[base].insert(parent.to_string(), dir);
        }
        Ok(self.open[base].get(parent))
    }
}

/// Checks that every restored file is in place with its staged size, and
/// every directory moved whole is in place (gone from staging).
pub fn check_placed(
    root: &DirHandle,
    work: &DirHandle,
    journal: &Journal,
) -> Result<(), HandleError> {
    let staging = staging(work)?;
    for d in &journal.dirs {
        let (live, staged) = (root.entry(&d.rel)?, staging.entry(&d.rel)?);
        if live != Entry::Dir || staged != Entry::Missing {
            return Err(HandleError::Io {
                path: root.shown(&d.rel),
                source: std::io::Error::other(format!(
                    "after the swap it holds {live:?} and staging {staged:?}, not the restored directory"
                )),
            });
        }
    }
    let mut dirs = Parents::new([root, root, root]);
    for f in &journal.files {
        match dirs.entry(ROOT, &f.rel)? {
            Entry::File { size, .. } if size == f.size => {}
            found => {
                return Err(HandleError::Io {
                    path: root.shown(&f.rel),
                    source: std::io::Error::other(format!(
                        "after the swap it holds {found:?}, not the restored {} bytes",
                        f.size
                    )),
                });
            }
        }
    }
    Ok(())
}

/// Whether every staged file was moved into place.
pub fn all_placed(work: &DirHandle, journal: &Journal) -> bool {
    let Ok(staging) = staging(work) else {
        return false;
    };
    let rels = journal.dirs.iter().map(|d| &d.rel);
    rels.chain(journal.files.iter().map(|f| &f.rel))
        .all(|rel| matches!(staging.entry(rel), Ok(Entry::Missing)))
}

/// Puts back what the swap moved, newest first, reading where each file
/// and directory is: a placed one goes back into staging, then what was
/// kept goes back to its place. Once the bot has run on the restored tree
/// (the journal is past `Swapping`), a file the restore never wrote that
/// is no longer the one it judged matching (the bot wrote, replaced or
/// removed it) is written again by `put_back`, from the snapshot. Running
/// it again after an interruption is safe. On success the filesystem is
/// flushed and the journal removed; otherwise the problems are returned
/// and everything is left for the next try.
pub fn undo(
    root: &DirHandle,
    work: &DirHandle,
    journal: &Journal,
    put_back: &mut dyn FnMut(&Unchanged) -> Result<(), HandleError>,
) -> Result<(), Vec<HandleError>> {
    let mut problems = Vec::new();
    let previous = match work.subdir(PREVIOUS) {
        Ok(p) => p,
        Err(e) => return Err(vec![e]),
    };
    // Before the swap was placed the bot was stopped: nothing wrote.
    let unchanged: HashMap<&str, &Unchanged> = if journal.phase == Phase::Swapping {
        HashMap::new()
    } else {
        journal
            .unchanged
            .iter()
            .map(|u| (u.rel.as_str(), u))
            .collect()
    };
    match staging(work) {
        Ok(staging) => {
            for f in journal.files.iter().rev() {
                if let Err(e) = undo_one(root, &staging, previous.as_ref(), f) {
                    problems.push(e);
                }
            }
            for d in journal.dirs.iter().rev() {
                let undone = undo_dir(root, &staging, previous.as_ref(), d, &unchanged, put_back);
                if let Err(e) = undone {
                    problems.push(e);
                }
            }
        }
        Err(e) => problems.push(e),
    }
    for dir in journal.created_dirs.iter().rev() {
        let _ = root.remove_empty_dir(dir);
    }
    // The files left in place (the borrowed ones were seen to above).
    let borrowed: HashSet<&str> = journal
        .dirs
        .iter()
        .flat_map(|d| d.borrowed.iter().map(String::as_str))
        .collect();
    for (rel, u) in &unchanged {
        if !borrowed.contains(rel)
            && !u.was.still_at(root, rel)
            && let Err(e) = put_back(u)
        {
            problems.push(e);
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    root.sync_filesystem()
        .and_then(|()| Journal::remove(work))
        .map_err(|e| vec![e])
}

/// After `apply`: each borrowed file's fingerprint as its move into the
/// staged directory left it (a new ctime), so that undo tells what the
/// bot wrote from that move. One that changed otherwise keeps the
/// fingerprint it was judged by (undo writes it again).
pub fn refresh_borrowed(root: &DirHandle, journal: &mut Journal) {
    let borrowed: HashSet<&str> = journal
        .dirs
        .iter()
        .flat_map(|d| d.borrowed.iter().map(String::as_str))
        .collect();
    for u in journal
        .unchanged
        .iter_mut()
        .filter(|u| borrowed.contains(u.rel.as_str()))
    {
        if let Some(moved) = fingerprint_at(root, &u.rel).and_then(|now| u.was.renamed(&now)) {
            u.was = moved;
        }
    }
}

/// What `undo` could not put back, in English, one after another.
pub fn joined(problems: &[HandleError]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn undo_one(
    root: &DirHandle,
    staging: &DirHandle,
    previous: Option<&DirHandle>,
    f: &Planned,
) -> Result<(), HandleError> {
    let mut scratch = Vec::new();
    // The staged file is gone only once it was moved into place.
    if staging.entry(&f.rel)? == Entry::Missing {
        // Sidecars first: the database moving back is what marks this
        // file undone, so it must be the last move.
        for s in &f.sidecars {
            take_back(root, &s.rel, staging)?;
        }
        take_back(root, &f.rel, staging)?;
    }
    if let Some(previous) = previous {
        for rel in std::iter::once(&f.rel).chain(f.sidecars.iter().map(|s| &s.rel)) {
            if let Entry::File { .. } = previous.entry(rel)? {
                previous.rename_to(rel, root, rel, &mut scratch)?;
            }
        }
    }
    Ok(())
}

/// Puts one directory moved whole back: the placed one (with whatever the
/// bot made in it since) into staging, then the kept one into place, then
/// the matching files moved into staging back into it; one of those the
/// bot wrote or removed (it has a fingerprint in `unchanged` to be
/// checked by) is written again by `put_back` instead.
fn undo_dir(
    root: &DirHandle,
    staging: &DirHandle,
    previous: Option<&DirHandle>,
    d: &PlannedDir,
    unchanged: &HashMap<&str, &Unchanged>,
    put_back: &mut dyn FnMut(&Unchanged) -> Result<(), HandleError>,
) -> Result<(), HandleError> {
    if staging.entry(&d.rel)? == Entry::Missing {
        let found = root.entry(&d.rel)?;
        if let Some(refusal) = found.not_a_dir(root.shown(&d.rel)) {
            return Err(refusal);
        }
        if found == Entry::Dir {
            root.rename_to(&d.rel, staging, &d.rel, &mut Vec::new())?;
        }
    }
    if let Some(previous) = previous
        && previous.entry(&d.rel)? == Entry::Dir
    {
        previous.rename_to(&d.rel, root, &d.rel, &mut Vec::new())?;
    }
    for rel in d.borrowed.iter().rev() {
        let staged = matches!(staging.entry(rel)?, Entry::File { .. });
        let live = root.entry(rel)?;
        let Some(u) = unchanged.get(rel.as_str()) else {
            if staged && live == Entry::Missing {
                staging.rename_to(rel, root, rel, &mut Vec::new())?;
            }
            continue;
        };
        if let Some(refusal) = live.not_a_file(root.shown(rel)) {
            return Err(refusal);
        }
        if staged && live == Entry::Missing && u.was.still_at(staging, rel) {
            staging.rename_to(rel, root, rel, &mut Vec::new())?;
        } else {
            // Written or removed by the bot, or moved back by an earlier
            // try (its ctime tells no more): its content comes again
            // from the snapshot; what the bot made of it stays in staging.
            put_back(u)?;
        }
    }
    Ok(())
}

/// Moves the live file at `rel` (the restored one, or what the bot made of
/// it) back into staging.
fn take_back(root: &DirHandle, rel: &str, staging: &DirHandle) -> Result<(), HandleError> {
    let found = root.entry(rel)?;
    if let Some(refusal) = found.not_a_file(root.shown(rel)) {
        return Err(refusal);
    }
    if found == Entry::Missing {
        return Ok(());
    }
    root.rename_to(rel, staging, rel, &mut Vec::new())
}

/// Removes the working directory `name` once its journal is gone: the
/// staged files, and the pre-restore copy when it holds no file. A
/// working directory that still has a journal is left alone.
pub fn tidy(root: &DirHandle, name: &str) {
    let Ok(Some(work)) = root.subdir(name) else {
        return;
    };
    if !matches!(Journal::read(&work), Ok(None)) {
        return;
    }
    if let Err(e) = work.remove_tree(STAGING) {
        tracing::warn!("cannot remove the restore's staged files: {e}");
    }
    let _ = work.prune_empty_dirs(PREVIOUS);
    let _ = root.remove_empty_dir(name);
}

/// Drops the pre-restore copy of a committed restore: once its journal
/// has ended, nothing will put those files back any more.
pub fn remove_previous(root: &DirHandle, name: &str) -> Result<(), HandleError> {
    match root.subdir(name)? {
        Some(work) if matches!(Journal::read(&work), Ok(None)) => work.remove_tree(PREVIOUS),
        _ => Ok(()),
    }
}

/// The pre-restore copy, for messages.
pub fn previous_path(root: &DirHandle, name: &str) -> PathBuf {
    root.shown(name).join(PREVIOUS)
}

fn staging(work: &DirHandle) -> Result<DirHandle, HandleError> {
    work.subdir(STAGING)?.ok_or_else(|| HandleError::Io {
        path: work.shown(STAGING),
        source: std::io::ErrorKind::NotFound.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Every file below `dir` (the working directory left out), path -> text.
    fn tree(dir: &Path) -> BTreeMap<String, String> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let rel = e.path().strip_prefix(root).unwrap().display().to_string();
                if rel.starts_with("work") {
                    continue;
                }
                if e.file_type().unwrap().is_dir() {
                    walk(root, &e.path(), out);
                } else {
                    out.insert(rel, std::fs::read_to_string(e.path()).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(dir, dir, &mut out);
        out
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A bot tree with old files, and a working directory staging new ones
    /// (one replacing a file, one in a new directory, a database whose
    /// old WAL must be set aside, a directory the restore replaces whole,
    /// one holding a file made since the backup).
    fn setup() -> (tempfile::TempDir, Vec<(String, u64, bool)>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("config.toml"), "old config");
        write(&root.join("data/bot.db"), "old db");
        write(&root.join("data/bot.db-wal"), "old wal");
        write(&root.join("untouched"), "mine");
        write(&root.join("guilds/1.json"), "old 1");
        write(&root.join("guilds/2.json"), "old 2");
        write(&root.join("guilds/deep/4.json"), "old 4");
        write(&root.join("media/a.bin"), "old a");
        write(&root.join("media/made-since.txt"), "keep me");
        let staged = [
            ("config.toml", "new config", false),
            ("data/bot.db", "new db", true),
            ("new/dir/file", "new file", false),
            ("guilds/1.json", "new 1", false),
            ("guilds/2.json", "new 2", false),
            ("guilds/deep/4.json", "new 4", false),
            ("guilds/sub/3.json", "new 3", false),
            ("media/a.bin", "new a", false),
        ];
        for (rel, text, _) in staged {
            write(&root.join("work/staging").join(rel), text);
        }
        let files = staged
            .iter()
            .map(|(rel, text, db)| (rel.to_string(), text.len() as u64, *db))
            .collect();
        (dir, files)
    }

    fn listed(files: &[(String, u64, bool)]) -> Vec<ToRestore<'_>> {
        files
            .iter()
            .map(|(rel, size, sqlite)| ToRestore {
                rel,
                size: *size,
                sqlite: *sqlite,
                in_place: false,
            })
            .collect()
    }

    /// What `undo` is given where it must write nothing again.
    fn nothing_written_back(u: &Unchanged) -> Result<(), HandleError> {
        panic!("{} is written back", u.rel)
    }

    fn journal_for(root: &DirHandle, files: &[(String, u64, bool)]) -> Journal {
        let to_restore = listed(files);
        let work = root.subdir("work").unwrap().unwrap();
        match plan(root, &work, "backup_x", &to_restore) {
            Ok(j) => j,
            Err(_) => panic!("the plan is refused"),
        }
    }

    #[test]
    fn a_swap_stopped_after_any_move_is_undone_to_the_old_tree() {
        let (probe, files) = setup();
        let before = tree(probe.path());
        let total = {
            let root = DirHandle::open(probe.path()).unwrap();
            let work = root.subdir("work").unwrap().unwrap();
            let journal = journal_for(&root, &files);
            let mut moves = 0;
            apply(&root, &work, &journal, || moves += 1).unwrap();
            moves
        };
        assert_eq!(
            total, 10,
            "files: 3 kept + 1 sidecar + 4 placed; directories: 1 kept + 2 placed"
        );
        for stop_after in 0..=total {
            let (dir, files) = setup();
            let root = DirHandle::open(dir.path()).unwrap();
            let work = root.subdir("work").unwrap().unwrap();
            let journal = journal_for(&root, &files);
            journal.write(&work).unwrap();
            let mut moves = 0;
            let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                apply(&root, &work, &journal, || {
                    moves += 1;
                    if moves == stop_after {
                        panic!("killed");
                    }
                })
            }));
            assert_eq!(stopped.is_err(), stop_after > 0);
            undo(&root, &work, &journal, &mut nothing_written_back).unwrap();
            assert_eq!(tree(dir.path()), before, "stopped after {stop_after} moves");
            assert!(!dir.path().join("new").exists(), "created directories go");
            // Undoing again (a second interruption) changes nothing.
            undo(&root, &work, &journal, &mut nothing_written_back).unwrap();
            assert_eq!(tree(dir.path()), before);
            assert!(matches!(Journal::read(&work), Ok(None)), "the journal ends");
        }
    }

    #[test]
    fn a_path_planned_twice_is_refused_before_anything_moves() {
        let (dir, mut files) = setup();
        files.push(files[0].clone());
        let root = DirHandle::open(dir.path()).unwrap();
        let work = root.subdir("work").unwrap().unwrap();
        let to_restore = listed(&files);
        match plan(&root, &work, "backup_x", &to_restore) {
            Err(PlanError::Conflicting(problems)) => {
                assert!(
                    problems[0].to_string().contains("config.toml"),
                    "{problems:?}"
                )
            }
            _ => panic!("a duplicate must be refused"),
        }
    }

    #[test]
    fn even_a_journal_listing_a_file_twice_never_loses_the_kept_copy() {
        let (dir, files) = setup();
        let before = tree(dir.path());
        let root = DirHandle::open(dir.path()).unwrap();
        let work = root.subdir("work").unwrap().unwrap();
        let mut journal = journal_for(&root, &files);
        // Past the plan's own check: the second set-aside would have
        // renamed the restored file over the kept original.
        journal.files.insert(1, journal.files[0].clone());
        assert!(apply(&root, &work, &journal, || {}).is_err());
        undo(&root, &work, &journal, &mut nothing_written_back).unwrap();
        assert_eq!(tree(dir.path()), before);
    }

    #[test]
    fn a_symlink_where_a_file_goes_is_refused_by_the_plan() {
        let (dir, files) = setup();
        let outside = tempfile::tempdir().unwrap();
        std::fs::remove_file(dir.path().join("config.toml")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("x"), dir.path().join("config.toml"))
            .unwrap();
        let root = DirHandle::open(dir.path()).unwrap();
        let work = root.subdir("work").unwrap().unwrap();
        let to_restore = listed(&files);
        match plan(&root, &work, "backup_x", &to_restore) {
            Err(PlanError::InTheWay(HandleError::Symlink { path })) => {
                assert_eq!(path, dir.path().join("config.toml"))
            }
            _ => panic!("the link must be refused"),
        }
    }

    #[test]
    fn a_directory_moves_whole_only_when_it_holds_nothing_but_what_is_restored() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, files) = setup();
        let path = dir.path();
        std::fs::set_permissions(path.join("guilds"), std::fs::Permissions::from_mode(0o750))
            .unwrap();
        let root = DirHandle::open(path).unwrap();
        let work = root.subdir("work").unwrap().unwrap();
        let journal = journal_for(&root, &files);
        let whole: Vec<(&str, bool, usize)> = journal
            .dirs
            .iter()
            .map(|d| (d.rel.as_str(), d.existed, d.files))
            .collect();
        assert_eq!(whole, [("guilds", true, 4), ("new", false, 1)]);
        let one_by_one: Vec<&str> = journal.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(one_by_one, ["config.toml", "data/bot.db", "media/a.bin"]);
        apply(&root, &work, &journal, || {}).unwrap();
        check_placed(&root, &work, &journal).unwrap();
        let after = tree(path);
        assert_eq!(after["guilds/sub/3.json"], "new 3");
        assert_eq!(after["guilds/deep/4.json"], "new 4");
        assert_eq!(after["media/a.bin"], "new a");
        assert_eq!(
            after["media/made-since.txt"], "keep me",
            "a file the backup does not have stays where it is"
        );
        assert_eq!(after["new/dir/file"], "new file");
        let mode = |rel: &str| {
            std::fs::metadata(path.join(rel))
                .unwrap()
                .permissions()
                .mode()
                & 0o7777
        };
        assert_eq!(mode("guilds"), 0o750, "the live directory's mode is kept");
        assert_eq!(mode("new/dir"), 0o755);
        // What the swap replaced is kept whole.
        let kept = tree(&path.join("work/previous"));
        assert_eq!(kept["guilds/deep/4.json"], "old 4");
        assert_eq!(kept["guilds/2.json"], "old 2");
    }

    /// A bot tree where some files already hold what the backup has (not
    /// staged): in `guilds/`, which moves whole, one of four; in `media/`,
    /// which cannot (a file made since), one of two; and in `cache/`,
    /// three of four, so it goes file by file. Returns the files to
    /// restore, those in place marked.
    fn setup_matching() -> (tempfile::TempDir, Vec<(String, u64, bool)>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(&root.join("guilds/1.json"), "same 1");
        write(&root.join("guilds/2.json"), "old 2");
        write(&root.join("guilds/deep/3.json"), "old 3");
        write(&root.join("guilds/deep/4.json"), "same 4");
        write(&root.join("guilds/deep/5.json"), "old 5");
        write(&root.join("media/a.bin"), "same a");
        write(&root.join("media/b.bin"), "old b");
        write(&root.join("media/made-since.txt"), "keep me");
        for i in 1..=3 {
            write(&root.join(format!("cache/{i}")), &format!("same {i}"));
        }
        write(&root.join("cache/4"), "old 4");
        let staged = [
            ("guilds/2.json", "new 2"),
            ("guilds/deep/3.json", "new 3"),
            ("guilds/deep/5.json", "new 5"),
            ("media/b.bin", "new b"),
            ("cache/4", "new 4"),
        ];
        for (rel, text) in staged {
            write(&root.join("work/staging").join(rel), text);
        }
        let mut files: Vec<(String, u64, bool)> = staged
            .iter()
            .map(|(rel, text)| (rel.to_string(), text.len() as u64, false))
            .collect();
        for rel in [
            "guilds/1.json",
            "guilds/deep/4.json",
            "media/a.bin",
            "cache/1",
            "cache/2",
            "cache/3",
        ] {
            let size = std::fs::metadata(root.join(rel)).unwrap().len();
            files.push((format!("={rel}"), size, false));
        }
        (dir, files)
    }

    fn listed_matching(files: &[(String, u64, bool)]) -> Vec<ToRestore<'_>> {
        files
            .iter()
            .map(|(rel, size, sqlite)| ToRestore {
                rel: rel.trim_start_matches('='),
                size: *size,
                sqlite: *sqlite,
                in_place: rel.starts_with('='),
            })
            .collect()
    }

    fn inode(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().ino()
    }

    /// The files already matching keep their inode (never rewritten),
    /// whether left in place or moved with their directory; a directory
    /// where most files match goes file by file.
    #[test]
    fn matching_files_are_moved_or_left_never_rewritten() {
        let (dir, files) = setup_matching();
        let path = dir.path();
        let matching = [
            "guilds/1.json",
            "guilds/deep/4.json",
            "media/a.bin",
            "cache/1",
        ];
        let inodes: Vec<u64> = matching.iter().map(|r| inode(&path.join(r))).collect();
        let root = DirHandle::open(path).unwrap();
        let work = root.subdir("work").unwrap().unwrap();
        let journal = match plan(&root, &work, "backup_x", &listed_matching(&files)) {
            Ok(j) => j,
            Err(_) => panic!("the plan is refused"),
        };
        let whole: Vec<(&str, &[String])> = journal
            .dirs
            .iter()
            .map(|d| (d.rel.as_str(), d.borrowed.as_slice()))
            .collect();
        assert_eq!(
            whole,
            [(
                "guilds",
                &[
                    "guilds/1.json".to_string(),
                    "guilds/deep/4.json".to_string()
                ][..]
            )]
        );
        let one_by_one: Vec<&str> = journal.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(one_by_one, ["media/b.bin", "cache/4"]);
        let mut moves = 0;
        apply(&root, &work, &journal, || moves += 1).unwrap();
        assert_eq!(moves, 2 + 2 + 2 + 2, "2 borrowed, 1 directory, 2 files");
        check_placed(&root, &work, &journal).unwrap();
        let after = tree(path);
        assert_eq!(after["guilds/1.json"], "same 1");
        assert_eq!(after["guilds/2.json"], "new 2");
        assert_eq!(after["guilds/deep/3.json"], "new 3");
        assert_eq!(after["guilds/deep/4.json"], "same 4");
        assert_eq!(after["media/b.bin"], "new b");
        assert_eq!(after["cache/4"], "new 4");
        assert_eq!(after["cache/3"], "same 3");
        let now: Vec<u64> = matching.iter().map(|r| inode(&path.join(r))).collect();
        assert_eq!(now, inodes, "the matching files are the same files");
        let kept = tree(&path.join("work/previous"));
        assert_eq!(
            kept.keys().collect::<Vec<_>>(),
            [
                "cache/4",
                "guilds/2.json",
                "guilds/deep/3.json",
                "guilds/deep/5.json",
                "media/b.bin"
            ]
        );
    }

    #[test]
    fn a_swap_moving_matching_files_stopped_after_any_move_is_undone_to_the_old_tree() {
        let (probe, _) = setup_matching();
        let before = tree(probe.path());
        for stop_after in 0..=8 {
            let (dir, files) = setup_matching();
            let inode_1 = inode(&dir.path().join("guilds/1.json"));
            let root = DirHandle::open(dir.path()).unwrap();
            let work = root.subdir("work").unwrap().unwrap();
            let journal = match plan(&root, &work, "backup_x", &listed_matching(&files)) {
                Ok(j) => j,
                Err(_) => panic!("the plan is refused"),
            };
            journal.write(&work).unwrap();
            let mut moves = 0;
            let stopped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                apply(&root, &work, &journal, || {
                    moves += 1;
                    if moves == stop_after {
                        panic!("killed");
                    }
                })
            }));
            assert_eq!(stopped.is_err(), stop_after > 0);
            // What the next start reads: the journal on disk.
            let journal = Journal::read(&work).unwrap().unwrap();
            undo(&root, &work, &journal, &mut nothing_written_back).unwrap();
            assert_eq!(tree(dir.path()), before, "stopped after {stop_after} moves");
            assert_eq!(inode(&dir.path().join("guilds/1.json")), inode_1);
            undo(&root, &work, &journal, &mut nothing_written_back).unwrap();
            assert_eq!(tree(dir.path()), before);
        }
    }

    /// The matching tree planned, its unchanged files recorded, swapped in
    /// and the journal turned to rolling back, as after a failed bot
    /// start; with the tree as it was before the swap.
    fn swapped_matching() -> (
        tempfile::TempDir,
        DirHandle,
        DirHandle,
        Journal,
        BTreeMap<String, String>,
    ) {
        let (dir, files) = setup_matching();
        let before = tree(dir.path());
        let root = DirHandle::open(dir.path()).unwrap();
        let work = root.subdir("work").unwrap().unwrap();
        let mut journal = match plan(&root, &work, "backup_x", &listed_matching(&files)) {
            Ok(j) => j,
            Err(_) => panic!("the plan is refused"),
        };
        journal.unchanged = files
            .iter()
            .filter_map(|(rel, _, _)| rel.strip_prefix('='))
            .map(|rel| Unchanged {
                rel: rel.to_string(),
                was: fingerprint_at(&root, rel).unwrap(),
                atime: (0, 0),
            })
            .collect();
        apply(&root, &work, &journal, || {}).unwrap();
        refresh_borrowed(&root, &mut journal);
        journal.phase = Phase::RollingBack;
        (dir, root, work, journal, before)
    }

    /// Once the bot ran on the restored tree, undo writes again exactly the
    /// matching files it changed or removed (left in place, or moved with
    /// their directory), and moves or leaves every other one untouched;
    /// stopped midway and run again, it ends with the same tree.
    #[test]
    fn undo_after_the_bot_ran_writes_again_only_the_matching_files_it_changed() {
        let (dir, root, work, journal, before) = swapped_matching();
        let path = dir.path();
        journal.write(&work).unwrap();
        let untouched_inode = inode(&path.join("guilds/deep/4.json"));
        // The bot: one borrowed file and one left in place written, one
        // left in place removed.
        write(&path.join("guilds/1.json"), "bot 1");
        write(&path.join("cache/1"), "bot c1");
        std::fs::remove_file(path.join("media/a.bin")).unwrap();
        let written = std::cell::RefCell::new(Vec::new());
        let mut put_back = |u: &Unchanged| {
            written.borrow_mut().push(u.rel.clone());
            let text = before[&u.rel].clone();
            std::fs::write(path.join(&u.rel), text).map_err(|source| HandleError::Io {
                path: path.join(&u.rel),
                source,
            })
        };
        undo(&root, &work, &journal, &mut put_back).unwrap();
        let mut once = written.borrow().clone();
        once.sort();
        assert_eq!(once, ["cache/1", "guilds/1.json", "media/a.bin"]);
        assert_eq!(tree(path), before);
        assert_eq!(inode(&path.join("guilds/deep/4.json")), untouched_inode);

        // Stopped after the directory moved back and before the files
        // did: the next try moves the rest and writes the unverifiable.
        let (dir, root, work, journal, _) = swapped_matching();
        let path = dir.path();
        let staging = work.subdir(STAGING).unwrap().unwrap();
        let previous = work.subdir(PREVIOUS).unwrap().unwrap();
        root.rename_to("guilds", &staging, "guilds", &mut Vec::new())
            .unwrap();
        previous
            .rename_to("guilds", &root, "guilds", &mut Vec::new())
            .unwrap();
        staging
            .rename_to("guilds/1.json", &root, "guilds/1.json", &mut Vec::new())
            .unwrap();
        let written = std::cell::RefCell::new(Vec::new());
        let mut put_back = |u: &Unchanged| {
            written.borrow_mut().push(u.rel.clone());
            let text = before[&u.rel].clone();
            std::fs::write(path.join(&u.rel), text).map_err(|source| HandleError::Io {
                path: path.join(&u.rel),
                source,
            })
        };
        undo(&root, &work, &journal, &mut put_back).unwrap();
        assert_eq!(*written.borrow(), ["guilds/1.json"]);
        assert_eq!(tree(path), before);
    }
}
