//! A real etcd cluster on loopback for the fleet tests: Debian's `etcd`
//! (3.4), three members by default, each on free ports with its own data
//! directory in a temp dir. Members can be stopped one by one; all of them
//! are killed when the cluster is dropped. `start_secured` serves clients
//! over TLS (a CA and a certificate made with the openssl CLI) and turns on
//! etcd's authentication with a user for Steward.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ETCD: &str = "/usr/bin/etcd";
pub const ETCDCTL: &str = "/usr/bin/etcdctl";

struct Member {
    name: String,
    client: u16,
    child: Option<Child>,
}

pub struct EtcdCluster {
    dir: tempfile::TempDir,
    members: Vec<Member>,
    /// The CA that signed the members' certificate, when clients use TLS.
    ca: Option<std::path::PathBuf>,
    /// `user:password` of etcd's root, once authentication is on.
    root: Option<String>,
}

/// The etcd user `start_secured` creates for Steward, with read-write
/// access to `/steward/`.
pub const STEWARD_USER: &str = "steward";
pub const STEWARD_PASSWORD: &str = "fleet-secret-1";

/// Runs openssl with `args` in `dir`, failing the test with its output.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("running openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl EtcdCluster {
    /// Starts `size` members and waits until the cluster takes writes.
    pub fn start(size: usize) -> EtcdCluster {
        EtcdCluster::start_with(size, false)
    }

    /// `start`, with clients served over TLS only (certificates for
    /// 127.0.0.1 signed by a CA made here, `ca_file()`) and authentication
    /// on: root, and `STEWARD_USER` allowed `/steward/`.
    pub fn start_secured(size: usize) -> EtcdCluster {
        let mut cluster = EtcdCluster::start_with(size, true);
        for args in [
            vec!["user", "add", "root:root-secret"],
            vec!["role", "add", "steward-fleet"],
            vec![
                "role",
                "grant-permission",
                "steward-fleet",
                "readwrite",
                "/steward/",
                "--prefix=true",
            ],
            vec!["user", "add", &format!("{STEWARD_USER}:{STEWARD_PASSWORD}")],
            vec!["user", "grant-role", STEWARD_USER, "steward-fleet"],
            vec!["auth", "enable"],
        ] {
            let out = cluster.ctl(&args);
            assert!(
                out.status.success(),
                "etcdctl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        cluster.root = Some("root:root-secret".to_string());
        cluster
    }

    /// The CA certificate clients check the members against (TLS only).
    pub fn ca_file(&self) -> Option<&std::path::Path> {
        self.ca.as_deref()
    }

    fn start_with(size: usize, tls: bool) -> EtcdCluster {
        let dir = tempfile::tempdir().expect("temp dir");
        let scheme = if tls { "https" } else { "http" };
        let mut tls_args: Vec<String> = Vec::new();
        let ca = tls.then(|| {
            let d = dir.path();
            std::fs::write(
                d.join("san.cnf"),
                "subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth, clientAuth\n",
            )
            .unwrap();
            openssl(d, &["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=steward test CA"]);
            openssl(d, &["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "member.key", "-out", "member.csr", "-subj", "/CN=127.0.0.1"]);
            openssl(d, &["x509", "-req", "-in", "member.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "member.pem", "-days", "2", "-extfile", "san.cnf"]);
            tls_args = vec![
                "--cert-file".to_string(),
                d.join("member.pem").display().to_string(),
                "--key-file".to_string(),
                d.join("member.key").display().to_string(),
            ];
            d.join("ca.pem")
        });
        let ports: Vec<(u16, u16)> = (0..size).map(|_| (free_port(), free_port())).collect();
        let initial = ports
            .iter()
            .enumerate()
            .map(|(i, (_, peer))| format!("m{i}=http://127.0.0.1:{peer}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut members = Vec::new();
        for (i, (client, peer)) in ports.iter().enumerate() {
            let name = format!("m{i}");
            let log = std::fs::File::create(dir.path().join(format!("{name}.log"))).unwrap();
            let child = Command::new(ETCD)
                .args(["--name", &name])
                .arg("--data-dir")
                .arg(dir.path().join(&name))
                .args([
                    "--listen-client-urls",
                    &format!("{scheme}://127.0.0.1:{client}"),
                    "--advertise-client-urls",
                    &format!("{scheme}://127.0.0.1:{client}"),
                    "--listen-peer-urls",
                    &format!("http://127.0.0.1:{peer}"),
                    "--initial-advertise-peer-urls",
                    &format!("http://127.0.0.1:{peer}"),
                    "--initial-cluster",
                    &initial,
                    "--initial-cluster-state",
                    "new",
                    "--initial-cluster-token",
                    "steward-fleet-test",
                    "--heartbeat-interval",
                    "50",
                    "--election-timeout",
                    "500",
                ])
                .args(&tls_args)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("starting /usr/bin/etcd (Debian etcd-server)");
            members.push(Member {
                name,
                client: *client,
                child: Some(child),
            });
        }
        let cluster = EtcdCluster {
            dir,
            members,
            ca,
            root: None,
        };
        cluster.wait_writable();
        cluster
    }

    /// The client URLs of every member, as `[fleet] endpoints` lists them.
    pub fn endpoints(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|m| {
                let scheme = if self.ca.is_some() { "https" } else { "http" };
                format!("{scheme}://127.0.0.1:{}", m.client)
            })
            .collect()
    }

    /// `endpoints` as a TOML array.
    pub fn endpoints_toml(&self) -> String {
        format!(
            "[{}]",
            self.endpoints()
                .iter()
                .map(|e| format!("\"{e}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// Kills member `i` (the others keep a quorum in a 3-member cluster).
    pub fn stop_member(&mut self, i: usize) {
        if let Some(mut child) = self.members[i].child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills every member.
    pub fn stop_all(&mut self) {
        for i in 0..self.members.len() {
            self.stop_member(i);
        }
    }

    /// Runs `etcdctl` against the running members; its output.
    pub fn ctl(&self, args: &[&str]) -> std::process::Output {
        let endpoints: Vec<String> = self
            .members
            .iter()
            .zip(self.endpoints())
            .filter(|(m, _)| m.child.is_some())
            .map(|(_, e)| e)
            .collect();
        let mut command = Command::new(ETCDCTL);
        command
            .env("ETCDCTL_API", "3")
            .arg(format!("--endpoints={}", endpoints.join(",")))
            .arg("--command-timeout=3s");
        if let Some(ca) = &self.ca {
            command.arg(format!("--cacert={}", ca.display()));
        }
        if let Some(root) = &self.root {
            command.arg(format!("--user={root}"));
        }
        command.args(args).output().expect("running etcdctl")
    }

    /// The member logs, for a failure message.
    pub fn logs(&self) -> String {
        self.members
            .iter()
            .map(|m| {
                let log = std::fs::read_to_string(self.dir.path().join(format!("{}.log", m.name)))
                    .unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(20).collect();
                format!(
                    "--- {} ---\n{}",
                    m.name,
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn wait_writable(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let out = self.ctl(&["put", "/steward-test/ready", "yes"]);
            if out.status.success() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the etcd cluster never took a write: {}\n{}",
                String::from_utf8_lossy(&out.stderr),
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        self.stop_all();
    }
}
