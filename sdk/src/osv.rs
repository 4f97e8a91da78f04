//! Security advisories from OSV (<https://osv.dev>): the `/v1/querybatch`
//! round trip for installed packages, the `/v1/vulns/{id}` details, and the
//! question "does this version fall in an advisory's affected ranges?".
//! It never orders versions itself: each ecosystem's provider passes its own
//! comparison (PEP 440, node-semver…), because OSV ranges use the ecosystem's.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use crate::{Advisory, Error, HttpRequest, http};

/// One installed package to ask about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// OSV's ecosystem name: `PyPI`, `npm`…
    pub ecosystem: String,
    pub name: String,
    pub version: String,
}

/// What OSV knows about a batch of packages.
#[derive(Debug, Default)]
pub struct Findings {
    /// For each package asked about, in the same order, the advisories that
    /// affect its installed version.
    pub vulns: Vec<Vec<Vuln>>,
    /// Advisories whose details could not be fetched, and similar.
    pub warnings: Vec<String>,
}

/// One OSV advisory, as `/v1/vulns/{id}` describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct Vuln {
    pub id: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub severity: Vec<Severity>,
    #[serde(default)]
    pub affected: Vec<Affected>,
    #[serde(default)]
    pub references: Vec<Reference>,
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Severity {
    #[serde(rename = "type")]
    pub kind: String,
    pub score: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Affected {
    #[serde(default)]
    pub package: Option<AffectedPackage>,
    #[serde(default)]
    pub ranges: Vec<AffectedRange>,
    #[serde(default)]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AffectedPackage {
    pub ecosystem: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AffectedRange {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub events: Vec<Event>,
}

/// One event of a range; OSV gives exactly one of these per event.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Event {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
}

/// Orders two versions of one ecosystem; `None` when either does not parse.
pub type Compare<'a> = &'a dyn Fn(&str, &str) -> Option<Ordering>;

impl Vuln {
    /// Whether `version` of the package (recognised by `is_package`, which
    /// applies the ecosystem's name normalization) is affected. `None` when
    /// the advisory says nothing this code can evaluate about the package.
    pub fn affects(
        &self,
        ecosystem: &str,
        is_package: &dyn Fn(&str) -> bool,
        version: &str,
        cmp: Compare<'_>,
    ) -> Option<bool> {
        let mut answer = None;
        for affected in self.entries_for(ecosystem, is_package) {
            if affected
                .versions
                .iter()
                .any(|v| cmp(v, version) == Some(Ordering::Equal))
            {
                return Some(true);
            }
            for range in &affected.ranges {
                // GIT ranges name commits, not releases.
                if range.kind != "SEMVER" && range.kind != "ECOSYSTEM" {
                    continue;
                }
                match range_affects(&range.events, version, cmp) {
                    Some(true) => return Some(true),
                    Some(false) => answer = Some(false),
                    None => {}
                }
            }
            if answer.is_none() && !affected.versions.is_empty() {
                answer = Some(false);
            }
        }
        answer
    }

    /// The versions the advisory names as fixing it for the package.
    pub fn fixed_versions(
        &self,
        ecosystem: &str,
        is_package: &dyn Fn(&str) -> bool,
    ) -> Vec<String> {
        let mut fixed: Vec<String> = self
            .entries_for(ecosystem, is_package)
            .flat_map(|a| a.ranges.iter())
            .flat_map(|r| r.events.iter())
            .filter_map(|e| e.fixed.clone())
            .collect();
        fixed.dedup();
        fixed
    }

    fn entries_for<'a>(
        &'a self,
        ecosystem: &'a str,
        is_package: &'a dyn Fn(&str) -> bool,
    ) -> impl Iterator<Item = &'a Affected> + 'a {
        self.affected.iter().filter(move |a| {
            a.package
                .as_ref()
                .is_some_and(|p| p.ecosystem == ecosystem && is_package(&p.name))
        })
    }

    /// The advisory as a Steward update carries it.
    pub fn advisory(&self) -> Advisory {
        Advisory {
            id: self.id.clone(),
            summary: self.summary_line(),
            severity: self.severity_label(),
            url: Some(self.link()),
        }
    }

    fn summary_line(&self) -> String {
        if let Some(summary) = self.summary.as_deref().filter(|s| !s.trim().is_empty()) {
            return summary.trim().to_string();
        }
        // PYSEC entries often carry only `details`; its first line is the gist.
        let first = self
            .details
            .as_deref()
            .and_then(|d| d.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("");
        let mut line: String = first.chars().take(160).collect();
        if first.chars().count() > 160 {
            line.push('…');
        }
        line
    }

    /// The database's own label (GitHub's LOW/MODERATE/HIGH/CRITICAL) when it
    /// gives one, else the rating and base score of its CVSS vector (v4.0
    /// preferred over v3.x, the newer standard being the one its authors
    /// chose to add).
    fn severity_label(&self) -> Option<String> {
        let label = self
            .database_specific
            .as_ref()
            .and_then(|d| d.get("severity"))
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty());
        if let Some(label) = label {
            return Some(label.to_ascii_uppercase());
        }
        ["CVSS_V4", "CVSS_V3"]
            .iter()
            .find_map(|kind| {
                self.severity
                    .iter()
                    .filter(|s| s.kind == *kind)
                    .find_map(|s| cvss_score(&s.score))
            })
            .map(|cvss| format!("{} ({:.1})", cvss.rating, cvss.score))
    }

    fn link(&self) -> String {
        for kind in ["ADVISORY", "WEB"] {
            if let Some(r) = self.references.iter().find(|r| r.kind == kind) {
                return r.url.clone();
            }
        }
        format!("https://osv.dev/vulnerability/{}", self.id)
    }
}

