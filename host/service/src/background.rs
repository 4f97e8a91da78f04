//! The background check `steward serve` runs: shortly after it starts and
//! then every `general.update_check_interval` seconds. With
//! `general.auto_updates = "all"` (or `auto_updates_enabled`) it installs
//! what it finds (the types of `scheduling.allowed_update_types`, backup
//! first, never forced), like a scheduled run; with `"security"` it
//! installs the security fixes only. What it does not install it posts to
//! the notification channels when that differs from what it last posted,
//! and a security fix for a high or critical advisory is posted at once,
//! once per advisory while the service runs.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::{Caller, CheckRequest, InstallRequest, Service};
use crate::config::{AutoUpdates, Config};
use crate::engine::install::Selection;
use crate::engine::{CheckOutcome, UpdateType};
use crate::provider::{Advisory, Update, UpdateKind};

/// How long after `serve` starts the first check runs (the gateway and the
/// scheduler come up first).
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(5);

/// How long stopping waits for a grant notice being posted, so the
/// notice is remembered and not posted again at the next start.
const FINISH_NOTICE: Duration = Duration::from_secs(5);

/// The work `serve` runs beside its fronts; dropped, it stops that work at
/// once, while [`Background::stop`] first lets a grant notice being posted
/// finish.
pub struct Background {
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Held shared while a grant notice is posted and remembered.
    notices: Arc<tokio::sync::RwLock<()>>,
}

