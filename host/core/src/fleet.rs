//! `[fleet]`: this service as one instance of a fleet of Steward services
//! coordinated through etcd (steward-fleet does the coordinating). This is
//! only the schema and its checks; nothing here talks to etcd.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config_problem::FleetProblem;

/// `[fleet]`. Absent: this Steward updates alone.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetConfig {
    /// etcd's client URLs (`http://host:2379`, or `https://` with `[fleet.tls]`).
    pub endpoints: Vec<String>,
    /// The fleet's name: every key lives under `/steward/fleets/<name>/`.
    pub name: String,
    /// This instance's id in the fleet (default: the host name).
    #[serde(default)]
    pub instance: Option<String>,
    /// Its group: `canary` instances go first in a wave; any other name
    /// (`production`, `staging`) is only shown.
    #[serde(default = "default_group")]
    pub group: String,
    /// How many instances a wave updates first, alone: a count (`1`) or a
    /// share of the fleet (`"25%"`, rounded up). Instances in the `canary`
    /// group are taken first.
    #[serde(default)]
    pub canary: Canary,
    /// At most this many instances update at once after the canaries.
    #[serde(default = "one")]
    pub max_unavailable: usize,
    /// The lease every registration, lock and leadership hangs on: an
    /// instance that stops answering is gone from the fleet this long after.
    #[serde(default = "default_lease")]
    pub lease_seconds: u64,
    /// How long one request to etcd may take before etcd counts as unreachable.
    #[serde(default = "default_request_timeout")]
    pub request_timeout_seconds: u64,
    /// How long an instance may take to report its part of a wave (its whole
    /// local transaction, probation included) before the wave halts.
    #[serde(default = "default_instance_timeout")]
    pub instance_timeout_seconds: u64,
    /// How long `steward fleet install|rollback|check` waits for a leader
    /// to plan its wave, or for a new one when nobody leads the wave any
    /// more, before it gives up (an unplanned wave is withdrawn).
    #[serde(default = "default_wave_timeout")]
    pub wave_timeout_seconds: u64,
    #[serde(default)]
    pub tls: Option<FleetTls>,
    #[serde(default)]
    pub auth: Option<FleetAuth>,
    /// `[fleet.promotion]`: a group whose installs wait until another group
    /// has run the release healthy for a while
    /// (`production = { after = "staging", soak = "24h" }`).
    #[serde(default)]
    pub promotion: BTreeMap<String, Promotion>,
}

/// One group's promotion rule: its waves install only the release every
/// instance of `after` has run healthy for `soak`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    pub after: String,
    pub soak: Soak,
}

/// A soak time: `"90s"`, `"30m"`, `"24h"`, `"7d"` (or a number of seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "SoakText")]
pub struct Soak(pub u64);

#[derive(Deserialize)]
#[serde(untagged)]
enum SoakText {
    Seconds(u64),
    Text(String),
}

impl TryFrom<SoakText> for Soak {
    type Error = String;

    fn try_from(text: SoakText) -> Result<Soak, String> {
        let t = match text {
            SoakText::Seconds(n) => return Ok(Soak(n)),
            SoakText::Text(t) => t,
        };
        let bad = || {
            format!(
                "fleet.promotion soak must be a time like \"90s\", \"30m\", \"24h\" or \"7d\", not {t:?}"
            )
        };
        let trimmed = t.trim();
        let split = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(bad)?;
        let (n, unit) = trimmed.split_at(split);
        let n: u64 = n.parse().map_err(|_| bad())?;
        let unit = match unit.trim() {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => return Err(bad()),
        };
        Ok(Soak(n.checked_mul(unit).ok_or_else(bad)?))
    }
}

impl Soak {
    /// `24h`, `1h30m`, `45s`: how a soak time is written back to a person.
    pub fn words(secs: u64) -> String {
        let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
        let mut out = String::new();
        for (n, unit) in [(d, "d"), (h, "h"), (m, "m"), (s, "s")] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
        if out.is_empty() {
            out.push_str("0s");
        }
        out
    }
}

