//! The private HTTP cache of provider requests (RFC 9111): GET responses kept
//! under `<data>/cache/http/`, served while fresh, revalidated with `ETag` /
//! `Last-Modified` once stale. What is fresh, what may be stored and how a 304
//! updates an entry is `http-cache-semantics`' `CachePolicy`; this module owns
//! the storage (one file per entry, LRU eviction under a size cap).
//! Registry metadata (a request marked `Cache-Control: max-stale`) may instead
//! be reused under the operator's window (`registry_max_age_secs`), see [`Reuse`].
//! It never decides whether a provider may reach a host: the caller checks the
//! grant before every lookup, hit or miss.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{HeaderMap, HeaderName, HeaderValue};
use http_cache_semantics::{AfterResponse, BeforeRequest, CacheOptions, CachePolicy};
use serde::{Deserialize, Serialize};
use sha2::Digest;
use tokio::task::JoinHandle;

/// The first bytes of every entry; a file without them is not ours.
const MAGIC: &[u8] = b"steward-http-cache-1\n";

/// Request headers that make a response personal: such requests bypass the
/// cache, so one provider's credentials never answer another's request.
const PERSONAL: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// Request headers with which a provider revalidates by itself: its request
/// goes to the server untouched and its answer is not stored. They are also
/// the headers the policy adds to revalidate a stale entry.
const CONDITIONAL: [&str; 4] = [
    "if-none-match",
    "if-modified-since",
    "if-match",
    "if-unmodified-since",
];

/// How the policy reads HTTP here: a private cache (one Steward, so `private`
/// answers are its to keep) without heuristic freshness, so an answer that
/// does not say how long it stays fresh is revalidated every time, as pip's
/// cache does: a package index page must show a new release at once.
fn options() -> CacheOptions {
    CacheOptions {
        shared: false,
        cache_heuristic: 0.0,
        immutable_min_time_to_live: Duration::ZERO,
        ignore_cargo_cult: false,
    }
}

/// The cache directory and its size cap. Entries are one file each, named by
/// the sha256 of method, URL and `Accept`; they are written to a temporary
/// name and renamed, so a reader sees a whole entry or none.
pub struct HttpCache {
    dir: PathBuf,
    limit_bytes: u64,
    /// Makes temporary names unique between the tasks of one process.
    seq: AtomicU64,
}

/// A stored response: what the server said and when.
#[derive(Debug, Clone)]
pub struct Stored {
    meta: Meta,
    policy: CachePolicy,
    /// The conditional headers the policy revalidates with; empty unless
    /// the entry was looked up stale.
    validators: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Meta {
    method: String,
    url: String,
    accept: Option<String>,
    /// The request's values of the headers the response's `Vary` names
    /// (lowercase names; `None` for absent): with `accept`, the request as
    /// the policy needs it to match later ones.
    vary: Vec<(String, Option<String>)>,
    status: u16,
    headers: Vec<(String, String)>,
    /// Unix seconds when the request that produced the entry was sent and
    /// its answer arrived. Age counts from the request (RFC 9111 4.2.3
    /// counts the response delay; the policy counts from the time it is given).
    request_time: i64,
    response_time: i64,
    body_len: u64,
    body_crc: u32,
}

/// By which rule a stored answer may be reused without asking the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// HTTP's (RFC 9111): while the server's headers say it is fresh, else
    /// revalidated.
    Http,
    /// The operator's window for registry metadata: an answer younger than
    /// this is reused whatever its headers say (registries and the proxies
    /// in front of them often send none, so every check asked again), an
    /// older one is revalidated or fetched again.
    Window(Duration),
}

/// The request directive with which a provider marks registry metadata: it
/// accepts an answer that is not the newest (RFC 9111 `max-stale`), and the
/// operator's window bounds how old. Security look-ups never carry it.
const REGISTRY_METADATA: &str = "max-stale";

/// Whether a request is registry metadata (it carries `Cache-Control:
/// max-stale`), and its headers without that directive: the window is
/// Steward's to apply, so neither the cache policy (which would take a bare
/// `max-stale` as "any age") nor a server or proxy sees it.
pub fn registry_metadata(headers: &[(String, String)]) -> (bool, Vec<(String, String)>) {
    let mut marked = false;
    let mut kept = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        if !name.eq_ignore_ascii_case("cache-control") {
            kept.push((name.clone(), value.clone()));
            continue;
        }
        let directives: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|d| {
                let directive = d.split('=').next().unwrap_or("").trim();
                let registry = directive.eq_ignore_ascii_case(REGISTRY_METADATA);
                marked |= registry;
                !registry && !d.is_empty()
            })
            .collect();
        if !directives.is_empty() {
            kept.push((name.clone(), directives.join(", ")));
        }
    }
    (marked, kept)
}

/// What the cache holds for a request.
#[derive(Debug)]
pub enum Lookup {
    /// Nothing usable: send the request as it is.
    Miss,
    /// Fresh: answer from the cache without asking the server.
    Fresh(Stored),
    /// Stale, with validators: ask the server whether it changed.
    Stale(Stored),
}

impl HttpCache {
    pub fn new(dir: &Path, limit_bytes: u64) -> HttpCache {
        HttpCache {
            dir: dir.to_path_buf(),
            limit_bytes,
            seq: AtomicU64::new(0),
        }
    }

    /// Whether an answer was stored (or an entry replaced or removed) within
    /// `recent`: each is a rename into, or removal from, the one directory,
    /// which its modification time records. A cache that took nothing
    /// lately holds nothing a check may use without asking.
    pub fn stored_within(&self, recent: Duration) -> bool {
        std::fs::metadata(&self.dir)
            .and_then(|m| m.modified())
            .is_ok_and(|changed| changed.elapsed().is_ok_and(|age| age < recent))
    }