/// What advisories mean for one update from the installed version.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The target fixes at least one advisory affecting the installed version.
    pub security: bool,
    /// Every advisory affecting the installed version.
    pub advisories: Vec<Advisory>,
    /// One line per advisory: fixed by the target or not, and where it is.
    pub details: Vec<String>,
}

/// Judges an update to `target` against the advisories that affect the
/// installed version (as OSV's querybatch returned them).
pub fn judge(
    vulns: &[Vuln],
    ecosystem: &str,
    is_package: &dyn Fn(&str) -> bool,
    target: &str,
    cmp: Compare<'_>,
) -> Verdict {
    let mut verdict = Verdict {
        security: false,
        advisories: Vec::new(),
        details: Vec::new(),
    };
    for vuln in vulns {
        verdict.advisories.push(vuln.advisory());
        let fixed_in = vuln.fixed_versions(ecosystem, is_package);
        let where_fixed = if fixed_in.is_empty() {
            "no fixed release is known".to_string()
        } else {
            format!("fixed in {}", fixed_in.join(", "))
        };
        match vuln.affects(ecosystem, is_package, target, cmp) {
            Some(false) => {
                verdict.security = true;
                verdict.details.push(format!("{target} fixes {}", vuln.id));
            }
            Some(true) => verdict.details.push(format!(
                "{} is NOT fixed by {target} ({where_fixed})",
                vuln.id
            )),
            None => verdict.details.push(format!(
                "{}: cannot tell whether {target} fixes it ({where_fixed})",
                vuln.id
            )),
        }
    }
    verdict
}

/// Evaluates one range's events the way the OSV schema defines them: a
/// version is affected from an `introduced` up to (not including) a `fixed`,
/// or up to and including a `last_affected`.
pub fn range_affects(events: &[Event], version: &str, cmp: Compare<'_>) -> Option<bool> {
    // "0" means "since the first release" and sorts before everything.
    let order = |a: &str, b: &str| -> Option<Ordering> {
        match (a == "0", b == "0") {
            (true, true) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Less),
            (false, true) => Some(Ordering::Greater),
            (false, false) => cmp(a, b),
        }
    };
    let mut points: Vec<(&str, &Event)> = Vec::new();
    for event in events {
        let point = event
            .introduced
            .as_deref()
            .or(event.fixed.as_deref())
            .or(event.last_affected.as_deref());
        if let Some(point) = point {
            points.push((point, event));
        }
    }
    for (point, _) in &points {
        order(point, version)?;
    }
    points.sort_by(|a, b| order(a.0, b.0).unwrap_or(Ordering::Equal));
    let mut affected = false;
    for (point, event) in points {
        let here = order(point, version)?;
        let reached = here != Ordering::Greater;
        if event.introduced.is_some() {
            affected |= reached;
        } else if (event.fixed.is_some() && reached)
            || (event.last_affected.is_some() && here == Ordering::Less)
        {
            affected = false;
        }
    }
    Some(affected)
}

