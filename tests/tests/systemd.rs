//! `steward serve` as a systemd `Type=notify` service
//! (examples/systemd/steward.service): it says READY once its control
//! socket answers, pings the watchdog at half of `WatchdogSec` while it
//! runs, and says STOPPING at SIGTERM before it exits. systemd is played
//! by a datagram socket in `NOTIFY_SOCKET`, as systemd itself listens.

use std::os::unix::net::{UnixDatagram, UnixStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use steward_tests::harness::{Install, ONLY_CONFIG_PROVIDER, steward_bin};

/// The service; killed when dropped (a test that failed midway).
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next message on `socket`, within `within`; `None` after that.
fn next(socket: &UnixDatagram, within: Duration) -> Option<String> {
    socket.set_read_timeout(Some(within)).unwrap();
    let mut buffer = [0u8; 4096];
    let n = socket.recv(&mut buffer).ok()?;
    Some(String::from_utf8_lossy(&buffer[..n]).into_owned())
}

fn serve(install: &Install, notify: &std::path::Path, watchdog_usec: Option<&str>) -> Serve {
    let log = install.root().join("serve.log");
    let mut command = Command::new(steward_bin());
    command
        .arg("--config")
        .arg(install.config_path())
        .arg("serve")
        .env_remove("DISCORD_TOKEN")
        .env_remove("WATCHDOG_PID")
        .env_remove("WATCHDOG_USEC")
        .env("NOTIFY_SOCKET", notify)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::options().append(true).open(&log).unwrap());
    if let Some(usec) = watchdog_usec {
        command.env("WATCHDOG_USEC", usec);
    }
    Serve(command.spawn().expect("starting steward serve"))
}

#[test]
fn serve_says_ready_once_its_socket_answers_pings_the_watchdog_and_says_stopping_at_sigterm() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let notify = install.root().join("notify.sock");
    let systemd = UnixDatagram::bind(&notify).unwrap();
    // WatchdogSec=0.4: a ping every 0.2 s.
    let mut service = serve(&install, &notify, Some("400000"));
    let log = || std::fs::read_to_string(install.root().join("serve.log")).unwrap_or_default();

    let ready = next(&systemd, Duration::from_secs(60));
    assert_eq!(ready.as_deref(), Some("READY=1\n"), "{}", log());
    // Ready means ready: the control socket already answers.
    UnixStream::connect(install.data().join("steward.sock"))
        .unwrap_or_else(|e| panic!("READY came before the control socket answered: {e}"));

    let mut pings = 0;
    while pings < 3 {
        let message = next(&systemd, Duration::from_secs(10))
            .unwrap_or_else(|| panic!("{pings} watchdog ping(s), then none:\n{}", log()));
        assert_eq!(message, "WATCHDOG=1\n");
        pings += 1;
    }

    let sent = Command::new("kill")
        .args(["-TERM", &service.0.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let stopping = std::iter::from_fn(|| next(&systemd, Duration::from_secs(30)))
        .find(|m| m != "WATCHDOG=1\n");
    assert_eq!(stopping.as_deref(), Some("STOPPING=1\n"), "{}", log());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = service.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop:\n{}", log());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}\n{}", log());
}

#[test]
fn without_a_watchdog_serve_sends_ready_and_no_pings() {
    let install = Install::new(ONLY_CONFIG_PROVIDER);
    let notify = install.root().join("notify.sock");
    let systemd = UnixDatagram::bind(&notify).unwrap();
    let _service = serve(&install, &notify, None);

    let ready = next(&systemd, Duration::from_secs(60));
    assert_eq!(ready.as_deref(), Some("READY=1\n"));
    assert_eq!(next(&systemd, Duration::from_secs(2)), None);
}