    /// Whether a request with these headers may use the cache at all.
    pub fn consults(headers: &[(String, String)]) -> bool {
        let no_store = all_values(headers, "cache-control")
            .flat_map(|v| v.split(','))
            .any(|d| d.trim().eq_ignore_ascii_case("no-store"));
        !no_store
            && !headers.iter().any(|(name, _)| {
                let name = name.to_ascii_lowercase();
                PERSONAL.contains(&name.as_str()) || CONDITIONAL.contains(&name.as_str())
            })
    }

    fn path(&self, url: &str, headers: &[(String, String)]) -> PathBuf {
        let mut hasher = sha2::Sha256::new();
        hasher.update(b"GET\n");
        hasher.update(url.as_bytes());
        hasher.update(b"\n");
        hasher.update(header(headers, "accept").unwrap_or("").as_bytes());
        self.dir.join(hex::encode(hasher.finalize()))
    }

    /// What the cache holds for `GET url` with `headers`, as of `now`, reused
    /// by `reuse`'s rule. An entry that cannot be read whole is removed and
    /// counts as a miss.
    pub fn lookup(
        &self,
        url: &str,
        headers: &[(String, String)],
        now: SystemTime,
        reuse: Reuse,
    ) -> Lookup {
        let path = self.path(url, headers);
        let Ok(file) = std::fs::File::open(&path) else {
            return Lookup::Miss;
        };
        let Some(mut stored) = read_entry(file) else {
            tracing::warn!("discarding corrupt HTTP cache entry {}", path.display());
            let _ = std::fs::remove_file(&path);
            return Lookup::Miss;
        };
        let accept = header(headers, "accept").map(str::to_string);
        if stored.meta.method != "GET" || stored.meta.url != url || stored.meta.accept != accept {
            return Lookup::Miss;
        }
        if let Reuse::Window(window) = reuse {
            return self.lookup_in_window(&path, stored, url, headers, now, window);
        }
        let Some(request) = get_request(url, headers) else {
            return Lookup::Miss;
        };
        match stored.policy.before_request(&request, now) {
            BeforeRequest::Fresh(_) => {
                touch(&path, now);
                Lookup::Fresh(stored)
            }
            // Another variant (`Vary`) of the resource: not this request's.
            BeforeRequest::Stale { matches: false, .. } => Lookup::Miss,
            BeforeRequest::Stale { request, .. } => {
                stored.validators = conditional_headers(&request.headers);
                if stored.validators.is_empty() {
                    Lookup::Miss
                } else {
                    Lookup::Stale(stored)
                }
            }
        }
    }

    /// [`Reuse::Window`]'s lookup: the entry must answer this request
    /// (`Vary`), and is reused while younger than `window` (its age counts
    /// from our request, plus any `Age` an upstream cache gave it); past
    /// that it is revalidated, whatever the server said about freshness.
    fn lookup_in_window(
        &self,
        path: &Path,
        mut stored: Stored,
        url: &str,
        headers: &[(String, String)],
        now: SystemTime,
        window: Duration,
    ) -> Lookup {
        // Asked as `no-cache`, the policy answers with the revalidation
        // request and whether the entry matches at all, fresh or not.
        let mut probe = headers.to_vec();
        probe.push(("cache-control".to_string(), "no-cache".to_string()));
        let Some(request) = get_request(url, &probe) else {
            return Lookup::Miss;
        };
        let BeforeRequest::Stale {
            request,
            matches: true,
        } = stored.policy.before_request(&request, now)
        else {
            return Lookup::Miss;
        };
        if stored.policy.age(now) < window {
            touch(path, now);
            return Lookup::Fresh(stored);
        }
        stored.validators = conditional_headers(&request.headers);
        if stored.validators.is_empty() {
            Lookup::Miss
        } else {
            Lookup::Stale(stored)
        }
    }

    /// Keeps a network answer when HTTP allows it (a 200 the policy may
    /// store) and it can be used again: under HTTP's rules when it is fresh
    /// for a while or carries a validator, under a window always (that is
    /// what the window is for); and `Vary` must not rule every request out.
    /// Returns whether it was stored. Checks write through a [`Writer`]
    /// (`prepare`, then `put` off the answer's path); this one-step form
    /// is what the tests use.
    #[cfg(test)]
    #[allow(clippy::too_many_arguments)]
    pub fn store(
        &self,
        url: &str,
        request_headers: &[(String, String)],
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
        request_time: SystemTime,
        response_time: SystemTime,
        reuse: Reuse,
    ) -> bool {
        self.prepare(
            url,
            request_headers,
            status,
            headers,
            body,
            request_time,
            response_time,
            reuse,
        )
        .is_some_and(|entry| self.put(entry))
    }

