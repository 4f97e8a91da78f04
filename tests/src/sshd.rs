//! A real OpenSSH server on loopback for the SFTP offsite tests: Debian's
//! `sshd` with its own config, a throwaway host key and a throwaway user
//! key (key auth only), on a free port, serving `internal-sftp`. Killed
//! when dropped.
//!
//! The server's host key is trusted in a `known_hosts` file inside the
//! server's temp dir, never the running user's `~/.ssh/known_hosts`: `ssh`
//! reads that from the passwd entry (it ignores `$HOME`), and OpenDAL's
//! SFTP service (0.58) passes `ssh` no option but `StrictHostKeyChecking`
//! (no `-F`, no `UserKnownHostsFile`), so Steward cannot be told another
//! file. Instead the `steward` under test runs with [`Sshd::env`]: a `PATH`
//! whose first `ssh` is a wrapper in the temp dir adding
//! `-o UserKnownHostsFile=…` (the first value of an option wins), and an
//! `XDG_STATE_HOME` there for the control sockets of the `openssh` crate.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SSHD: &str = "/usr/sbin/sshd";

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

    /// The `known_hosts` that trusts this server, in its temp dir.
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.path().join("known_hosts")
    }

    /// Trusts the host key in [`Sshd::known_hosts`], and writes the `ssh`
    /// wrapper that makes every `ssh` [`Sshd::env`] reaches read it.
    fn trust(&self) {
        let key = std::fs::read_to_string(self.dir.path().join("host_key.pub")).unwrap();
        let key: Vec<&str> = key.split_whitespace().take(2).collect();
        let line = format!("{} {}\n", self.host_pattern(), key.join(" "));
        std::fs::write(self.known_hosts(), line).unwrap();
        let bin = self.dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let ssh = which_ssh();
        let wrapper = bin.join("ssh");
        std::fs::write(
            &wrapper,
            format!(
                "#!/bin/sh\nexec {} -o UserKnownHostsFile={} -o GlobalKnownHostsFile=/dev/null \"$@\"\n",
                ssh.display(),
                self.known_hosts().display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir_all(self.dir.path().join("state")).unwrap();
    }

    /// The environment a `steward` that reaches this server runs with:
    /// the `ssh` wrapper first on `PATH`, the control sockets in the temp
    /// dir.
    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        let mut path = OsString::from(self.dir.path().join("bin"));
        if let Some(rest) = std::env::var_os("PATH") {
            path.push(":");
            path.push(rest);
        }
        vec![
            ("PATH", path),
            ("XDG_STATE_HOME", self.dir.path().join("state").into()),
        ]
    }

    /// The `ssh` control masters of connections made with [`Sshd::env`]
    /// (their sockets are under this server's directory) still running,
    /// by command line, given a few seconds to exit: a master outlives the
    /// process that opened it unless told to exit.
    pub fn masters_left(&self) -> Vec<String> {
        let dir = self.dir.path().to_string_lossy().into_owned();
        let masters = || -> Vec<String> {
            std::fs::read_dir("/proc")
                .unwrap()
                .flatten()
                .filter_map(|p| std::fs::read(p.path().join("cmdline")).ok())
                .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                .filter(|c| c.contains(&dir) && c.contains("ControlPersist"))
                .collect()
        };
        let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
        loop {
            let left = masters();
            if left.is_empty() || std::time::Instant::now() > until {
                return left;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
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
                "sftp.command=ssh {}@127.0.0.1 -p {} -i {} -o BatchMode=yes -o UserKnownHostsFile={} -s sftp",
                self.user,
                self.port,
                self.user_key().display(),
                self.known_hosts().display()
            ),
        ]
    }
}

/// The real `ssh` on `PATH` (before the wrapper is put first).
fn which_ssh() -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("ssh"))
        .find(|p| p.is_file())
        .expect("ssh (apt-get install openssh-client)")
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