/// `[fleet.tls]`: the CA that signed etcd's certificate, and a client
/// certificate when etcd asks for one (`--client-cert-auth`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetTls {
    pub ca_file: PathBuf,
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// The name etcd's certificate is checked against (default: the endpoint's host).
    #[serde(default)]
    pub domain: Option<String>,
}

/// `[fleet.auth]`: an etcd user; the password comes from the environment,
/// never from steward.toml.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetAuth {
    pub user: String,
    pub password_env: String,
}

/// `canary = 1` or `canary = "25%"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "CanaryText")]
pub enum Canary {
    Count(usize),
    Percent(u8),
}

impl Default for Canary {
    fn default() -> Canary {
        Canary::Count(1)
    }
}

impl Canary {
    /// How many of `fleet` instances go first: at least one when the
    /// fleet has any, never all of a fleet of two or more.
    pub fn of(self, fleet: usize) -> usize {
        if fleet == 0 {
            return 0;
        }
        let wanted = match self {
            Canary::Count(n) => n,
            Canary::Percent(p) => (fleet * usize::from(p)).div_ceil(100),
        };
        wanted.clamp(1, fleet.saturating_sub(1).max(1))
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CanaryText {
    Count(u64),
    Text(String),
}

impl TryFrom<CanaryText> for Canary {
    type Error = String;

    fn try_from(text: CanaryText) -> Result<Canary, String> {
        let bad = |t: &str| {
            format!("fleet.canary must be a count (1) or a percentage (\"25%\"), not {t:?}")
        };
        match text {
            CanaryText::Count(n) if n >= 1 => Ok(Canary::Count(n as usize)),
            CanaryText::Count(n) => Err(bad(&n.to_string())),
            CanaryText::Text(t) => match t.trim().strip_suffix('%') {
                Some(p) => match p.trim().parse::<u8>() {
                    Ok(p) if (1..=100).contains(&p) => Ok(Canary::Percent(p)),
                    _ => Err(bad(&t)),
                },
                None => match t.trim().parse::<usize>() {
                    Ok(n) if n >= 1 => Ok(Canary::Count(n)),
                    _ => Err(bad(&t)),
                },
            },
        }
    }
}

fn default_group() -> String {
    "production".to_string()
}

fn one() -> usize {
    1
}

fn default_lease() -> u64 {
    10
}

fn default_request_timeout() -> u64 {
    5
}

fn default_instance_timeout() -> u64 {
    600
}

fn default_wave_timeout() -> u64 {
    60
}

impl FleetConfig {
    /// File names read relative to steward.toml's directory.
    pub fn resolved(mut self, base: &Path) -> FleetConfig {
        if let Some(tls) = &mut self.tls {
            tls.ca_file = base.join(&tls.ca_file);
            tls.cert_file = tls.cert_file.take().map(|p| base.join(p));
            tls.key_file = tls.key_file.take().map(|p| base.join(p));
        }
        self
    }

    /// This instance's id: `instance`, or the host name.
    pub fn instance_id(&self) -> String {
        self.instance.clone().unwrap_or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_string())
                .ok()
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| "localhost".to_string())
        })
    }

    /// What is wrong with the section, in the operator's terms.
    pub fn validate(&self) -> Result<(), FleetProblem> {
        if self.endpoints.is_empty() {
            return Err(FleetProblem::NoEndpoints);
        }
        for e in &self.endpoints {
            let tls = e.starts_with("https://");
            if !tls && !e.starts_with("http://") {
                return Err(FleetProblem::EndpointScheme {
                    endpoint: e.clone(),
                });
            }
            if tls && self.tls.is_none() {
                return Err(FleetProblem::EndpointNeedsTls {
                    endpoint: e.clone(),
                });
            }
        }
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        if !name_ok(&self.name) {
            return Err(FleetProblem::BadName {
                key: "fleet.name",
                value: self.name.clone(),
            });
        }
        let instance = self.instance_id();
        if !name_ok(&instance) {
            return Err(FleetProblem::BadName {
                key: "fleet.instance",
                value: instance,
            });
        }
        if !name_ok(&self.group) {
            return Err(FleetProblem::BadName {
                key: "fleet.group",
                value: self.group.clone(),
            });
        }
        if self.max_unavailable == 0 {
            return Err(FleetProblem::MaxUnavailableZero);
        }
        if !(2..=300).contains(&self.lease_seconds) {
            return Err(FleetProblem::LeaseSeconds {
                value: self.lease_seconds,
            });
        }
        if self.request_timeout_seconds == 0
            || self.instance_timeout_seconds == 0
            || self.wave_timeout_seconds == 0
        {
            return Err(FleetProblem::TimeoutZero);
        }
        for (group, rule) in &self.promotion {
            if !name_ok(group) || !name_ok(&rule.after) {
                return Err(FleetProblem::PromotionName {
                    group: group.clone(),
                    after: rule.after.clone(),
                });
            }
            if *group == rule.after {
                return Err(FleetProblem::PromotionSelf {
                    group: group.clone(),
                });
            }
        }
        if let Some(tls) = &self.tls
            && tls.cert_file.is_some() != tls.key_file.is_some()
        {
            return Err(FleetProblem::TlsPair);
        }
        if let Some(auth) = &self.auth
            && (auth.user.is_empty() || auth.password_env.is_empty())
        {
            return Err(FleetProblem::AuthIncomplete);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<FleetConfig, String> {
        let f: FleetConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        f.validate().map_err(|e| e.to_string())?;
        Ok(f)
    }

    #[test]
    fn a_canary_share_is_rounded_up_and_never_the_whole_fleet() {
        assert_eq!(Canary::Percent(25).of(3), 1);
        assert_eq!(Canary::Percent(50).of(3), 2);
        assert_eq!(Canary::Count(5).of(3), 2);
        assert_eq!(Canary::Count(1).of(1), 1);
        assert_eq!(Canary::Count(1).of(0), 0);
    }

    #[test]
    fn a_fleet_section_is_checked_in_the_operators_terms() {
        let base = "endpoints = [\"http://127.0.0.1:2379\"]\nname = \"demo\"\ninstance = \"a\"\n";
        let f = parse(&format!("{base}canary = \"25%\"\n")).unwrap();
        assert_eq!(f.canary, Canary::Percent(25));
        assert_eq!(f.group, "production");
        let err = parse(&format!("{base}canary = \"0%\"\n")).unwrap_err();
        assert!(err.contains("fleet.canary must be a count"), "{err}");
        let err = parse(&format!("{base}max_unavailable = 0\n")).unwrap_err();
        assert!(err.contains("max_unavailable must be at least 1"), "{err}");
        let err = parse("endpoints = [\"https://e:2379\"]\nname = \"demo\"\n").unwrap_err();
        assert!(err.contains("[fleet.tls] names no ca_file"), "{err}");
        let err = parse("endpoints = [\"http://e:2379\"]\nname = \"a/b\"\n").unwrap_err();
        assert!(err.contains("fleet.name"), "{err}");
        let f = parse(&format!(
            "{base}[promotion]\nproduction = {{ after = \"staging\", soak = \"24h\" }}\n"
        ))
        .unwrap();
        assert_eq!(f.promotion["production"].after, "staging");
        assert_eq!(f.promotion["production"].soak, Soak(86400));
        let err = parse(&format!(
            "{base}[promotion]\nproduction = {{ after = \"staging\", soak = \"1 week\" }}\n"
        ))
        .unwrap_err();
        assert!(err.contains("soak must be a time like"), "{err}");
        assert_eq!(Soak::words(90061), "1d1h1m1s");
    }
}