    /// What [`HttpCache::store`] would write, decided and encoded but not
    /// yet written (`None`: not kept), for a [`Writer`] to write.
    #[allow(clippy::too_many_arguments)]
    pub fn prepare(
        &self,
        url: &str,
        request_headers: &[(String, String)],
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
        request_time: SystemTime,
        response_time: SystemTime,
        reuse: Reuse,
    ) -> Option<Entry> {
        // A registry's "no such package" is an answer the window keeps too:
        // a dependency the index does not have (a local or private one) is
        // otherwise asked about again at every check.
        let kept = status == 200 || (status == 404 && matches!(reuse, Reuse::Window(_)));
        if !kept || !HttpCache::consults(request_headers) || body.len() as u64 > self.limit_bytes {
            return None;
        }
        let vary_names: Vec<String> = all_values(headers, "vary")
            .flat_map(|v| v.split(','))
            .map(|n| n.trim().to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        let meta = Meta {
            method: "GET".to_string(),
            url: url.to_string(),
            accept: header(request_headers, "accept").map(str::to_string),
            vary: vary_names
                .into_iter()
                .map(|n| {
                    let value = header(request_headers, &n).map(str::to_string);
                    (n, value)
                })
                .collect(),
            status,
            headers: headers.to_vec(),
            request_time: unix(request_time),
            response_time: unix(response_time),
            body_len: body.len() as u64,
            body_crc: crc32fast::hash(body),
        };
        let stored = Stored::new(meta, body.to_vec())?;
        let request = get_request(url, request_headers)?;
        if !stored.policy.is_storable() {
            return None;
        }
        let reusable = match stored.policy.before_request(&request, request_time) {
            BeforeRequest::Fresh(_) => true,
            BeforeRequest::Stale { matches, request } => {
                matches
                    && (matches!(reuse, Reuse::Window(_))
                        || !conditional_headers(&request.headers).is_empty())
            }
        };
        reusable.then(|| Entry {
            path: self.path(url, request_headers),
            bytes: encode(&stored),
        })
    }

    /// Writes a prepared entry; whether it was written.
    pub fn put(&self, entry: Entry) -> bool {
        self.write_bytes(&entry.path, &entry.bytes)
    }

    /// A 304 for `stored`: the policy merges its headers into the stored
    /// ones and the freshness clock restarts; the stored body is the answer.
    /// A 304 whose validator names another representation leaves the entry
    /// out of the cache, so the next request fetches it whole.
    pub fn refresh(
        &self,
        request_headers: &[(String, String)],
        stored: Stored,
        not_modified: &[(String, String)],
        request_time: SystemTime,
        response_time: SystemTime,
    ) -> Stored {
        let path = self.path(&stored.meta.url, request_headers);
        let Some(request) = get_request(&stored.meta.url, request_headers) else {
            let _ = std::fs::remove_file(&path);
            return stored;
        };
        // The 304 answers the validators we sent; one that repeats none of
        // them confirms those (the policy would otherwise not match it).
        let mut confirmed = not_modified.to_vec();
        if header(not_modified, "etag").is_none() && header(not_modified, "last-modified").is_none()
        {
            for name in ["etag", "last-modified"] {
                if let Some(value) = header(&stored.meta.headers, name) {
                    confirmed.push((name.to_string(), value.to_string()));
                }
            }
        }
        let response = response_parts(304, &confirmed);
        let AfterResponse::NotModified(_, merged) =
            stored
                .policy
                .after_response(&request, &response, request_time)
        else {
            let _ = std::fs::remove_file(&path);
            return stored;
        };
        // The policy stamps `Date` and `Age` with its own clock; the stored
        // entry keeps the server's, and the 304's `Age` if it has one.
        let mut headers = header_pairs(&merged.headers);
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case("age") && !n.eq_ignore_ascii_case("date"));
        let date = header(not_modified, "date").or(header(&stored.meta.headers, "date"));
        let age = header(not_modified, "age");
        for (name, value) in [("date", date), ("age", age)] {
            if let Some(value) = value {
                headers.push((name.to_string(), value.to_string()));
            }
        }
        let meta = Meta {
            headers,
            request_time: unix(request_time),
            response_time: unix(response_time),
            ..stored.meta.clone()
        };
        let Some(refreshed) = Stored::new(meta, stored.body.clone()) else {
            let _ = std::fs::remove_file(&path);
            return stored;
        };
        if refreshed.policy.is_storable() {
            self.write(&path, &refreshed);
        } else {
            let _ = std::fs::remove_file(&path);
        }
        refreshed
    }

    fn write(&self, path: &Path, stored: &Stored) -> bool {
        self.write_bytes(path, &encode(stored))
    }

