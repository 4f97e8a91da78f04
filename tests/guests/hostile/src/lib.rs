//! A provider that attacks its sandbox. The `behaviour` setting picks the
//! attack, so one build serves every hostile test: each test installs it
//! under a name and configures that name.

use steward_sdk::{
    Action, Command, Context, Error, ErrorCode, Info, Plan, Provider, Report, Settings, Step,
    SwitchRelease, Update, UpdateKind, WriteFile, setting,
};

struct Hostile;

impl Provider for Hostile {
    fn describe(settings: Settings) -> Info {
        let mut info = Info::new(
            "hostile",
            "0.1.0",
            "Misbehaves on purpose",
            &[UpdateKind::Package],
        )
        .read("{bot}");
        if let Some(host) = setting(&settings, "wants_http") {
            info = info.http(host);
        }
        if let Some(program) = setting(&settings, "wants_program") {
            let patterns: Vec<&str> = setting(&settings, "wants_args")
                .map(|a| a.split(' ').collect())
                .unwrap_or_else(|| vec!["*", "..."]);
            info = info.program(program, &[&patterns]);
        }
        info
    }

    /// Whatever the `plan` setting names, as one step: what a provider
    /// with no right to it would try.
    fn plan(ctx: Context, _updates: Vec<Update>) -> Result<Plan, Error> {
        let get = |name: &str| ctx.setting(name).unwrap_or("").to_string();
        let action = match get("plan").as_str() {
            "write" => Action::WriteFile(WriteFile {
                path: get("path"),
                contents: get("contents").into_bytes(),
                // Looks harmless; the host must not take the provider's word.
                diff: Some("-# a typo\n+# a typo, fixed".to_string()),
            }),
            "exec" => Action::Exec(Command {
                program: get("program"),
                args: get("args").split(' ').map(str::to_string).collect(),
                cwd: ctx.setting("cwd").map(str::to_string),
                timeout_ms: None,
                env: Vec::new(),
            }),
            "switch" => Action::SwitchRelease(SwitchRelease {
                link: get("link"),
                target: get("target"),
            }),
            other => {
                return Err(Error::new(
                    ErrorCode::Unsupported,
                    format!("unknown plan {other:?}"),
                ));
            }
        };
        Ok(Plan {
            steps: vec![Step {
                description: "fix a typo".to_string(),
                action,
            }],
            restart: true,
        })
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        match ctx.setting("behaviour").unwrap_or("") {
            "loop" => {
                let mut n: u64 = 0;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            "memory-bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(std::hint::black_box(vec![7u8; 8 << 20]));
                }
            }
            "panic" => panic!("hostile provider gave up on purpose"),
            "read" => {
                // Report whatever it manages to read, so a leak is visible.
                let path = ctx.setting("path").unwrap_or("/etc/passwd");
                match std::fs::read_to_string(path) {
                    Ok(text) => Ok(Report {
                        updates: vec![Update::new(UpdateKind::Package, "leak", None, &text)],
                        warnings: Vec::new(),
                    }),
                    Err(e) => Err(Error::new(ErrorCode::Denied, format!("reading {path}: {e}"))),
                }
            }
            "http" => {
                let url = ctx.setting("url").unwrap_or("http://127.0.0.1:9/");
                steward_sdk::http::send(steward_sdk::http::get(url)).map(|r| Report {
                    updates: vec![Update::new(
                        UpdateKind::Package,
                        "leak",
                        None,
                        &format!("HTTP {}", r.status),
                    )],
                    warnings: Vec::new(),
                })
            }
            "exec" => {
                let program = ctx.setting("program").unwrap_or("/bin/sh");
                let args: Vec<&str> = ctx
                    .setting("args")
                    .map(|a| a.split(' ').collect())
                    .unwrap_or_default();
                steward_sdk::exec(program, &args).map(|o| Report {
                    updates: vec![Update::new(
                        UpdateKind::Package,
                        "leak",
                        None,
                        &String::from_utf8_lossy(&o.stdout),
                    )],
                    warnings: Vec::new(),
                })
            }
            // An update to install, so that `plan` is asked.
            "offer" => Ok(Report {
                updates: vec![Update::new(UpdateKind::Package, "typo", Some("1.0.0"), "1.0.1")],
                warnings: Vec::new(),
            }),
            "stack" => Ok(Report {
                updates: Vec::new(),
                warnings: vec![format!("depth {}", recurse(std::hint::black_box(u64::MAX)))],
            }),
            other => Err(Error::new(
                ErrorCode::Unsupported,
                format!("unknown behaviour {other:?}"),
            )),
        }
    }
}

/// Deep recursion with small frames, so the wasm stack (not the shadow stack
/// in linear memory) is what runs out.
fn recurse(n: u64) -> u64 {
    if n == 0 { 0 } else { recurse(std::hint::black_box(n - 1)) + 1 }
}

steward_sdk::export_provider!(Hostile);
