//! What the long-running service gives back to the system after a burst of
//! work (loading and compiling providers, a check, an install, a run of
//! control-socket requests). glibc's allocator keeps freed memory in its
//! arenas for reuse, so without this an idle service stays as large as its
//! busiest moment; and a provider's loaded component (its code, memory
//! images and types) is let go once no call used it for a while; then the
//! pages of the binary's own code a burst touched are handed back too. It
//! frees nothing in use; it never decides what work runs.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crate::runtime::Runtime;

/// How often the idle service looks at its own size.
const LOOK_EVERY: Duration = Duration::from_secs(60);
/// How long a provider's component stays in memory after its last call
/// (a check from Discord or the CLI, an install's steps).
const UNLOAD_AFTER: Duration = Duration::from_secs(60);
/// Growth of private memory since the last look that is worth a trim.
const SLACK_BYTES: u64 = 4 << 20;

/// glibc's malloc arenas for a long-running service: two, not its default
/// of eight a core. Each thread that meets a locked arena gets one of its
/// own, and every arena keeps its freed memory (at least one 64 MiB heap
/// reserved, its touched pages resident) for itself, so a service whose
/// tokio workers, blocking threads and wasmtime calls all allocate ends up
/// holding memory in many arenas that `give_back` can only partly return.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS: libc::c_int = 2;

/// Limits glibc's malloc arenas to `ARENAS`, unless `MALLOC_ARENA_MAX` is
/// set in the environment (glibc has then read it at start, and the
/// operator's value stands). Called by `steward` first thing (every
/// command but `check`: `serve`, and the ones that may back up or
/// restore), before any thread is started: an arena a thread already holds
/// stays. Answers the limit set, or `None` when the environment's was left
/// in place (or the allocator is not glibc's).
pub fn limit_arenas() -> Option<i32> {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return None;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes glibc's allocator parameters; called
        // before any other thread exists, so no allocation races it.
        let set = unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS) };
        (set == 1).then_some(ARENAS)
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    None
}

/// Returns the allocator's free memory to the system now.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's own arenas;
    // it touches no allocation in use and is safe from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Once a minute, unloads the providers no call used for `UNLOAD_AFTER`
/// and, when one was unloaded or the service's private memory grew by more
/// than `SLACK_BYTES` since the last look (socket requests, Discord
/// commands), gives back what is free: one read of /proc a minute while idle.
pub(crate) async fn give_back_while_running(runtime: Arc<Runtime>) {
    let mut every = tokio::time::interval(LOOK_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut settled = private_bytes().unwrap_or(0);
    let mut code_settled = file_bytes().unwrap_or(0);
    loop {
        every.tick().await;
        let unloaded = runtime.unload_idle(UNLOAD_AFTER);
        if unloaded > 0 {
            tracing::debug!(
                "unloaded {unloaded} idle provider(s); read back from the compile cache at their next call"
            );
        }
        let Some(now) = private_bytes() else {
            return;
        };
        if unloaded > 0 || now > settled + SLACK_BYTES {
            give_back();
        }
        settled = private_bytes().unwrap_or(now);
        // The code a burst ran stays resident after it; once the service
        // is idle (its providers sat unused a minute, or the binary's
        // resident pages grew since the last look), it goes back too.
        let file = file_bytes().unwrap_or(0);
        if unloaded > 0 || file > code_settled + SLACK_BYTES {
            let asked = page_out_own_code();
            let after = file_bytes().unwrap_or(file);
            tracing::debug!(
                "paged out the binary's idle code: file-backed memory {} -> {} KiB ({} KiB of mappings advised)",
                file >> 10,
                after >> 10,
                asked >> 10
            );
            code_settled = after;
        }
    }
}

/// Drops the resident pages of this process's own executable: its
/// read-only private file mappings (code and constants, `r-xp` and `r--p`
/// of /proc/self/smaps), never anonymous or writable memory. A mapping
/// none of whose pages was ever written (smaps' `Anonymous: 0 kB`, so its
/// every page is the file's) is let go with `MADV_DONTNEED`: its pages are
/// faulted back unchanged from the page cache or the disk at their next
/// use, for any owner of the binary. A mapping with written pages (the
/// relocated constants of RELRO, now read-only) gets `MADV_PAGEOUT`
/// instead (Linux 5.4 and later, what Android does for cached apps), which
/// only reclaims its clean file pages and never discards content; the
/// kernel honours that only for a process that owns the file or may write
/// it. Where the kernel refuses (older kernels: EINVAL) nothing happens.
/// Returns the bytes of mappings the kernel accepted the advice for.
pub(crate) fn page_out_own_code() -> u64 {
    let (Ok(exe), Ok(smaps)) = (
        std::fs::read_link("/proc/self/exe"),
        std::fs::read_to_string("/proc/self/smaps"),
    ) else {
        return 0;
    };
    own_code(&smaps, &exe)
        .map(|m| {
            let advice = if m.unwritten {
                libc::MADV_DONTNEED
            } else {
                libc::MADV_PAGEOUT
            };
            // SAFETY: advice over whole mappings of this process's own
            // read-only private file pages. MADV_DONTNEED is given only
            // where no page differs from the file (nothing private was
            // ever written, and a read-only mapping cannot be written
            // since), so every page refaults with the same content;
            // MADV_PAGEOUT changes no content at all.
            let done =
                unsafe { libc::madvise(m.start as *mut libc::c_void, m.end - m.start, advice) };
            if done == 0 {
                (m.end - m.start) as u64
            } else {
                0
            }
        })
        .sum()
}

/// One read-only private mapping of the executable.
#[derive(Debug, PartialEq)]
struct Mapping {
    start: usize,
    end: usize,
    /// smaps says none of its pages is private (`Anonymous: 0 kB`).
    unwritten: bool,
}

/// The mappings of `smaps` (as /proc/self/smaps words it: a maps line per
/// mapping, then its `Key: value` lines) that map `exe` readable and not
/// writable, privately.
fn own_code<'a>(smaps: &'a str, exe: &'a Path) -> impl Iterator<Item = Mapping> + 'a {
    let mut lines = smaps.lines().peekable();
    std::iter::from_fn(move || {
        loop {
            let line = lines.next()?;
            // start-end perms offset dev inode path (which may hold spaces)
            let mut fields = line.splitn(6, ' ');
            let Some((start, end)) = fields.next().and_then(|r| r.split_once('-')) else {
                continue;
            };
            let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            ) else {
                continue;
            };
            let perms = fields.next().unwrap_or_default().as_bytes();
            let path = fields.nth(3).unwrap_or_default().trim_start();
            let mut anonymous_kb = None;
            while let Some(field) = lines.next_if(|l| !is_mapping_line(l)) {
                if let Some(kb) = field.strip_prefix("Anonymous:") {
                    anonymous_kb = kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok();
                }
            }
            if Path::new(path) == exe
                && perms.len() == 4
                && perms[0] == b'r'
                && perms[1] == b'-'
                && perms[3] == b'p'
            {
                return Some(Mapping {
                    start,
                    end,
                    unwritten: anonymous_kb == Some(0),
                });
            }
        }
    })
}

