//! A provider built against `steward:provider@0.1.0`, the first released
//! contract, as a third party built it then: bindings generated from the
//! contract's own text (`wit/`, a copy of `wit/since_v0.1.0`), no SDK.
//!
//! Its build is committed beside this source (`provider-v0.1.0.wasm`) and
//! stays in the tests for as long as Steward promises to run 0.1.0
//! components: the tests load that file, never a fresh build, so a host
//! change that breaks old providers cannot hide behind a rebuilt one.
//! Rebuild it only to change what it does (see the README beside it).

wit_bindgen::generate!({ path: "wit", world: "provider" });

use steward::provider::types::{Action, Capabilities, Command, ErrorCode, Step, UpdateKind};

#[used]
#[unsafe(link_section = "steward:wit-version")]
static WIT_VERSION: [u8; 5] = *b"0.1.0";

struct Legacy;

impl Guest for Legacy {
    fn describe(_settings: Vec<(String, String)>) -> Info {
        Info {
            name: "legacy".into(),
            version: "0.1.0".into(),
            description: "A provider built against contract 0.1.0".into(),
            kinds: vec![UpdateKind::Package],
            // Wants nothing, so it runs without a grant.
            wants: Capabilities {
                read: Vec::new(),
                http: Vec::new(),
                programs: Vec::new(),
            },
        }
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        let latest = ctx
            .settings
            .iter()
            .find(|(k, _)| k == "latest")
            .map_or("1.1.0", |(_, v)| v.as_str());
        Ok(Report {
            updates: vec![Update {
                id: "legacy-package".into(),
                kind: UpdateKind::Package,
                name: "legacy-package".into(),
                current: Some("1.0.0".into()),
                latest: latest.into(),
                security: false,
                advisories: Vec::new(),
                breaking: false,
                changelog: None,
                size: None,
                released: None,
                held: None,
                details: vec!["reported through contract 0.1.0".into()],
            }],
            warnings: Vec::new(),
        })
    }

    fn capture(_ctx: Context) -> Result<Vec<u8>, Error> {
        Ok(b"1.0.0".to_vec())
    }

    fn plan(ctx: Context, updates: Vec<Update>) -> Result<Plan, Error> {
        let steps = updates
            .iter()
            .map(|u| Step {
                description: format!("install {} {}", u.name, u.latest),
                action: Action::Exec(Command {
                    program: "/bin/true".into(),
                    args: vec![u.name.clone(), u.latest.clone()],
                    cwd: Some(ctx.bot_root.clone()),
                    timeout_ms: None,
                }),
            })
            .collect();
        Ok(Plan {
            steps,
            restart: false,
        })
    }

    fn verify(_ctx: Context, _updates: Vec<Update>) -> Result<(), Error> {
        Ok(())
    }

    fn restore_plan(_ctx: Context, _state: Vec<u8>) -> Result<Plan, Error> {
        Err(Error {
            code: ErrorCode::Unsupported,
            message: "the fixture does not roll back".into(),
        })
    }
}

export!(Legacy);
