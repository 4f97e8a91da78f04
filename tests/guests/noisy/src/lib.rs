//! A provider whose words attack whoever reads them: text that clears the
//! screen or forges a table row or a log line, a flood of log messages, a
//! state or a plan too large to keep. The `behaviour` setting picks the
//! attack, so one build serves every test.

use steward_sdk::{
    Action, Context, Detail, Error, ErrorCode, Info, Plan, Provider, Report, Settings, Step, Update,
    UpdateKind, WriteFile, setting,
};

/// Clears the screen, retitles the window, then starts a line of its own.
pub const FORGED: &str = "\x1b[2J\x1b]0;pwned\x07\nforged";

struct Noisy;

impl Provider for Noisy {
    fn describe(settings: Settings) -> Info {
        let forged = setting(&settings, "behaviour") == Some("forged-text");
        Info::new(
            &if forged {
                format!("noisy{FORGED}-name")
            } else {
                "noisy".to_string()
            },
            &if forged {
                format!("0.1.0{FORGED}-version")
            } else {
                "0.1.0".to_string()
            },
            &if forged {
                format!("Says things{FORGED}-description")
            } else {
                "Says things".to_string()
            },
            &[UpdateKind::Package],
        )
        .read("{bot}")
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        match ctx.setting("behaviour").unwrap_or("") {
            "forged-text" => {
                steward_sdk::log::warn(&format!("looking{FORGED}-log-line"));
                let mut update = Update::new(
                    UpdateKind::Package,
                    &format!("evil{FORGED}-row  0.0.1  6.6.6"),
                    Some(&format!("1.0{FORGED}-current")),
                    &format!("2.0\r{FORGED}-latest"),
                );
                update.changelog = Some(format!("see{FORGED}-changelog"));
                update.details = vec![Detail::note(format!("detail{FORGED}-detail"))];
                update.advisories = vec![steward_sdk::Advisory {
                    id: format!("GHSA{FORGED}-advisory"),
                    summary: format!("bad{FORGED}-summary"),
                    severity: Some(format!("high{FORGED}-severity")),
                    url: None,
                }];
                update.security = true;
                Ok(Report {
                    updates: vec![update],
                    warnings: vec![format!("careful{FORGED}-warning")],
                })
            }
            "forged-error" => Err(Error::new(
                ErrorCode::Network,
                format!("down{FORGED}-error"),
            )),
            "flood-log" => {
                let line = "x".repeat(1024);
                for i in 0..20_000 {
                    steward_sdk::log::info(&format!("{i} {line}"));
                }
                steward_sdk::log::info(&"y".repeat(10 << 20));
                Ok(Report::default())
            }
            _ => Ok(Report {
                updates: vec![Update::new(
                    UpdateKind::Package,
                    "noisy-package",
                    Some("1.0"),
                    "2.0",
                )],
                warnings: Vec::new(),
            }),
        }
    }

    fn capture(ctx: Context) -> Result<Vec<u8>, Error> {
        match ctx.setting("behaviour") {
            Some("huge-state") => Ok(vec![7; 20 << 20]),
            _ => Ok(b"small".to_vec()),
        }
    }

    fn plan(ctx: Context, _updates: Vec<Update>) -> Result<Plan, Error> {
        let write = |n: usize, diff: Option<String>| Step {
            description: format!("Write noisy file {n}"),
            action: Action::WriteFile(WriteFile {
                path: format!("{}/noisy-{n}.txt", ctx.bot_root.trim_end_matches('/')),
                contents: b"noise\n".to_vec(),
                diff,
            }),
        };
        let steps = match ctx.setting("behaviour") {
            Some("many-steps") => (0..1001).map(|n| write(n, None)).collect(),
            Some("forged-diff") => vec![write(
                0,
                Some("-quiet\n+noise\r  2. Nothing to see\x1b[2J\n".to_string()),
            )],
            _ => vec![write(0, None)],
        };
        Ok(Plan {
            steps,
            restart: false,
        })
    }

    fn restore_plan(_ctx: Context, _state: Vec<u8>) -> Result<Plan, Error> {
        Ok(Plan {
            steps: Vec::new(),
            restart: false,
        })
    }
}

steward_sdk::export_provider!(Noisy);