    fn write_bytes(&self, path: &Path, bytes: &[u8]) -> bool {
        let result = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let seq = self.seq.fetch_add(1, Ordering::Relaxed);
            let tmp = path.with_extension(format!("partial.{}.{seq}", std::process::id()));
            // Created, never opened: a link planted at the name is not
            // written through.
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)?;
            f.write_all(bytes)?;
            // No fsync: losing an entry to a crash costs one request, and a
            // torn entry fails its checksum and is dropped.
            drop(f);
            std::fs::rename(&tmp, path).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })
        })();
        match result {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("cannot write HTTP cache entry {}: {e}", path.display());
                false
            }
        }
    }

    /// Removes the least recently used entries (by modification time, which
    /// a hit renews) until the cache fits its cap, and leftover temporary
    /// files of writers that died.
    pub fn enforce_limit(&self) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        let stale_temp = SystemTime::now() - Duration::from_secs(3600);
        for entry in dir.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            let modified = meta.modified().unwrap_or(UNIX_EPOCH);
            let path = entry.path();
            let temporary = path
                .extension()
                .is_some_and(|e| e.to_string_lossy().contains("partial"))
                || path.to_string_lossy().contains(".partial.");
            if temporary {
                if modified < stale_temp {
                    let _ = std::fs::remove_file(&path);
                }
                continue;
            }
            entries.push((modified, meta.len(), path));
        }
        let mut total: u64 = entries.iter().map(|(_, len, _)| len).sum();
        if total <= self.limit_bytes {
            return;
        }
        entries.sort_by_key(|(modified, _, _)| *modified);
        for (_, len, path) in entries {
            if total <= self.limit_bytes {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

/// An answer to keep, encoded, and the file it goes to.
pub struct Entry {
    path: PathBuf,
    bytes: Vec<u8>,
}

/// Writes one batch's entries on a thread of its own, in the order they
/// come, then evicts if the cache outgrew its cap: creating the files is
/// most of what storing costs (ext4 allocating an inode each), and it need
/// not hold the answers back from the provider, which parses them
/// meanwhile. The thread starts with the first entry, so a batch answered
/// wholly from the cache starts none. Whoever ends the call waits for it
/// ([`PendingWrites::finish`]), so an entry written is there for the next
/// check, in this process or the next.
pub struct Writer {
    cache: Arc<HttpCache>,
    running: Mutex<Option<(mpsc::Sender<Entry>, JoinHandle<()>)>>,
}

impl Writer {
    pub fn new(cache: Arc<HttpCache>) -> Self {
        Writer {
            cache,
            running: Mutex::new(None),
        }
    }

    /// Queues `entry` for writing. Must be called within a tokio runtime.
    pub fn write(&self, entry: Entry) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let (queue, _) = running.get_or_insert_with(|| {
            let (queue, entries) = mpsc::channel::<Entry>();
            let cache = self.cache.clone();
            let thread = tokio::task::spawn_blocking(move || {
                let mut wrote = false;
                for entry in entries {
                    wrote |= cache.put(entry);
                }
                if wrote {
                    cache.enforce_limit();
                }
            });
            (queue, thread)
        });
        // The thread only ends once the queue is closed (or it panicked,
        // when the entry is lost as a failed write would be).
        let _ = queue.send(entry);
    }

    /// Closes the queue (what is in it is still written) and hands over the
    /// thread to wait for, if one started.
    pub fn finish(self) -> Option<JoinHandle<()>> {
        let running = self.running.into_inner().unwrap_or_else(|e| e.into_inner());
        running.map(|(queue, thread)| {
            drop(queue);
            thread
        })
    }
}

/// The cache writes a call's batches left running; the call waits for them
/// before it returns.
#[derive(Default)]
pub struct PendingWrites(Mutex<Vec<JoinHandle<()>>>);

impl PendingWrites {
    pub fn add(&self, thread: JoinHandle<()>) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(thread);
    }

    /// Waits until every queued entry is written.
    pub async fn finish(&self) {
        let threads = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
        for thread in threads {
            if let Err(e) = thread.await {
                tracing::warn!("writing HTTP cache entries failed: {e}");
            }
        }
    }
}

impl Stored {
    /// The entry with its policy, rebuilt from the request and response
    /// it records; `None` when its URL is not one `http` can represent.
    fn new(meta: Meta, body: Vec<u8>) -> Option<Stored> {
        let mut request_headers: Vec<(String, String)> = meta
            .vary
            .iter()
            .filter_map(|(n, v)| Some((n.clone(), v.clone()?)))
            .collect();
        if let Some(accept) = &meta.accept {
            request_headers.push(("accept".to_string(), accept.clone()));
        }
        let request = get_request(&meta.url, &request_headers)?;
        let response = response_parts(meta.status, &meta.headers);
        let policy =
            CachePolicy::new_options(&request, &response, from_unix(meta.request_time), options());
        Some(Stored {
            meta,
            policy,
            validators: Vec::new(),
            body,
        })
    }

    pub fn status(&self) -> u16 {
        self.meta.status
    }

    /// The stored headers, with `Age` saying how old the answer is now.
    pub fn headers(&self, now: SystemTime) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .meta
            .headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("age"))
            .cloned()
            .collect();
        headers.push((
            "age".to_string(),
            self.policy.age(now).as_secs().to_string(),
        ));
        headers
    }

    /// How old the answer is at `now`: since our request, plus the `Age`
    /// an upstream cache gave it.
    pub fn age(&self, now: SystemTime) -> Duration {
        self.policy.age(now)
    }

    /// The conditional headers that ask the server whether this changed.
    pub fn validators(&self) -> Vec<(String, String)> {
        self.validators.clone()
    }
}

/// A GET of `url` with `headers`, as the policy reads requests; `None` for
/// a URL `http` cannot represent (such requests are not cached).
fn get_request(url: &str, headers: &[(String, String)]) -> Option<http::request::Parts> {
    let uri = http::Uri::from_str(url).ok()?;
    let (mut parts, ()) = http::Request::get(uri).body(()).ok()?.into_parts();
    parts.headers = header_map(headers);
    Some(parts)
}

fn response_parts(status: u16, headers: &[(String, String)]) -> http::response::Parts {
    let (mut parts, ()) = http::Response::new(()).into_parts();
    parts.status = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK);
    parts.headers = header_map(headers);
    parts
}

/// Headers that are not valid HTTP are left out: the policy cannot read them.
fn header_map(headers: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            map.append(name, value);
        }
    }
    map
}

