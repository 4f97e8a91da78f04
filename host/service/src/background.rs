//! The background check `steward serve` runs: shortly after it starts and
//! then every `general.update_check_interval` seconds. With
//! `general.auto_updates_enabled` it installs what it finds (the types of
//! `scheduling.allowed_update_types`, backup first, never forced), like a
//! scheduled run; otherwise it posts the available updates to the
//! notification channels when they differ from what it last posted.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::{Caller, CheckRequest, InstallRequest, Service};
use crate::engine::UpdateType;

/// How long after `serve` starts the first check runs (the gateway and the
/// scheduler come up first).
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(5);

/// The work `serve` runs beside its fronts; dropped, it stops that work.
pub struct Background {
    tasks: Vec<tokio::task::JoinHandle<()>>,
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
        ];
        tasks.extend(self.watch_providers());
        Background { tasks }
    }

    async fn check_in_background(self: Arc<Self>) {
        let caller = Caller::Schedule("auto".to_string());
        let mut posted: BTreeSet<String> = BTreeSet::new();
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
            let config = self.config();
            wait = self.check_interval();
            if config.general.auto_updates_enabled {
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
                    match self.install(&caller, request, None).await {
                        Ok(outcome) => tracing::info!(
                            ?update_type,
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
                continue;
            }
            let request = CheckRequest {
                update_type: UpdateType::All,
                include_security: true,
            };
            let outcome = match self.check(&caller, request, None).await {
                Ok(o) => o,
                Err(e) => {
                    tracing::warn!("background check failed: {}", e.user_message());
                    continue;
                }
            };
            let offered: BTreeSet<String> = outcome
                .providers
                .iter()
                .flat_map(|p| p.updates.iter().filter(|u| u.held.is_none()))
                .map(|u| format!("{}:{}", u.id, u.latest))
                .collect();
            if !offered.is_empty() && offered != posted {
                if let Some(a) = crate::announce::Announcer::new(&config) {
                    a.available(
                        &outcome,
                        &crate::announce::CheckView::background(),
                        self.check_embed(),
                    )
                    .await;
                }
                posted = offered;
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
