//! `steward serve`: the service. The control socket, the schedules, the
//! background check and the bot's supervisor run whether or not Discord is
//! configured; the Discord front starts when a token is set, and losing it
//! never stops the rest. SIGHUP reloads steward.toml; SIGTERM or Ctrl-C
//! stops taking work, lets a running update finish for a while, and leaves
//! anything still unfinished to the journal at the next start.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::schedule::ScheduledRunner;
use crate::service::{Caller, Service, ServiceError};

/// How long a stopping service waits for a running update to finish.
const FINISH_WITHIN: Duration = Duration::from_secs(60);
/// The Discord front's retry after a failure, doubled up to the maximum.
const RECONNECT_FIRST: Duration = Duration::from_secs(15);
const RECONNECT_MAX: Duration = Duration::from_secs(600);

pub async fn run(service: Service) -> Result<ExitCode, ServiceError> {
    let service = Arc::new(service);
    let config = service.config();
    let socket = config.control_socket();
    // Fleet mode: registered, following orders and campaigning while this runs.
    let fleet = config
        .fleet
        .clone()
        .map(|f| Arc::new(steward_fleet::Fleet::join(service.clone(), f)));
    if let Some(f) = &fleet {
        tracing::info!(instance = f.instance(), "fleet mode: joining through etcd");
    }
    let listening = match steward_control::server::listen(
        service.clone(),
        fleet.clone(),
        socket.clone(),
        config.control.group.as_deref(),
    )
    .await
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(super::EXIT_ERROR));
        }
    };
    tracing::info!(socket = %listening.path().display(), "control socket ready");
    let http = match &config.control.http {
        Some(http) => {
            let audit = config.paths.data.join("audit.log");
            match steward_control::http::listen_http(service.clone(), fleet.clone(), http, audit)
                .await
            {
                Ok(l) => {
                    tracing::info!(address = %l.addr, "control.http listening");
                    Some(l)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(super::EXIT_ERROR));
                }
            }
        }
        None => None,
    };
    let background = service.run_in_background();

    let (stop_tx, stop_rx) = watch::channel(false);
    let discord = match crate::discord::token(&config.discord) {
        Some(token) => Some(tokio::spawn(discord_front(
            service.clone(),
            fleet.clone(),
            token,
            stop_rx.clone(),
        ))),
        None => {
            tracing::info!(
                "no Discord token in ${}: serving without the Discord front \
                 (schedules, checks, webhooks and the control socket run)",
                config.discord.token_env
            );
            None
        }
    };
    drop(config);
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);
    let watchdog = tokio::spawn(watchdog());

    wait_for_stop(&service).await;
    tracing::info!("stopping: no new work is taken");
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
    drop(listening);
    drop(http);
    background.stop().await;
    drop(fleet);
    let _ = stop_tx.send(true);
    if let Some(discord) = discord {
        let _ = tokio::time::timeout(Duration::from_secs(10), discord).await;
    }
    let waited = tokio::time::Instant::now();
    while service.update_running() && waited.elapsed() < FINISH_WITHIN {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if service.update_running() {
        tracing::warn!(
            "an update is still running after {}s; it is rolled back from its journal at the next start",
            FINISH_WITHIN.as_secs()
        );
    }
    watchdog.abort();
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Returns at SIGTERM or Ctrl-C; reloads the configuration at each SIGHUP.
async fn wait_for_stop(service: &Service) {
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::warn!("cannot listen for signals; stop with Ctrl-C");
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    loop {
        tokio::select! {
            _ = term.recv() => return,
            _ = tokio::signal::ctrl_c() => return,
            _ = hup.recv() => match service.reload(&Caller::Shell).await {
                Ok(r) => tracing::info!(changed = ?r.changed, "SIGHUP: reloaded {}", r.file),
                Err(e) => tracing::error!(
                    "SIGHUP: steward.toml was not reloaded, the running configuration stays: {}",
                    e.user_message()
                ),
            },
        }
    }
}

/// Serves Discord until `stop`; a failure is logged and retried later,
/// while everything else keeps running.
async fn discord_front(
    service: Arc<Service>,
    fleet: Option<Arc<steward_fleet::Fleet>>,
    token: String,
    mut stop: watch::Receiver<bool>,
) {
    let mut delay = RECONNECT_FIRST;
    loop {
        let mut until = stop.clone();
        let shutdown = async move {
            let _ = until.wait_for(|s| *s).await;
        };
        let result =
            crate::discord::serve(service.clone(), fleet.clone(), token.clone(), shutdown).await;
        if *stop.borrow() {
            return;
        }
        match result {
            Ok(()) => tracing::warn!("the Discord connection closed; reconnecting"),
            Err(e) => tracing::error!(
                "the Discord front stopped: {e}; retrying in {}s (everything else keeps running)",
                delay.as_secs()
            ),
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        delay = (delay * 2).min(RECONNECT_MAX);
    }
}

/// Pings systemd's watchdog at half its interval when one is set.
async fn watchdog() {
    let Some(timeout) = sd_notify::watchdog_enabled().filter(|t| !t.is_zero()) else {
        return;
    };
    let every = timeout / 2;
    loop {
        tokio::time::sleep(every).await;
        let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
    }
}