impl Background {
    /// Stops the work. A grant notice being posted is finished and
    /// remembered first (for up to [`FINISH_NOTICE`]): stopped between the
    /// two, the service would post the same notice again at its next
    /// start. No new notice starts meanwhile; the tasks are then aborted
    /// as [`Drop`] does.
    pub async fn stop(self) {
        let notices = self.notices.clone();
        let quiet = tokio::time::timeout(FINISH_NOTICE, notices.write()).await;
        if quiet.is_err() {
            tracing::warn!(
                "a grant notice was still being posted after {} s; it may be posted again at the next start",
                FINISH_NOTICE.as_secs()
            );
        }
        drop(self);
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Service {
    /// Starts what the service does on its own, whichever fronts run: the
    /// bot's supervisor watch, the scheduler, the background check and the
    /// providers directory's watch.
    pub fn run_in_background(self: &Arc<Self>) -> Background {
        let watch = self.supervisor().watch(self.config().paths.data.clone());
        let scheduler = crate::schedule::Scheduler::new(self.clone(), self.clone());
        let mut tasks = vec![
            tokio::spawn(watch),
            tokio::spawn(scheduler.run()),
            tokio::spawn(self.clone().check_in_background()),
            tokio::spawn(crate::memory::give_back_while_running(self.runtime.clone())),
        ];
        let notices = Arc::new(tokio::sync::RwLock::new(()));
        tasks.push(self.watch_providers(notices.clone()));
        Background { tasks, notices }
    }

    async fn check_in_background(self: Arc<Self>) {
        let caller = Caller::Schedule("auto".to_string());
        let mut posted: BTreeSet<String> = BTreeSet::new();
        let mut announced: BTreeSet<String> = BTreeSet::new();
        let mut drift_posted: Vec<crate::engine::drift::Drift> = Vec::new();
        let mut last = tokio::time::Instant::now();
        let mut wait = FIRST_CHECK_AFTER;
        let mut ran = false;
        loop {
            // A reload may shorten the interval: the next check is then
            // due that much after the last one, or at once.
            tokio::select! {
                () = tokio::time::sleep_until(last + wait) => {}
                () = self.reloaded() => {
                    if ran {
                        wait = self.check_interval();
                    }
                    continue;
                }
            }
            last = tokio::time::Instant::now();
            ran = true;
            wait = self.check_interval();
            if let Some(offered) = self.check_once(&caller, &posted, &mut announced).await {
                posted = offered;
            }
            self.watch_drift(&mut drift_posted).await;
            // The first check comes after the providers were loaded: what
            // both left free goes back, as after every check (the providers
            // themselves leave memory once idle, see `memory`).
            crate::memory::give_back();
            tracing::debug!("background check done; the next in {} s", wait.as_secs());
        }
    }

    /// One background check, as `general.auto_updates` says: installs
    /// everything, or the security fixes and then posts the rest, or only
    /// posts. A source with its own `auto_updates` is taken as that says,
    /// and what no source takes by itself is posted. `posted` is what was last posted as available; the answer is
    /// what is posted now, `None` when nothing new was posted.
    /// `announced` keeps the advisories already posted as emergencies.
    pub(crate) async fn check_once(
        &self,
        caller: &Caller,
        posted: &BTreeSet<String>,
        announced: &mut BTreeSet<String>,
    ) -> Option<BTreeSet<String>> {
        let config = self.config();
        let mode = config.general.auto_mode();
        let per_source = config.auto_modes_per_source();
        if mode == AutoUpdates::All && !per_source {
            self.install_in_background(caller, &config, Selection::Offered)
                .await;
            return None;
        }
        let mut outcome = self.check_in_full(caller).await?;
        if let Some(a) = crate::announce::Announcer::new(&config) {
            for (source, update, advisory) in urgent_fixes(&outcome, announced) {
                a.security_emergency(source, update, advisory, emergency_type(update.kind))
                    .await;
            }
        }
        if per_source && takes_any(&config, &outcome) {
            self.install_in_background(caller, &config, Selection::Automatic)
                .await;
            outcome = self.check_in_full(caller).await?;
        } else if mode == AutoUpdates::Security && offers_security_fix(&outcome) {
            self.install_in_background(caller, &config, Selection::SecurityFixes)
                .await;
            // What is left is what a person decides on.
            outcome = self.check_in_full(caller).await?;
        }
        let offered: BTreeSet<String> = outcome
            .providers
            .iter()
            .flat_map(|p| p.updates.iter().filter(|u| u.held.is_none()))
            .map(|u| format!("{}:{}", u.id, u.latest))
            .collect();
        if offered.is_empty() || offered == *posted {
            return None;
        }
        if let Some(a) = crate::announce::Announcer::new(&config) {
            a.available(
                &outcome,
                &crate::announce::CheckView::background(),
                self.check_embed(),
            )
            .await;
        }
        Some(offered)
    }

    /// Compares the live state with what the last update applied, and posts
    /// drift when it differs from what was last posted (`posted`). Skipped
    /// while an update runs: its half-made changes are no drift.
    async fn watch_drift(&self, posted: &mut Vec<crate::engine::drift::Drift>) {
        let config = self.config();
        let Ok(_lock) = crate::engine::install::UpdateLock::acquire(
            &config.paths.data,
            crate::engine::install::lock::BACKGROUND_READ,
            "checking for drift",
        ) else {
            return;
        };
        let env = match self.install_env() {
            Ok(env) => env,
            Err(e) => {
                tracing::warn!("drift check: {}", e.user_message());
                return;
            }
        };
        let report = match crate::engine::drift::check(&env).await {
            Ok(report) => report,
            Err(e) => {
                tracing::warn!("drift check: {e}");
                return;
            }
        };
        if report.drifted == *posted {
            return;
        }
        *posted = report.drifted.clone();
        if !report.drifted.is_empty()
            && let Some(a) = crate::announce::Announcer::new(&config)
        {
            a.drift(&report).await;
        }
    }

    /// Every type, advisories included; `None` (logged) when it failed.
    async fn check_in_full(&self, caller: &Caller) -> Option<CheckOutcome> {
        let request = CheckRequest {
            update_type: UpdateType::All,
            include_security: true,
        };
        match self.check(caller, request, None).await {
            Ok(outcome) => Some(outcome),
            Err(e) => {
                tracing::warn!("background check failed: {}", e.user_message());
                None
            }
        }
    }

    /// One install per allowed type, taking what `selection` picks.
    async fn install_in_background(&self, caller: &Caller, config: &Config, selection: Selection) {
        for update_type in auto_types(&config.scheduling.allowed_update_types) {
            let request = InstallRequest {
                update_type,
                backup: config.scheduling.require_backup_before_schedule
                    || config.safety.require_backup_before_update,
                restart: config.general.auto_restart,
                force: false,
                backup_name: None,
                dry_run: false,
            };
            match self
                .install_selected(caller, request, selection, None)
                .await
            {
                Ok(outcome) => tracing::info!(
                    ?update_type,
                    ?selection,
                    status = ?outcome.session.map(|s| s.status),
                    "automatic update"
                ),
                Err(e) => tracing::warn!(
                    ?update_type,
                    "automatic update did not run: {}",
                    e.user_message()
                ),
            }
        }
    }
}

impl Service {
    /// `general.update_check_interval`, at least a minute.
    fn check_interval(&self) -> Duration {
        Duration::from_secs(self.config().general.update_check_interval.max(60))
    }
}

/// One install per allowed type, or one for all.
fn auto_types(allowed: &[UpdateType]) -> Vec<UpdateType> {
    if allowed.contains(&UpdateType::All) {
        vec![UpdateType::All]
    } else {
        allowed.to_vec()
    }
}

/// Whether some offered update is one its source's automatic mode takes.
fn takes_any(config: &Config, outcome: &CheckOutcome) -> bool {
    outcome.providers.iter().any(|p| {
        p.updates
            .iter()
            .filter(|u| u.held.is_none())
            .any(|u| crate::engine::policy::taken_automatically(config, &p.provider, u))
    })
}

fn offers_security_fix(outcome: &CheckOutcome) -> bool {
    outcome
        .providers
        .iter()
        .flat_map(|p| &p.updates)
        .any(|u| u.security && u.held.is_none())
}

/// The offered security fixes' high and critical advisories not in
/// `announced` yet, each with its source; they are added to it.
fn urgent_fixes<'a>(
    outcome: &'a CheckOutcome,
    announced: &mut BTreeSet<String>,
) -> Vec<(&'a str, &'a Update, &'a Advisory)> {
    let mut urgent = Vec::new();
    for p in &outcome.providers {
        for u in p.updates.iter().filter(|u| u.security && u.held.is_none()) {
            for a in u
                .advisories
                .iter()
                .filter(|a| crate::engine::policy::is_urgent(a))
            {
                if announced.insert(a.id.clone()) {
                    urgent.push((p.provider.as_str(), u, a));
                }
            }
        }
    }
    urgent
}

/// The install that takes an update of `kind`.
fn emergency_type(kind: UpdateKind) -> UpdateType {
    match kind {
        UpdateKind::Bot => UpdateType::Bot,
        UpdateKind::Package => UpdateType::Packages,
        UpdateKind::Config => UpdateType::Config,
        UpdateKind::Dependency | UpdateKind::System => UpdateType::Dependencies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ProviderCheck;

    fn found(severity: &str) -> CheckOutcome {
        let update = Update {
            id: "aiohttp".into(),
            kind: UpdateKind::Package,
            name: "aiohttp".into(),
            current: Some("3.8.0".into()),
            latest: "3.9.1".into(),
            security: true,
            advisories: vec![Advisory {
                id: "GHSA-urgent".into(),
                summary: "request smuggling".into(),
                severity: Some(severity.into()),
                url: None,
            }],
            breaking: false,
            changelog: None,
            size: None,
            released: None,
            held: None,
            details: Vec::new(),
        };
        CheckOutcome {
            checked_at: Default::default(),
            totals: Default::default(),
            providers: vec![ProviderCheck {
                provider: "pip".into(),
                version: "1".into(),
                updates: vec![update],
                warnings: Vec::new(),
                error: None,
                duration_ms: 0,
                reused_answers_age_secs: None,
                waiting_for_grant: None,
                missing: Vec::new(),
            }],
            skipped: Vec::new(),
            cooldowns: Vec::new(),
            undated: Vec::new(),
        }
    }

    #[test]
    fn an_urgent_advisory_is_announced_once_for_the_life_of_the_service() {
        let mut announced = BTreeSet::new();
        let first = found("CRITICAL (9.8)");
        let urgent = urgent_fixes(&first, &mut announced);
        assert_eq!(urgent.len(), 1);
        assert_eq!(urgent[0].2.id, "GHSA-urgent");
        assert!(urgent_fixes(&found("CRITICAL (9.8)"), &mut announced).is_empty());
    }

    #[test]
    fn a_moderate_advisory_is_no_emergency() {
        assert!(urgent_fixes(&found("MODERATE"), &mut BTreeSet::new()).is_empty());
    }

    #[test]
    fn the_emergency_says_which_install_takes_the_fix() {
        assert_eq!(emergency_type(UpdateKind::Package), UpdateType::Packages);
        assert_eq!(emergency_type(UpdateKind::System), UpdateType::Dependencies);
    }
}