/// Whether an smaps line starts a mapping (`start-end perms ...`) rather
/// than being one of its `Key: value` lines.
fn is_mapping_line(line: &str) -> bool {
    line.split_once(' ')
        .and_then(|(range, _)| range.split_once('-'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && a.bytes().all(|c| c.is_ascii_hexdigit())
                && b.bytes().all(|c| c.is_ascii_hexdigit())
        })
}

/// Resident memory not backed by a file (heap, stacks): `RssAnon` of
/// /proc/self/status.
fn private_bytes() -> Option<u64> {
    status_bytes("RssAnon:")
}

/// Resident memory backed by files (the binary's pages, compiled
/// providers): `RssFile` of /proc/self/status.
fn file_bytes() -> Option<u64> {
    status_bytes("RssFile:")
}

fn status_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse::<u64>()
        .ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_freed_between_live_blocks_is_given_back() {
        // A burst of small blocks of which every 16th stays: glibc cannot
        // shrink its heap past live blocks, so the freed pages between
        // them stay resident until they are given back.
        let mut burst: Vec<Option<Vec<u8>>> = (0..40_000)
            .map(|i| Some(vec![(i % 251) as u8 + 1; 1000]))
            .collect();
        for (i, block) in burst.iter_mut().enumerate() {
            if i % 16 != 0 {
                *block = None;
            }
        }
        let before = private_bytes().unwrap();
        give_back();
        let after = private_bytes().unwrap();
        assert!(
            before.saturating_sub(after) > 20 << 20,
            "{before} bytes before, {after} after"
        );
        assert!(burst.iter().flatten().all(|b| b[0] != 0));
    }

    /// glibc's arenas now, from `malloc_info` (one `<heap nr=…>` each).
    fn arenas() -> usize {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("malloc-info.xml");
        let c_path = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a file this test owns, opened, written by glibc and
        // closed before it is read.
        unsafe {
            let file = libc::fopen(c_path.as_ptr(), c"w".as_ptr());
            assert!(!file.is_null());
            assert_eq!(libc::malloc_info(0, file), 0);
            libc::fclose(file);
        }
        std::fs::read_to_string(&path)
            .unwrap()
            .matches("<heap nr=")
            .count()
    }

    /// Run in a child process of its own (below), so that its allocator
    /// starts fresh: with the limit set, eight threads that each allocate
    /// share two arenas; without it, each gets one of its own.
    #[test]
    #[ignore = "run by the_service_keeps_two_malloc_arenas_unless_the_environment_says_otherwise"]
    fn eight_threads_allocating() {
        let limited = std::env::var_os("STEWARD_TEST_LIMIT_ARENAS").is_some();
        if limited {
            limit_arenas();
        }
        let threads: Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    let block = vec![i as u8 + 1; 64 << 10];
                    std::thread::sleep(Duration::from_millis(300));
                    block[0]
                })
            })
            .collect();
        for t in threads {
            assert!(t.join().unwrap() > 0);
        }
        println!("arenas={}", arenas());
    }

    #[test]
    fn the_service_keeps_two_malloc_arenas_unless_the_environment_says_otherwise() {
        let arenas_of = |envs: &[(&str, &str)]| -> usize {
            let mut command = std::process::Command::new(std::env::current_exe().unwrap());
            command.args([
                "--exact",
                "memory::tests::eight_threads_allocating",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ]);
            command.env_remove("MALLOC_ARENA_MAX");
            for (name, value) in envs {
                command.env(name, value);
            }
            let out = command.output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(out.status.success(), "{text}");
            text.split("arenas=")
                .nth(1)
                .and_then(|n| n.split_whitespace().next()?.parse().ok())
                .unwrap_or_else(|| panic!("no count in:\n{text}"))
        };
        assert_eq!(arenas_of(&[("STEWARD_TEST_LIMIT_ARENAS", "1")]), 2);
        // The operator's MALLOC_ARENA_MAX stands.
        assert_eq!(
            arenas_of(&[
                ("STEWARD_TEST_LIMIT_ARENAS", "1"),
                ("MALLOC_ARENA_MAX", "4")
            ]),
            4
        );
        // glibc's own default: an arena for each thread here.
        assert!(arenas_of(&[]) > 4);
    }

    #[test]
    fn only_the_binarys_read_only_private_mappings_are_paged_out() {
        let maps = "\
55d0c0000000-55d0c1000000 r--p 00000000 08:01 42 /usr/local/bin/steward
Size:              16384 kB
Anonymous:             0 kB
55d0c1000000-55d0c6000000 r-xp 01000000 08:01 42 /usr/local/bin/steward
Anonymous:             0 kB
55d0c5f00000-55d0c6000000 r--p 05f00000 08:01 42 /usr/local/bin/steward
Anonymous:           512 kB
VmFlags: rd mr mw me ac sd
55d0c6000000-55d0c6400000 rw-p 06000000 08:01 42 /usr/local/bin/steward
55d0c6400000-55d0c6500000 rw-p 00000000 00:00 0 
55d0c7000000-55d0c7100000 rw-p 00000000 00:00 0                          [heap]
7f0000000000-7f0000100000 r-xp 00000000 08:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6
7f0000200000-7f0000300000 r--s 00000000 08:01 42 /usr/local/bin/steward
7f0000400000-7f0000500000 r-xp 00000000 08:01 43 /usr/local/bin/steward-old
7f0000600000-7f0000700000 r--p 00000000 08:01 90 /data/compiled/pip.cwasm
";
        let ranges: Vec<_> = own_code(maps, Path::new("/usr/local/bin/steward")).collect();
        let mapping = |start, end, unwritten| Mapping {
            start,
            end,
            unwritten,
        };
        // The relocated constants (written once, then made read-only) are
        // only paged out, never dropped: their pages differ from the file.
        assert_eq!(
            ranges,
            [
                mapping(0x55d0c0000000, 0x55d0c1000000, true),
                mapping(0x55d0c1000000, 0x55d0c6000000, true),
                mapping(0x55d0c5f00000, 0x55d0c6000000, false),
            ]
        );
    }

    #[test]
    fn paging_out_leaves_the_binarys_code_working_and_frees_its_resident_pages() {
        // This test binary's own code, resident since it ran.
        let before = file_bytes().unwrap();
        let asked = page_out_own_code();
        let after = file_bytes().unwrap();
        assert!(asked > 0, "no mapping of the test binary was advised");
        assert!(
            after < before,
            "file-backed memory {before} bytes before, {after} after"
        );
        // The code runs on, faulted back in.
        assert_eq!(status_bytes("VmRSS:").map(|b| b > 0), Some(true));
    }

    /// The service runs as its own user, with a binary root owns: the
    /// kernel ignores MADV_PAGEOUT there, so the code must still go. The
    /// test binary, copied root-owned, runs the test above as `nobody`.
    #[test]
    fn a_service_user_that_does_not_own_the_binary_still_gives_its_code_back() {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            eprintln!("not root: cannot run the test binary as another user here");
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let copy = dir.path().join("service-tests");
        std::fs::copy(std::env::current_exe().unwrap(), &copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
        let out = std::process::Command::new("setpriv")
            .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
            .arg(&copy)
            .args([
                "--exact",
                "memory::tests::paging_out_leaves_the_binarys_code_working_and_frees_its_resident_pages",
            ])
            .current_dir(dir.path())
            .output()
            .expect("setpriv runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "as nobody:\n{text}");
        assert!(text.contains("1 passed"), "as nobody:\n{text}");
    }
}