/// The body of a `/v1/querybatch` request.
pub fn querybatch_body(packages: &[Package], page_tokens: &[Option<String>]) -> Vec<u8> {
    let queries: Vec<serde_json::Value> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut q = serde_json::json!({
                "package": { "name": p.name, "ecosystem": p.ecosystem },
                "version": p.version,
            });
            if let Some(Some(token)) = page_tokens.get(i) {
                q["page_token"] = serde_json::Value::String(token.clone());
            }
            q
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "queries": queries })).unwrap_or_default()
}

/// One query's answer: advisory ids, and a token when OSV has more pages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct QueryAnswer {
    pub ids: Vec<String>,
    pub next_page_token: Option<String>,
}

/// Parses a `/v1/querybatch` answer, which must answer every query.
pub fn parse_querybatch(body: &[u8], expected: usize) -> Result<Vec<QueryAnswer>, Error> {
    #[derive(Deserialize)]
    struct Batch {
        #[serde(default)]
        results: Vec<Answer>,
    }
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        vulns: Vec<IdOnly>,
        #[serde(default)]
        next_page_token: Option<String>,
    }
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    let batch: Batch = serde_json::from_slice(body)
        .map_err(|e| Error::invalid_data(format!("OSV querybatch answer is not valid: {e}")))?;
    if batch.results.len() != expected {
        return Err(Error::invalid_data(format!(
            "OSV answered {} results for {expected} queries",
            batch.results.len()
        )));
    }
    Ok(batch
        .results
        .into_iter()
        .map(|a| QueryAnswer {
            ids: a.vulns.into_iter().map(|v| v.id).collect(),
            next_page_token: a.next_page_token.filter(|t| !t.is_empty()),
        })
        .collect())
}

/// Parses a `/v1/vulns/{id}` answer.
pub fn parse_vuln(body: &[u8]) -> Result<Vuln, Error> {
    serde_json::from_slice(body)
        .map_err(|e| Error::invalid_data(format!("OSV advisory is not valid: {e}")))
}

/// Drops advisories that are aliases of one already listed (OSV often
/// returns a PYSEC and a GHSA entry for the same flaw).
pub fn dedup_aliases(vulns: Vec<Vuln>) -> Vec<Vuln> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut kept = Vec::new();
    for vuln in vulns {
        if seen.contains(&vuln.id) || vuln.aliases.iter().any(|a| seen.contains(a)) {
            continue;
        }
        seen.insert(vuln.id.clone());
        seen.extend(vuln.aliases.iter().cloned());
        kept.push(vuln);
    }
    kept
}

/// Most pages OSV may hand out for one batch before we stop asking.
const MAX_PAGES: usize = 5;

/// The `/v1/querybatch` request for every package. Providers may send it in
/// the same batch as their registry requests, then hand the answer to
/// [`complete`]; [`lookup`] does both.
pub fn querybatch_request(
    osv_url: &str,
    packages: &[Package],
    timeout_ms: Option<u32>,
) -> HttpRequest {
    let base = osv_url.trim_end_matches('/');
    with_timeout(
        http::post_json(
            &format!("{base}/v1/querybatch"),
            querybatch_body(packages, &vec![None; packages.len()]),
        ),
        timeout_ms,
    )
}

/// Asks OSV about every package: the querybatch, then the details.
pub fn lookup(
    osv_url: &str,
    packages: &[Package],
    timeout_ms: Option<u32>,
) -> Result<Findings, Error> {
    let first = http::send(querybatch_request(osv_url, packages, timeout_ms));
    complete(osv_url, packages, first, timeout_ms)
}

/// Finishes a lookup whose querybatch was sent as the LAST request of a
/// provider's batch: takes that answer off `answers` and completes it. OSV
/// being unreachable costs the advisories, never the check: the failure
/// becomes a warning.
pub fn complete_or_warn(
    osv_url: &str,
    packages: &[Package],
    answers: &mut Vec<Result<crate::HttpResponse, Error>>,
    timeout_ms: Option<u32>,
    warnings: &mut Vec<String>,
) -> Findings {
    complete_answer_or_warn(osv_url, packages, answers.pop(), timeout_ms, warnings)
}

