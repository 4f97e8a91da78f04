//! A real S3-compatible server on loopback for the S3 offsite tests:
//! moto's standalone server (`moto_server`, PyPI `moto[server]`) on a free
//! port, with one bucket made at start. Killed when dropped.
//!
//! moto accepts any access key, so these tests cover the S3 protocol and
//! what restic reads back, not refused credentials (the REST and SFTP
//! tests do).

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct S3Server {
    dir: tempfile::TempDir,
    pub port: u16,
    pub bucket: String,
    child: Child,
}

pub const ACCESS_KEY: &str = "steward-test-key";
pub const SECRET_KEY: &str = "steward-test-secret-Zq81";

impl S3Server {
    pub fn start(port: u16, bucket: &str) -> S3Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("moto.log")).unwrap();
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("moto_server (python3 -m pip install --user 'moto[server]')");
        let server = S3Server {
            dir,
            port,
            bucket: bucket.into(),
            child,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = server.request("PUT", &format!("/{bucket}")) {
                assert!(
                    status.starts_with("HTTP/1.1 200"),
                    "creating the bucket: {status}"
                );
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on {port}: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(100));
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

    /// `restic -r` for `root` in the bucket (credentials go in the env).
    pub fn restic_location(&self, root: &str) -> String {
        format!("s3:{}/{}/{root}", self.endpoint(), self.bucket)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("moto.log")).unwrap_or_default()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
