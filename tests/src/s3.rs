//! A real S3-compatible server on loopback for the S3 offsite tests:
//! `s3s-fs` (crates.io, `cargo install s3s-fs --features binary`; .ci/run
//! puts it in `~/.local/bin`), which keeps each bucket as a directory of
//! its data dir and checks every request's SigV4 signature against the one
//! access key and secret key it is started with. Started on a free port
//! with its data in a temp dir, killed when dropped.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct S3Server {
    dir: tempfile::TempDir,
    pub port: u16,
    pub bucket: String,
    child: Child,
}

pub const ACCESS_KEY: &str = "steward-test-key";
pub const SECRET_KEY: &str = "steward-test-secret-Zq81";

/// `s3s-fs` on `PATH`, or in `~/.local/bin` where .ci/run installs it.
fn binary() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".local/bin"));
    }
    dirs.iter()
        .map(|d| d.join("s3s-fs"))
        .find(|p| p.is_file())
        .expect(
            "s3s-fs is not installed: cargo install s3s-fs --version 0.14.1 --features binary --locked --root ~/.local (.ci/run does)",
        )
}

impl S3Server {
    /// The server with `bucket` made. s3s-fs's CreateBucket is a
    /// `create_dir` in its data dir, so the bucket is made that way before
    /// the start rather than with a signed request.
    pub fn start(port: u16, bucket: &str) -> S3Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join(bucket)).unwrap();
        let log = std::fs::File::create(dir.path().join("s3s-fs.log")).unwrap();
        let child = Command::new(binary())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&data)
            .env("RUST_LOG", "info")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting s3s-fs");
        let mut server = S3Server {
            dir,
            port,
            bucket: bucket.into(),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            // Unsigned, so a server that checks credentials refuses it.
            if let Some(status) = server.request("GET", &format!("/{bucket}")) {
                assert!(
                    status.starts_with("HTTP/1.1 403"),
                    "s3s-fs must refuse an unsigned request: {status}"
                );
                break;
            }
            if let Ok(Some(exit)) = server.child.try_wait() {
                panic!("s3s-fs exited ({exit}): {}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "s3s-fs did not answer on {port}: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// One plain HTTP request; the status line, or `None` when nobody
    /// answers yet.
    fn request(&self, method: &str, path: &str) -> Option<String> {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok()?;
        answer.lines().next().map(str::to_string)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Where the server keeps the objects under `root` in the bucket.
    pub fn stored(&self, root: &str) -> PathBuf {
        self.dir.path().join("data").join(&self.bucket).join(root)
    }

    /// `restic -r` for `root` in the bucket (credentials go in the env).
    pub fn restic_location(&self, root: &str) -> String {
        format!("s3:{}/{}/{root}", self.endpoint(), self.bucket)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("s3s-fs.log")).unwrap_or_default()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