/// As [`complete_or_warn`], for the querybatch's answer taken by the caller
/// (from [`http::send_each`], or `None` when none came).
pub fn complete_answer_or_warn(
    osv_url: &str,
    packages: &[Package],
    first: Option<Result<crate::HttpResponse, Error>>,
    timeout_ms: Option<u32>,
    warnings: &mut Vec<String>,
) -> Findings {
    let first = first.unwrap_or_else(|| Err(Error::network("the host answered no response")));
    match complete(osv_url, packages, first, timeout_ms) {
        Ok(findings) => findings,
        Err(e) => {
            warnings.push(format!(
                "security advisories unavailable: OSV at {osv_url}: {}",
                e.message
            ));
            Findings::default()
        }
    }
}

/// Finishes a lookup from the answer to [`querybatch_request`]: follows
/// OSV's pages, then fetches every advisory's details in one batch.
pub fn complete(
    osv_url: &str,
    packages: &[Package],
    first: Result<crate::HttpResponse, Error>,
    timeout_ms: Option<u32>,
) -> Result<Findings, Error> {
    let base = osv_url.trim_end_matches('/');
    let mut ids: Vec<Vec<String>> = vec![Vec::new(); packages.len()];
    let mut tokens: Vec<Option<String>> = vec![None; packages.len()];
    let mut pending: Vec<usize> = (0..packages.len()).collect();
    let mut findings = Findings::default();
    let mut answer = Some(first);
    for page in 0..MAX_PAGES {
        if pending.is_empty() {
            break;
        }
        let asked: Vec<Package> = pending.iter().map(|&i| packages[i].clone()).collect();
        let response = match answer.take() {
            Some(first) => first,
            None => {
                let asked_tokens: Vec<Option<String>> =
                    pending.iter().map(|&i| tokens[i].clone()).collect();
                http::send(with_timeout(
                    http::post_json(
                        &format!("{base}/v1/querybatch"),
                        querybatch_body(&asked, &asked_tokens),
                    ),
                    timeout_ms,
                ))
            }
        }?;
        if response.status != 200 {
            return Err(Error::network(format!(
                "OSV querybatch answered HTTP {}",
                response.status
            )));
        }
        let answers = parse_querybatch(&response.body, asked.len())?;
        let mut next = Vec::new();
        for (&i, answer) in pending.iter().zip(answers) {
            ids[i].extend(answer.ids);
            if let Some(token) = answer.next_page_token {
                tokens[i] = Some(token);
                next.push(i);
            }
        }
        if page + 1 == MAX_PAGES && !next.is_empty() {
            findings.warnings.push(
                "OSV has more advisories than Steward fetched; the list may be incomplete".into(),
            );
        }
        pending = next;
    }

    let mut unique: Vec<String> = ids.iter().flatten().cloned().collect();
    unique.sort();
    unique.dedup();
    let requests: Vec<HttpRequest> = unique
        .iter()
        .map(|id| with_timeout(http::get(&format!("{base}/v1/vulns/{id}")), timeout_ms))
        .collect();
    let mut details: BTreeMap<String, Vuln> = BTreeMap::new();
    let answers = if requests.is_empty() {
        Vec::new()
    } else {
        http::send_all(&requests)
    };
    for (id, answer) in unique.iter().zip(answers) {
        let parsed = answer.and_then(|r| {
            if r.status == 200 {
                parse_vuln(&r.body)
            } else {
                Err(Error::network(format!("HTTP {}", r.status)))
            }
        });
        match parsed {
            Ok(vuln) => {
                details.insert(id.clone(), vuln);
            }
            Err(e) => findings.warnings.push(format!(
                "advisory {id}: details unavailable ({})",
                e.message
            )),
        }
    }
    findings.vulns = ids
        .into_iter()
        .map(|list| {
            dedup_aliases(
                list.iter()
                    .filter_map(|id| details.get(id).cloned())
                    .collect(),
            )
        })
        .collect();
    Ok(findings)
}

