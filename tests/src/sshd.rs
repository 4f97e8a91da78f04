//! A real OpenSSH server on loopback for the SFTP offsite tests: Debian's
//! `sshd` with its own config, a throwaway host key and a throwaway user
//! key (key auth only), on a free port, serving `internal-sftp`. Killed
//! when dropped.
//!
//! `ssh` reads the host keys it trusts from the running user's
//! `~/.ssh/known_hosts` (it ignores `$HOME`), so the server's key is added
//! there for `[127.0.0.1]:PORT` while it runs and removed when it stops.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const SSHD: &str = "/usr/sbin/sshd";

/// One writer of `known_hosts` at a time among this process's servers.
static KNOWN_HOSTS: Mutex<()> = Mutex::new(());

pub struct Sshd {
    dir: tempfile::TempDir,
    pub port: u16,
    /// The user to log in as (the one the tests run as).
    pub user: String,
    child: Child,
}

fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen (apt-get install openssh-client)");
    assert!(status.success());
}

fn known_hosts() -> PathBuf {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    PathBuf::from(home).join(".ssh/known_hosts")
}

impl Sshd {
    pub fn start(port: u16) -> Sshd {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        keygen(&d.join("host_key"));
        keygen(&d.join("user_key"));
        std::fs::copy(d.join("user_key.pub"), d.join("authorized_keys")).unwrap();
        std::fs::create_dir_all("/run/sshd").unwrap();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nStrictModes no\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nUsePAM no\n\
             PermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n",
            d = d.display()
        );
        std::fs::write(d.join("sshd_config"), config).unwrap();
        let log = std::fs::File::create(d.join("sshd.log")).unwrap();
        let child = Command::new(SSHD)
            .args(["-D", "-e", "-f"])
            .arg(d.join("sshd_config"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("Debian's sshd (apt-get install openssh-server)");
        let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout)
            .unwrap()
            .trim()
            .to_string();
        let server = Sshd {
            dir,
            port,
            user,
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "sshd did not listen on {port}: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server.trust();
        server
    }

    fn host_pattern(&self) -> String {
        format!("[127.0.0.1]:{}", self.port)
    }

    /// Adds the host key to `known_hosts` (replacing whatever an earlier
    /// server on this port left).
    fn trust(&self) {
        let _guard = KNOWN_HOSTS.lock().unwrap_or_else(|e| e.into_inner());
        let file = known_hosts();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        let _ = Command::new("ssh-keygen")
            .args(["-R", &self.host_pattern(), "-f"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let key = std::fs::read_to_string(self.dir.path().join("host_key.pub")).unwrap();
        let key: Vec<&str> = key.split_whitespace().take(2).collect();
        let line = format!("{} {}\n", self.host_pattern(), key.join(" "));
        use std::io::Write;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .unwrap();
    }

    /// The private key the server accepts.
    pub fn user_key(&self) -> PathBuf {
        self.dir.path().join("user_key")
    }

    /// A key the server does not accept.
    pub fn other_key(&self) -> PathBuf {
        let path = self.dir.path().join("other_key");
        if !path.exists() {
            keygen(&path);
        }
        path
    }

    /// A directory for repositories on the "server" (the same machine).
    pub fn storage(&self) -> PathBuf {
        let path = self.dir.path().join("storage");
        std::fs::create_dir_all(&path).unwrap();
        path
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// `restic` arguments that reach `path` over this server's SFTP.
    pub fn restic_args(&self, path: &Path) -> Vec<String> {
        vec![
            "-r".into(),
            format!("sftp:{}@127.0.0.1:{}", self.user, path.display()),
            "-o".into(),
            format!(
                "sftp.command=ssh {}@127.0.0.1 -p {} -i {} -o BatchMode=yes -s sftp",
                self.user,
                self.port,
                self.user_key().display()
            ),
        ]
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _guard = KNOWN_HOSTS.lock().unwrap_or_else(|e| e.into_inner());
        let _ = Command::new("ssh-keygen")
            .args(["-R", &self.host_pattern(), "-f"])
            .arg(known_hosts())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