fn header_pairs(map: &HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn conditional_headers(map: &HeaderMap) -> Vec<(String, String)> {
    header_pairs(map)
        .into_iter()
        .filter(|(n, _)| CONDITIONAL.contains(&n.as_str()))
        .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn all_values<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn from_unix(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

/// Marks a hit as recently used, for eviction.
fn touch(path: &Path, now: SystemTime) {
    if let Ok(f) = std::fs::File::options().write(true).open(path) {
        let _ = f.set_modified(now);
    }
}

fn encode(stored: &Stored) -> Vec<u8> {
    let meta = serde_json::to_vec(&stored.meta).expect("cache metadata serializes");
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + meta.len() + stored.body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
    out.extend_from_slice(&meta);
    out.extend_from_slice(&stored.body);
    out
}

/// The entry in `file`, or `None` when any part of it is not what was
/// written (wrong magic, unreadable metadata, wrong length or checksum).
/// Its head is read first, then its body straight into a buffer of its own
/// that becomes the answer's: a warm check reads megabytes of registry
/// answers, and reading each entry whole then copying its body out again
/// was a second allocation and copy of all of them.
fn read_entry(file: std::fs::File) -> Option<Stored> {
    use std::io::Read;
    let len = file.metadata().ok()?.len();
    let mut file = std::io::BufReader::with_capacity(16 * 1024, file);
    let mut head = [0u8; MAGIC.len() + 4];
    file.read_exact(&mut head).ok()?;
    let meta_len = u32::from_le_bytes(head.strip_prefix(MAGIC)?.try_into().ok()?) as u64;
    let body_len = len.checked_sub(head.len() as u64 + meta_len)?;
    let mut meta = vec![0u8; usize::try_from(meta_len).ok()?];
    file.read_exact(&mut meta).ok()?;
    let meta: Meta = serde_json::from_slice(&meta).ok()?;
    if body_len != meta.body_len {
        return None;
    }
    let mut body = Vec::with_capacity(usize::try_from(body_len).ok()?);
    // One byte more than the entry says, to notice a file that grew.
    file.take(body_len + 1).read_to_end(&mut body).ok()?;
    if body.len() as u64 != meta.body_len || crc32fast::hash(&body) != meta.body_crc {
        return None;
    }
    Stored::new(meta, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://pypi.org/pypi/attrs/json";

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn at(secs: i64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    }

    /// 2026-11-28T02:00:00Z, as an HTTP date and in Unix seconds.
    const DATE: &str = "Sat, 28 Nov 2026 02:00:00 GMT";
    const T0: i64 = 1_795_831_200;

    fn cache(dir: &Path) -> HttpCache {
        HttpCache::new(dir, 1024 * 1024)
    }

    fn store(cache: &HttpCache, headers: &[(&str, &str)], body: &[u8]) -> bool {
        cache.store(
            URL,
            &[],
            200,
            &h(headers),
            body,
            at(T0),
            at(T0),
            Reuse::Http,
        )
    }

    #[test]
    fn a_link_planted_at_an_entrys_temporary_name_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "untouched").unwrap();
        let entry = cache.path(URL, &[]);
        let temporary = entry.with_extension(format!("partial.{}.0", std::process::id()));
        std::os::unix::fs::symlink(&victim, &temporary).unwrap();
        assert!(!store(&cache, &[("cache-control", "max-age=900")], b"{}"));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    }

    #[test]
    fn a_cache_that_took_no_answer_lately_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let http = dir.path().join("http");
        let cache = cache(&http);
        let recent = Duration::from_secs(600);
        assert!(!cache.stored_within(recent), "nothing stored yet");
        assert!(store(&cache, &[("cache-control", "max-age=900")], b"{}"));
        assert!(cache.stored_within(recent));
        // As the directory says after ten minutes and a second.
        let then = SystemTime::now() - Duration::from_secs(601);
        std::fs::File::open(&http)
            .unwrap()
            .set_modified(then)
            .unwrap();
        assert!(!cache.stored_within(recent));
    }

    #[test]
    fn an_answer_is_fresh_for_its_max_age_then_stale() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        assert!(store(
            &cache,
            &[
                ("cache-control", "max-age=900, public"),
                ("date", DATE),
                ("etag", "\"v1\"")
            ],
            b"{}",
        ));
        match cache.lookup(URL, &[], at(T0 + 899), Reuse::Http) {
            Lookup::Fresh(s) => assert_eq!(s.body, b"{}"),
            other => panic!("expected a fresh hit, got {other:?}"),
        }
        match cache.lookup(URL, &[], at(T0 + 900), Reuse::Http) {
            Lookup::Stale(s) => assert_eq!(s.validators(), h(&[("if-none-match", "\"v1\"")])),
            other => panic!("expected a stale entry, got {other:?}"),
        }
    }

    #[test]
    fn age_from_an_upstream_cache_shortens_freshness() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(
            &cache,
            &[
                ("cache-control", "max-age=900"),
                ("date", DATE),
                ("age", "800"),
            ],
            b"{}",
        );
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 99), Reuse::Http),
            Lookup::Fresh(_)
        ));
        // Stale without a validator: nothing to revalidate with.
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 100), Reuse::Http),
            Lookup::Miss
        ));
    }

    #[test]
    fn expires_counts_from_the_servers_date() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(
            &cache,
            &[
                ("date", DATE),
                ("expires", "Sat, 28 Nov 2026 02:01:00 GMT"),
                ("last-modified", "Fri, 27 Nov 2026 00:00:00 GMT"),
            ],
            b"{}",
        );
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 59), Reuse::Http),
            Lookup::Fresh(_)
        ));
        match cache.lookup(URL, &[], at(T0 + 60), Reuse::Http) {
            Lookup::Stale(s) => assert_eq!(
                s.validators(),
                h(&[("if-modified-since", "Fri, 27 Nov 2026 00:00:00 GMT")])
            ),
            other => panic!("expected a stale entry, got {other:?}"),
        }
    }

    #[test]
    fn max_age_wins_over_expires_and_no_cache_always_revalidates() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(
            &cache,
            &[
                ("date", DATE),
                ("expires", "garbage"),
                ("cache-control", "max-age=60"),
            ],
            b"{}",
        );
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 30), Reuse::Http),
            Lookup::Fresh(_)
        ));
        store(
            &cache,
            &[
                ("date", DATE),
                ("cache-control", "no-cache, max-age=60"),
                ("etag", "\"a\""),
            ],
            b"{}",
        );
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 1), Reuse::Http),
            Lookup::Stale(_)
        ));
    }

    #[test]
    fn a_request_asking_for_max_age_zero_revalidates_a_fresh_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(
            &cache,
            &[
                ("date", DATE),
                ("cache-control", "max-age=900"),
                ("etag", "\"a\""),
            ],
            b"{}",
        );
        let asked = h(&[("cache-control", "max-age=0")]);
        assert!(matches!(
            cache.lookup(URL, &asked, at(T0 + 1), Reuse::Http),
            Lookup::Stale(_)
        ));
        let pragma = h(&[("pragma", "no-cache")]);
        assert!(matches!(
            cache.lookup(URL, &pragma, at(T0 + 1), Reuse::Http),
            Lookup::Stale(_)
        ));
    }

    #[test]
    fn no_store_unusable_and_personal_answers_are_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        assert!(!store(
            &cache,
            &[("cache-control", "no-store, max-age=900")],
            b"{}"
        ));
        // Neither fresh for a while nor revalidatable: keeping it buys nothing.
        assert!(!store(&cache, &[("date", DATE)], b"{}"));
        assert!(!store(
            &cache,
            &[("cache-control", "max-age=900"), ("vary", "*")],
            b"{}"
        ));
        let personal = h(&[("authorization", "Bearer x")]);
        assert!(!cache.store(
            URL,
            &personal,
            200,
            &h(&[("cache-control", "max-age=900")]),
            b"{}",
            at(T0),
            at(T0),
            Reuse::Http
        ));
        assert!(!cache.store(
            URL,
            &[],
            404,
            &h(&[("cache-control", "max-age=900")]),
            b"{}",
            at(T0),
            at(T0),
            Reuse::Http
        ));
        assert!(matches!(
            cache.lookup(URL, &[], at(T0), Reuse::Http),
            Lookup::Miss
        ));
    }

    #[test]
    fn the_accept_header_and_vary_headers_select_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let json = h(&[("accept", "application/json"), ("x-client", "a")]);
        assert!(cache.store(
            URL,
            &json,
            200,
            &h(&[
                ("cache-control", "max-age=900"),
                ("date", DATE),
                ("vary", "X-Client")
            ]),
            b"json",
            at(T0),
            at(T0),
            Reuse::Http,
        ));
        assert!(matches!(
            cache.lookup(URL, &json, at(T0 + 1), Reuse::Http),
            Lookup::Fresh(_)
        ));
        let html = h(&[("accept", "text/html"), ("x-client", "a")]);
        assert!(matches!(
            cache.lookup(URL, &html, at(T0 + 1), Reuse::Http),
            Lookup::Miss
        ));
        let other_client = h(&[("accept", "application/json"), ("x-client", "b")]);
        assert!(matches!(
            cache.lookup(URL, &other_client, at(T0 + 1), Reuse::Http),
            Lookup::Miss
        ));
    }

    #[test]
    fn a_304_restarts_freshness_and_keeps_the_body() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(
            &cache,
            &[
                ("cache-control", "max-age=60"),
                ("date", DATE),
                ("etag", "\"v1\""),
                ("content-length", "2"),
            ],
            b"{}",
        );
        let Lookup::Stale(stale) = cache.lookup(URL, &[], at(T0 + 120), Reuse::Http) else {
            panic!("expected a stale entry");
        };
        let later = "Sat, 28 Nov 2026 02:02:00 GMT";
        let refreshed = cache.refresh(
            &[],
            stale,
            &h(&[
                ("date", later),
                ("etag", "\"v1\""),
                ("cache-control", "max-age=600"),
                ("content-length", "0"),
            ]),
            at(T0 + 120),
            at(T0 + 120),
        );
        assert_eq!(refreshed.body, b"{}");
        let headers = refreshed.headers(at(T0 + 120));
        assert_eq!(header(&headers, "content-length"), Some("2"));
        assert_eq!(header(&headers, "cache-control"), Some("max-age=600"));
        match cache.lookup(URL, &[], at(T0 + 700), Reuse::Http) {
            Lookup::Fresh(s) => assert_eq!(s.body, b"{}"),
            other => panic!("expected the refreshed entry to be fresh, got {other:?}"),
        }
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 720), Reuse::Http),
            Lookup::Stale(_)
        ));
    }

    /// An entry fresh for 60 s with ETag "v1", looked up 120 s later.
    fn stale_v1(cache: &HttpCache) -> Stored {
        store(
            cache,
            &[
                ("cache-control", "max-age=60"),
                ("date", DATE),
                ("etag", "\"v1\""),
            ],
            b"{}",
        );
        match cache.lookup(URL, &[], at(T0 + 120), Reuse::Http) {
            Lookup::Stale(stale) => stale,
            other => panic!("expected a stale entry, got {other:?}"),
        }
    }

    #[test]
    fn a_304_without_validators_confirms_the_stored_ones() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let stale = stale_v1(&cache);
        cache.refresh(&[], stale, &h(&[]), at(T0 + 120), at(T0 + 120));
        match cache.lookup(URL, &[], at(T0 + 150), Reuse::Http) {
            Lookup::Fresh(s) => {
                assert_eq!(header(&s.headers(at(T0 + 150)), "etag"), Some("\"v1\""))
            }
            other => panic!("expected the confirmed entry to be fresh, got {other:?}"),
        }
    }

    #[test]
    fn a_304_naming_another_representation_drops_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let stale = stale_v1(&cache);
        let answer = cache.refresh(
            &[],
            stale,
            &h(&[("etag", "\"v2\""), ("cache-control", "max-age=600")]),
            at(T0 + 120),
            at(T0 + 120),
        );
        assert_eq!(answer.body, b"{}");
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 121), Reuse::Http),
            Lookup::Miss
        ));
    }

    #[test]
    fn a_private_answer_is_kept_and_last_modified_alone_is_never_fresh() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        assert!(store(
            &cache,
            &[("cache-control", "private, max-age=60"), ("date", DATE)],
            b"{}",
        ));
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 59), Reuse::Http),
            Lookup::Fresh(_)
        ));
        // No heuristic freshness: a year-old Last-Modified still revalidates.
        assert!(store(
            &cache,
            &[
                ("date", DATE),
                ("last-modified", "Fri, 28 Nov 2025 02:00:00 GMT")
            ],
            b"{}",
        ));
        assert!(matches!(
            cache.lookup(URL, &[], at(T0), Reuse::Http),
            Lookup::Stale(_)
        ));
    }

    #[test]
    fn age_counts_from_the_request_and_min_fresh_asks_for_more_time() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let headers = h(&[("cache-control", "max-age=60"), ("etag", "\"a\"")]);
        // The answer took 10 s to arrive: it was already 10 s old then.
        assert!(cache.store(
            URL,
            &[],
            200,
            &headers,
            b"{}",
            at(T0),
            at(T0 + 10),
            Reuse::Http
        ));
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 59), Reuse::Http),
            Lookup::Fresh(_)
        ));
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 60), Reuse::Http),
            Lookup::Stale(_)
        ));
        let min_fresh = h(&[("cache-control", "min-fresh=30")]);
        assert!(matches!(
            cache.lookup(URL, &min_fresh, at(T0 + 20), Reuse::Http),
            Lookup::Fresh(_)
        ));
        assert!(matches!(
            cache.lookup(URL, &min_fresh, at(T0 + 31), Reuse::Http),
            Lookup::Stale(_)
        ));
    }

    #[test]
    fn a_corrupt_entry_is_a_miss_and_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(
            &cache,
            &[("cache-control", "max-age=900"), ("date", DATE)],
            b"0123456789",
        );
        let path = cache.path(URL, &[]);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 1), Reuse::Http),
            Lookup::Miss
        ));
        assert!(!path.exists());
        std::fs::write(&path, b"not an entry").unwrap();
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 1), Reuse::Http),
            Lookup::Miss
        ));
        // And a new answer replaces it.
        store(
            &cache,
            &[("cache-control", "max-age=900"), ("date", DATE)],
            b"new",
        );
        assert!(
            matches!(cache.lookup(URL, &[], at(T0 + 1), Reuse::Http), Lookup::Fresh(s) if s.body == b"new")
        );
    }

    /// Entries are read head first and body straight into its buffer: a
    /// body larger than the read buffer comes back whole, and an entry cut
    /// short or grown since it was written is a miss.
    #[test]
    fn a_large_body_reads_back_whole_and_a_cut_or_grown_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let headers = [("cache-control", "max-age=900"), ("date", DATE)];
        let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        store(&cache, &headers, &body);
        assert!(
            matches!(cache.lookup(URL, &[], at(T0 + 1), Reuse::Http), Lookup::Fresh(s) if s.body == body)
        );
        let path = cache.path(URL, &[]);
        let whole = std::fs::read(&path).unwrap();
        for damaged in [
            &whole[..whole.len() - 3],
            &[&whole[..], b"more"].concat()[..],
        ] {
            std::fs::write(&path, damaged).unwrap();
            assert!(matches!(
                cache.lookup(URL, &[], at(T0 + 1), Reuse::Http),
                Lookup::Miss
            ));
            assert!(!path.exists(), "a damaged entry is removed");
        }
    }

    #[test]
    fn eviction_removes_least_recently_used_entries_down_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let body = vec![b'x'; 1000];
        let headers = h(&[("cache-control", "max-age=900"), ("date", DATE)]);
        let url = |n: i32| format!("https://pypi.org/pypi/p{n}/json");
        for n in 0..3 {
            assert!(cache.store(
                &url(n),
                &[],
                200,
                &headers,
                &body,
                at(T0),
                at(T0),
                Reuse::Http
            ));
            let f = std::fs::File::options()
                .write(true)
                .open(cache.path(&url(n), &[]))
                .unwrap();
            f.set_modified(at(T0 + i64::from(n))).unwrap();
        }
        // A hit on the oldest makes it the most recently used.
        assert!(matches!(
            cache.lookup(&url(0), &[], at(T0 + 10), Reuse::Http),
            Lookup::Fresh(_)
        ));
        // Room for two of the three entries.
        let entry = std::fs::metadata(cache.path(&url(0), &[])).unwrap().len();
        let cache = HttpCache::new(dir.path(), 2 * entry + entry / 2);
        cache.enforce_limit();
        assert!(matches!(
            cache.lookup(&url(0), &[], at(T0 + 11), Reuse::Http),
            Lookup::Fresh(_)
        ));
        assert!(matches!(
            cache.lookup(&url(1), &[], at(T0 + 11), Reuse::Http),
            Lookup::Miss
        ));
        assert!(matches!(
            cache.lookup(&url(2), &[], at(T0 + 11), Reuse::Http),
            Lookup::Fresh(_)
        ));
    }

    const WINDOW: Reuse = Reuse::Window(Duration::from_secs(300));

    #[test]
    fn a_registry_answer_without_cache_headers_is_reused_within_the_window_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        // What a proxy that strips Cache-Control and validators leaves.
        let bare = h(&[("content-type", "application/json")]);
        assert!(!cache.store(URL, &[], 200, &bare, b"{}", at(T0), at(T0), Reuse::Http));
        assert!(cache.store(URL, &[], 200, &bare, b"{}", at(T0), at(T0), WINDOW));
        match cache.lookup(URL, &[], at(T0 + 299), WINDOW) {
            Lookup::Fresh(s) => assert_eq!(s.age(at(T0 + 299)), Duration::from_secs(299)),
            other => panic!("expected a reuse within the window, got {other:?}"),
        }
        // Past the window, and by HTTP's rules at any time: nothing to reuse.
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 300), WINDOW),
            Lookup::Miss
        ));
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 1), Reuse::Http),
            Lookup::Miss
        ));
    }

    #[test]
    fn a_registrys_not_found_is_kept_under_the_window_only() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let bare = h(&[("content-type", "application/json")]);
        let cached = h(&[("cache-control", "max-age=900"), ("date", DATE)]);
        assert!(!cache.store(URL, &[], 404, &cached, b"{}", at(T0), at(T0), Reuse::Http));
        assert!(cache.store(URL, &[], 404, &bare, b"{}", at(T0), at(T0), WINDOW));
        match cache.lookup(URL, &[], at(T0 + 10), WINDOW) {
            Lookup::Fresh(s) => assert_eq!(s.status(), 404),
            other => panic!("expected the 404 reused within the window, got {other:?}"),
        }
        assert!(!cache.store(URL, &[], 500, &bare, b"{}", at(T0), at(T0), WINDOW));
    }

    #[test]
    fn the_window_caps_a_longer_server_freshness_and_revalidates_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        store(
            &cache,
            &[
                ("cache-control", "max-age=900"),
                ("date", DATE),
                ("etag", "\"v1\""),
            ],
            b"{}",
        );
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 400), Reuse::Http),
            Lookup::Fresh(_)
        ));
        match cache.lookup(URL, &[], at(T0 + 400), WINDOW) {
            Lookup::Stale(s) => assert_eq!(s.validators(), h(&[("if-none-match", "\"v1\"")])),
            other => panic!("expected a revalidation past the window, got {other:?}"),
        }
        // And an upstream cache's Age counts: this one was 250 s old on arrival.
        store(
            &cache,
            &[
                ("cache-control", "max-age=0"),
                ("age", "250"),
                ("etag", "\"v1\""),
            ],
            b"{}",
        );
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 49), WINDOW),
            Lookup::Fresh(_)
        ));
        assert!(matches!(
            cache.lookup(URL, &[], at(T0 + 50), WINDOW),
            Lookup::Stale(_)
        ));
    }

    #[test]
    fn the_window_keeps_vary_and_no_store() {
        let dir = tempfile::tempdir().unwrap();
        let cache = cache(dir.path());
        let a = h(&[("x-client", "a")]);
        let vary = h(&[("vary", "X-Client")]);
        assert!(cache.store(URL, &a, 200, &vary, b"{}", at(T0), at(T0), WINDOW));
        assert!(matches!(
            cache.lookup(URL, &a, at(T0 + 1), WINDOW),
            Lookup::Fresh(_)
        ));
        let b = h(&[("x-client", "b")]);
        assert!(matches!(
            cache.lookup(URL, &b, at(T0 + 1), WINDOW),
            Lookup::Miss
        ));
        let no_store = h(&[("cache-control", "no-store")]);
        assert!(!cache.store(URL, &[], 200, &no_store, b"{}", at(T0), at(T0), WINDOW));
    }

    #[test]
    fn max_stale_marks_registry_metadata_and_is_taken_off_the_request() {
        let (marked, kept) = registry_metadata(&h(&[
            ("accept", "application/json"),
            ("Cache-Control", "max-stale"),
        ]));
        assert!(marked);
        assert_eq!(kept, h(&[("accept", "application/json")]));
        let (marked, kept) =
            registry_metadata(&h(&[("cache-control", "no-transform, max-stale=60")]));
        assert!(marked);
        assert_eq!(kept, h(&[("cache-control", "no-transform")]));
        let (marked, kept) = registry_metadata(&h(&[("cache-control", "no-cache")]));
        assert!(!marked);
        assert_eq!(kept, h(&[("cache-control", "no-cache")]));
    }

    #[test]
    fn requests_with_credentials_or_their_own_validators_bypass_the_cache() {
        assert!(HttpCache::consults(&h(&[("accept", "application/json")])));
        assert!(!HttpCache::consults(&h(&[("Authorization", "Bearer t")])));
        assert!(!HttpCache::consults(&h(&[("If-None-Match", "\"x\"")])));
        assert!(!HttpCache::consults(&h(&[("cache-control", "no-store")])));
    }

    #[tokio::test]
    async fn a_batchs_entries_are_written_by_the_time_the_call_ends() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Arc::new(cache(dir.path()));
        let headers = h(&[("cache-control", "max-age=900"), ("date", DATE)]);
        let pending = PendingWrites::default();
        // A batch that kept nothing starts no writer.
        assert!(Writer::new(cache.clone()).finish().is_none());
        let writer = Writer::new(cache.clone());
        for (url, body) in [
            (URL, &b"first"[..]),
            ("https://pypi.org/simple/x/", b"second"),
        ] {
            let entry = cache
                .prepare(url, &[], 200, &headers, body, at(T0), at(T0), Reuse::Http)
                .expect("a fresh 200 is kept");
            writer.write(entry);
        }
        pending.add(writer.finish().expect("entries started a writer"));
        pending.finish().await;
        for (url, body) in [
            (URL, &b"first"[..]),
            ("https://pypi.org/simple/x/", b"second"),
        ] {
            match cache.lookup(url, &[], at(T0 + 1), Reuse::Http) {
                Lookup::Fresh(s) => assert_eq!(s.body, body),
                other => panic!("{url}: expected the written entry, got {other:?}"),
            }
        }
    }
}