fn with_timeout(mut request: HttpRequest, timeout_ms: Option<u32>) -> HttpRequest {
    request.timeout_ms = timeout_ms;
    request
}

/// A CVSS vector's score and its qualitative rating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvssScore {
    /// 0.0 to 10.0, one decimal.
    pub score: f64,
    /// `NONE`, `LOW`, `MEDIUM`, `HIGH` or `CRITICAL`.
    pub rating: &'static str,
}

/// The score of a CVSS v3.0, v3.1 or v4.0 vector such as
/// `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`, per FIRST's
/// specifications (v3 base score; v4 over the metrics the vector gives).
/// `None` for anything else, v2.0 included (advisories are rated from their
/// `CVSS_V4` and `CVSS_V3` entries only), and for an incomplete vector.
pub fn cvss_score(vector: &str) -> Option<CvssScore> {
    let cvss: cvss::Cvss = vector.trim().parse().ok()?;
    // The v4 parser insists on every base metric; the v3 one does not, and
    // scores what is missing as harmless, so an incomplete vector is refused here.
    if let cvss::Cvss::CvssV30(v) | cvss::Cvss::CvssV31(v) = &cvss {
        let complete = v.av.is_some()
            && v.ac.is_some()
            && v.pr.is_some()
            && v.ui.is_some()
            && v.s.is_some()
            && v.c.is_some()
            && v.i.is_some()
            && v.a.is_some();
        if !complete {
            return None;
        }
    }
    let rating = match cvss.severity() {
        cvss::Severity::None => "NONE",
        cvss::Severity::Low => "LOW",
        cvss::Severity::Medium => "MEDIUM",
        cvss::Severity::High => "HIGH",
        cvss::Severity::Critical => "CRITICAL",
    };
    Some(CvssScore {
        score: cvss.score(),
        rating,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    /// A plain dotted-number ordering, enough to exercise range logic.
    fn dotted(a: &str, b: &str) -> Option<Ordering> {
        let parse =
            |s: &str| -> Option<Vec<u64>> { s.split('.').map(|p| p.parse().ok()).collect() };
        let (a, b) = (parse(a)?, parse(b)?);
        Some(a.cmp(&b))
    }

    fn ev(kind: &str, v: &str) -> Event {
        let mut e = Event::default();
        match kind {
            "introduced" => e.introduced = Some(v.into()),
            "fixed" => e.fixed = Some(v.into()),
            _ => e.last_affected = Some(v.into()),
        }
        e
    }

    #[test]
    fn range_affects_from_introduced_until_fixed() {
        let events = [ev("introduced", "0"), ev("fixed", "2.3.1")];
        assert_eq!(range_affects(&events, "2.3.0", &dotted), Some(true));
        assert_eq!(range_affects(&events, "2.3.1", &dotted), Some(false));
        assert_eq!(range_affects(&events, "3.0", &dotted), Some(false));
    }

    #[test]
    fn range_affects_through_last_affected_inclusive() {
        let events = [ev("introduced", "1.0"), ev("last_affected", "1.4")];
        assert_eq!(range_affects(&events, "0.9", &dotted), Some(false));
        assert_eq!(range_affects(&events, "1.4", &dotted), Some(true));
        assert_eq!(range_affects(&events, "1.5", &dotted), Some(false));
    }

    #[test]
    fn range_affects_handles_several_introduced_fixed_pairs() {
        let events = [
            ev("introduced", "1.0"),
            ev("fixed", "1.2"),
            ev("introduced", "2.0"),
            ev("fixed", "2.1"),
        ];
        assert_eq!(range_affects(&events, "1.5", &dotted), Some(false));
        assert_eq!(range_affects(&events, "2.0.5", &dotted), Some(true));
        assert_eq!(range_affects(&events, "2.1", &dotted), Some(false));
    }

    #[test]
    fn range_affects_is_unknown_for_unparsable_versions() {
        let events = [ev("introduced", "0"), ev("fixed", "abc")];
        assert_eq!(range_affects(&events, "1.0", &dotted), None);
    }

    fn sample_vuln() -> Vuln {
        parse_vuln(
            br#"{
              "id": "GHSA-aaaa-bbbb-cccc",
              "summary": "Token leak in reconnect",
              "aliases": ["CVE-2024-0001", "PYSEC-2024-1"],
              "affected": [{
                "package": {"ecosystem": "PyPI", "name": "Discord.py"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.3.1"}]}],
                "versions": ["2.2.0", "2.3.0"]
              }],
              "references": [{"type": "WEB", "url": "https://example.org/w"},
                             {"type": "ADVISORY", "url": "https://example.org/a"}],
              "database_specific": {"severity": "HIGH"}
            }"#,
        )
        .unwrap()
    }

    #[test]
    fn vuln_affects_uses_the_callers_name_matching() {
        let vuln = sample_vuln();
        let is_pkg = |n: &str| n.eq_ignore_ascii_case("discord.py");
        assert_eq!(vuln.affects("PyPI", &is_pkg, "2.3.0", &dotted), Some(true));
        assert_eq!(vuln.affects("PyPI", &is_pkg, "2.4.0", &dotted), Some(false));
        assert_eq!(vuln.affects("npm", &is_pkg, "2.3.0", &dotted), None);
        assert_eq!(
            vuln.fixed_versions("PyPI", &is_pkg),
            vec!["2.3.1".to_string()]
        );
    }

    #[test]
    fn advisory_prefers_the_advisory_reference_and_database_label() {
        let advisory = sample_vuln().advisory();
        assert_eq!(advisory.id, "GHSA-aaaa-bbbb-cccc");
        assert_eq!(advisory.summary, "Token leak in reconnect");
        assert_eq!(advisory.severity.as_deref(), Some("HIGH"));
        assert_eq!(advisory.url.as_deref(), Some("https://example.org/a"));
    }

    #[test]
    fn advisory_without_summary_or_label_uses_details_and_cvss_vector() {
        let vuln = parse_vuln(
            br#"{"id": "PYSEC-1", "details": "\n  First line.\nMore.",
                 "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}"#,
        )
        .unwrap();
        let advisory = vuln.advisory();
        assert_eq!(advisory.summary, "First line.");
        assert_eq!(advisory.severity.as_deref(), Some("CRITICAL (9.8)"));
        assert_eq!(
            advisory.url.as_deref(),
            Some("https://osv.dev/vulnerability/PYSEC-1")
        );
    }

    #[test]
    fn cvss3_scores_match_the_specification_examples() {
        let score = |v| cvss_score(v).unwrap().score;
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"), 9.8);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"), 6.1);
        assert_eq!(score("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"), 5.5);
        assert_eq!(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"), 0.0);
        assert_eq!(cvss_score("CVSS:2.0/AV:N"), None);
        assert_eq!(cvss_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
        assert_eq!(cvss_score("CVSS:3.1/AV:N"), None);
    }

    #[test]
    fn cvss4_scores_match_firsts_examples() {
        let scored = |v| {
            let s = cvss_score(v).unwrap();
            (s.score, s.rating)
        };
        // The v4.0 specification's example of a network-reachable flaw with
        // high impact on the vulnerable system only.
        assert_eq!(
            scored("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            (9.3, "CRITICAL")
        );
        // FIRST's v4.0 examples: CVE-2022-41741 (nginx mp4 module) and
        // CVE-2021-44228 (Log4Shell).
        assert_eq!(
            scored("CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            (7.3, "HIGH")
        );
        assert_eq!(
            scored("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"),
            (10.0, "CRITICAL")
        );
        assert_eq!(
            scored("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"),
            (0.0, "NONE")
        );
        // Threat metrics lower the score: unreported exploitation (E:U).
        assert!(
            cvss_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U")
                .unwrap()
                .score
                < 9.3
        );
        assert_eq!(cvss_score("CVSS:4.0/AV:N/AC:L"), None);
    }

    /// The severity label of an advisory with these OSV `severity` entries.
    fn rated(severity: &[(&str, &str)]) -> Option<String> {
        let entries: Vec<serde_json::Value> = severity
            .iter()
            .map(|(kind, score)| serde_json::json!({"type": kind, "score": score}))
            .collect();
        let body = serde_json::json!({"id": "GHSA-x", "summary": "s", "severity": entries});
        parse_vuln(body.to_string().as_bytes())
            .unwrap()
            .advisory()
            .severity
    }

    #[test]
    fn advisory_rates_a_cvss4_vector_and_prefers_it_over_v3() {
        const V3: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N";
        const V4: &str = "CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        assert_eq!(
            rated(&[("CVSS_V3", V3), ("CVSS_V4", V4)]).as_deref(),
            Some("HIGH (7.3)")
        );
        assert_eq!(
            rated(&[(
                "CVSS_V4",
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
            )])
            .as_deref(),
            Some("CRITICAL (9.3)")
        );
        // A vector that does not parse falls back to the next one.
        assert_eq!(
            rated(&[("CVSS_V4", "CVSS:4.0/AV:N"), ("CVSS_V3", V3)]).as_deref(),
            Some("MEDIUM (6.1)")
        );
    }

    #[test]
    fn querybatch_body_names_every_package_and_page_token() {
        let packages = [
            Package {
                ecosystem: "PyPI".into(),
                name: "aiohttp".into(),
                version: "3.8.0".into(),
            },
            Package {
                ecosystem: "npm".into(),
                name: "@scope/x".into(),
                version: "1.0.0".into(),
            },
        ];
        let body: serde_json::Value =
            serde_json::from_slice(&querybatch_body(&packages, &[None, Some("t1".into())]))
                .unwrap();
        assert_eq!(body["queries"][0]["package"]["ecosystem"], "PyPI");
        assert_eq!(body["queries"][0]["version"], "3.8.0");
        assert!(body["queries"][0].get("page_token").is_none());
        assert_eq!(body["queries"][1]["package"]["name"], "@scope/x");
        assert_eq!(body["queries"][1]["page_token"], "t1");
    }

    #[test]
    fn parse_querybatch_reads_ids_and_rejects_short_answers() {
        let body = br#"{"results":[{"vulns":[{"id":"A","modified":"x"},{"id":"B"}]},{},{"vulns":[{"id":"C"}],"next_page_token":"p"}]}"#;
        let answers = parse_querybatch(body, 3).unwrap();
        assert_eq!(answers[0].ids, vec!["A", "B"]);
        assert!(answers[1].ids.is_empty());
        assert_eq!(answers[2].next_page_token.as_deref(), Some("p"));
        assert_eq!(
            parse_querybatch(body, 4).unwrap_err().code,
            ErrorCode::InvalidData
        );
        assert_eq!(
            parse_querybatch(b"<html>", 1).unwrap_err().code,
            ErrorCode::InvalidData
        );
    }

    #[test]
    fn dedup_aliases_keeps_the_first_of_an_alias_group() {
        let a = parse_vuln(br#"{"id":"PYSEC-1","aliases":["GHSA-1"]}"#).unwrap();
        let b = parse_vuln(br#"{"id":"GHSA-1","aliases":["PYSEC-1","CVE-1"]}"#).unwrap();
        let c = parse_vuln(br#"{"id":"GHSA-2"}"#).unwrap();
        let kept: Vec<String> = dedup_aliases(vec![a, b, c])
            .into_iter()
            .map(|v| v.id)
            .collect();
        assert_eq!(kept, vec!["PYSEC-1", "GHSA-2"]);
    }

    #[test]
    fn judge_marks_security_only_when_the_target_fixes_an_advisory() {
        let vuln = sample_vuln();
        let is_pkg = |n: &str| n.eq_ignore_ascii_case("discord.py");
        let fixed = judge(
            std::slice::from_ref(&vuln),
            "PyPI",
            &is_pkg,
            "2.3.1",
            &dotted,
        );
        assert!(fixed.security);
        assert_eq!(fixed.advisories[0].id, "GHSA-aaaa-bbbb-cccc");
        assert_eq!(fixed.details, vec!["2.3.1 fixes GHSA-aaaa-bbbb-cccc"]);

        let not_fixed = judge(&[vuln], "PyPI", &is_pkg, "2.3.0", &dotted);
        assert!(!not_fixed.security);
        assert_eq!(not_fixed.advisories.len(), 1);
        assert_eq!(
            not_fixed.details,
            vec!["GHSA-aaaa-bbbb-cccc is NOT fixed by 2.3.0 (fixed in 2.3.1)"]
        );
    }
}
