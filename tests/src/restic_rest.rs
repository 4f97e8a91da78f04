//! A real restic REST server on loopback for the offsite tests: Debian's
//! `rclone serve restic` (rclone 1.60) over a temp directory, on a free
//! port, with HTTP basic auth. Killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const RCLONE: &str = "/usr/bin/rclone";

pub struct RestServer {
    dir: tempfile::TempDir,
    pub port: u16,
    pub user: String,
    pub password: String,
    child: Child,
}

impl RestServer {
    /// Serves a fresh directory on `port` (see `crate::etcd::free_port`),
    /// asking for `user` and `password`; waits until it answers.
    pub fn start(port: u16, user: &str, password: &str) -> RestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("repos")).unwrap();
        let log = std::fs::File::create(dir.path().join("rclone.log")).unwrap();
        let child = Command::new(RCLONE)
            .args(["serve", "restic", "--addr", &format!("127.0.0.1:{port}")])
            .args(["--user", user, "--pass", password])
            .arg("--config")
            .arg(dir.path().join("rclone.conf"))
            .arg(dir.path().join("repos"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("Debian's rclone (apt-get install rclone)");
        let server = RestServer {
            dir,
            port,
            user: user.into(),
            password: password.into(),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "rclone serve restic did not listen on {port}: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The URL of repository `name` on this server, without credentials.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{name}", self.port)
    }

    /// `rest:` location with the credentials, as `restic -r` takes it.
    pub fn restic_location(&self, name: &str) -> String {
        format!(
            "rest:http://{}:{}@127.0.0.1:{}/{name}/",
            self.user, self.password, self.port
        )
    }

    /// The directory repository `name` is stored in.
    pub fn repo_dir(&self, name: &str) -> PathBuf {
        self.dir.path().join("repos").join(name)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("rclone.log")).unwrap_or_default()
    }
}

impl Drop for RestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
