//! The connection to etcd and the fleet's keys under
//! `/steward/fleets/<name>/`: one client per endpoint, a request tried on
//! the endpoint that answered last and then on each other one (so a member
//! down costs nothing but a refused connection), each attempt bounded by
//! `request_timeout_seconds`; when none answers, `FleetError::Unreachable`.
//! Nothing here decides anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use etcd_client::{
    Client, ConnectOptions, GetOptions, PutOptions, SortOrder, SortTarget, Txn, TxnOpResponse,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use steward_core::fleet::FleetConfig;
use tokio::sync::Mutex;

use crate::FleetError;

#[derive(Clone)]
pub(crate) struct Etcd {
    endpoints: Vec<String>,
    prefix: String,
    timeout: Duration,
    config: Arc<FleetConfig>,
    /// One per endpoint, connected on first use.
    clients: Arc<Mutex<Vec<Option<Client>>>>,
    /// The endpoint that answered last.
    preferred: Arc<AtomicUsize>,
}

impl Etcd {
    pub(crate) fn new(config: &FleetConfig) -> Etcd {
        Etcd {
            endpoints: config.endpoints.clone(),
            prefix: format!("/steward/fleets/{}/", config.name),
            timeout: Duration::from_secs(config.request_timeout_seconds),
            config: Arc::new(config.clone()),
            clients: Arc::new(Mutex::new(vec![None; config.endpoints.len()])),
            preferred: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The fleet's key `name` (`instances/a`, `lock`, `wave/active`).
    pub(crate) fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub(crate) fn unreachable(&self, reason: impl std::fmt::Display) -> FleetError {
        FleetError::Unreachable {
            endpoints: self.endpoints.join(", "),
            reason: reason.to_string(),
        }
    }

    /// `unreachable`, with etcd-client's error cut to what an operator
    /// needs: its own words and the innermost cause (`Connection refused`).
    pub(crate) fn failed(&self, e: &etcd_client::Error) -> FleetError {
        let mut cause: &dyn std::error::Error = e;
        while let Some(inner) = cause.source() {
            cause = inner;
        }
        let top = match e {
            etcd_client::Error::GRpcStatus(s) => s.message().to_string(),
            other => other.to_string(),
        };
        let cause = cause.to_string();
        if cause == top || top.contains(&cause) {
            self.unreachable(top)
        } else {
            self.unreachable(format!("{top}: {cause}"))
        }
    }

    /// With `[fleet.auth]`, connecting authenticates: an answer from etcd
    /// (not a transport failure, which gRPC reports as unavailable) that
    /// refuses is about the user and password. gRPC's codes are fixed by
    /// its specification: 3 invalid argument (etcd's "authentication
    /// failed"), 7 permission denied, 16 unauthenticated.
    fn refused(&self, e: &etcd_client::Error) -> Option<FleetError> {
        let auth = self.config.auth.as_ref()?;
        let etcd_client::Error::GRpcStatus(status) = e else {
            return None;
        };
        matches!(status.code() as i32, 3 | 7 | 16).then(|| FleetError::Denied {
            user: auth.user.clone(),
            password_env: auth.password_env.clone(),
            reason: status.message().to_string(),
        })
    }

    fn timed_out(&self) -> FleetError {
        self.unreachable(format!("no answer within {}s", self.timeout.as_secs()))
    }

    /// The client of the endpoint that answered last, for the long-lived
    /// streams (watch, keep-alive, campaign); they start again on failure.
    pub(crate) async fn client(&self) -> Result<Client, FleetError> {
        self.client_at(self.preferred.load(Ordering::Relaxed)).await
    }

    /// Endpoint `i`'s client, connected on first use.
    async fn client_at(&self, i: usize) -> Result<Client, FleetError> {
        let mut clients = self.clients.lock().await;
        if let Some(client) = clients[i].as_ref() {
            return Ok(client.clone());
        }
        let options = self.options()?;
        let client = tokio::time::timeout(
            self.timeout,
            Client::connect([self.endpoints[i].as_str()], Some(options)),
        )
        .await
        .map_err(|_| self.timed_out())?
        .map_err(|e| self.refused(&e).unwrap_or_else(|| self.failed(&e)))?;
        clients[i] = Some(client.clone());
        Ok(client)
    }

    fn options(&self) -> Result<ConnectOptions, FleetError> {
        let c = &self.config;
        let mut options = ConnectOptions::new()
            .with_connect_timeout(self.timeout)
            .with_keep_alive(Duration::from_secs(5), self.timeout)
            .with_keep_alive_while_idle(true);
        if let Some(auth) = &c.auth {
            let password = std::env::var(&auth.password_env).map_err(|_| {
                FleetError::Setup(format!(
                    "[fleet.auth] password_env names ${}, which is not set",
                    auth.password_env
                ))
            })?;
            options = options.with_user(auth.user.clone(), password);
        }
        if let Some(tls) = &c.tls {
            let read = |p: &std::path::Path| {
                std::fs::read(p).map_err(|e| {
                    FleetError::Setup(format!("[fleet.tls] cannot read {}: {e}", p.display()))
                })
            };
            let mut t = etcd_client::TlsOptions::new()
                .ca_certificate(etcd_client::Certificate::from_pem(read(&tls.ca_file)?));
            if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
                t = t.identity(etcd_client::Identity::from_pem(read(cert)?, read(key)?));
            }
            if let Some(domain) = &tls.domain {
                t = t.domain_name(domain.clone());
            }
            options = options.with_tls(t);
        }
        Ok(options)
    }

    /// Runs one request: on the endpoint that answered last, then on each
    /// other one, each attempt within the timeout.
    pub(crate) async fn call<T, F, Fut>(&self, request: F) -> Result<T, FleetError>
    where
        F: Fn(Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, etcd_client::Error>>,
    {
        let first = self.preferred.load(Ordering::Relaxed);
        let mut last = self.timed_out();
        for k in 0..self.endpoints.len() {
            let i = (first + k) % self.endpoints.len();
            let client = match self.client_at(i).await {
                Ok(c) => c,
                Err(e) => {
                    last = e;
                    continue;
                }
            };
            match tokio::time::timeout(self.timeout, request(client)).await {
                Ok(Ok(answer)) => {
                    self.preferred.store(i, Ordering::Relaxed);
                    return Ok(answer);
                }
                Ok(Err(e)) => last = self.failed(&e),
                Err(_) => last = self.timed_out(),
            }
        }
        Err(last)
    }

    /// The value at `key` and its mod revision.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<(T, i64)>, FleetError> {
        let response = self
            .call(|mut c| {
                let k = key.to_string();
                async move { c.get(k, None).await }
            })
            .await?;
        match response.kvs().first() {
            Some(kv) => Ok(Some((parse(key, kv.value())?, kv.mod_revision()))),
            None => Ok(None),
        }
    }

    /// Every value under `prefix`, by key.
    pub(crate) async fn list_json<T: DeserializeOwned>(
        &self,
        prefix: &str,
    ) -> Result<Vec<(String, T)>, FleetError> {
        let response = self
            .call(|mut c| {
                let p = prefix.to_string();
                async move { c.get(p, Some(GetOptions::new().with_prefix())).await }
            })
            .await?;
        response
            .kvs()
            .iter()
            .map(|kv| {
                let key = String::from_utf8_lossy(kv.key()).into_owned();
                let value = parse(&key, kv.value())?;
                Ok((key, value))
            })
            .collect()
    }

    pub(crate) async fn put_json<T: Serialize>(
        &self,
        key: &str,
        value: &T,
        lease: Option<i64>,
    ) -> Result<(), FleetError> {
        let v = json(value);
        self.call(|mut c| {
            let (k, v) = (key.to_string(), v.clone());
            async move {
                c.put(k, v, lease.map(|l| PutOptions::new().with_lease(l)))
                    .await
            }
        })
        .await
        .map(drop)
    }

    /// Runs `txn`: whether its conditions held, and what its operations read.
    pub(crate) async fn txn(&self, txn: Txn) -> Result<(bool, Vec<TxnOpResponse>), FleetError> {
        let response = self
            .call(|mut c| {
                let txn = txn.clone();
                async move { c.txn(txn).await }
            })
            .await?;
        Ok((response.succeeded(), response.op_responses()))
    }

    /// Who leads the fleet now, if anyone: as etcd's election decides it,
    /// the campaign key under the election's name created first.
    pub(crate) async fn leader(&self) -> Result<Option<String>, FleetError> {
        let prefix = format!("{}/", self.key("leader"));
        let response = self
            .call(|mut c| {
                let prefix = prefix.clone();
                async move {
                    let options = GetOptions::new()
                        .with_prefix()
                        .with_sort(SortTarget::Create, SortOrder::Ascend)
                        .with_limit(1);
                    c.get(prefix, Some(options)).await
                }
            })
            .await?;
        Ok(response
            .kvs()
            .first()
            .map(|kv| String::from_utf8_lossy(kv.value()).into_owned()))
    }
}

pub(crate) fn json<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("fleet records serialize")
}

pub(crate) fn parse<T: DeserializeOwned>(key: &str, bytes: &[u8]) -> Result<T, FleetError> {
    serde_json::from_slice(bytes).map_err(|e| FleetError::Unreadable {
        key: key.to_string(),
        reason: e.to_string(),
    })
}

/// The values a transaction's gets read, in order (absent keys skipped).
pub(crate) fn read_values(responses: &[TxnOpResponse]) -> Vec<(String, Vec<u8>)> {
    responses
        .iter()
        .filter_map(|r| match r {
            TxnOpResponse::Get(g) => g.kvs().first().map(|kv| {
                (
                    String::from_utf8_lossy(kv.key()).into_owned(),
                    kv.value().to_vec(),
                )
            }),
            _ => None,
        })
        .collect()
}
