//! `hello`: the smallest useful provider. It reads the bot's
//! `requirements.txt` and warns about every requirement without a version
//! pin, because an unpinned dependency changes under you at the next install.
//! It offers no updates and never plans a change.

use steward_sdk::{Context, Error, ErrorCode, Info, Provider, Report, Settings, UpdateKind};

struct Hello;

impl Provider for Hello {
    fn describe(_settings: Settings) -> Info {
        Info::new(
            "hello",
            env!("CARGO_PKG_VERSION"),
            "Warns about unpinned requirements",
            &[UpdateKind::Package],
        )
        .read("{bot}")
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        // Without a grant the bot's directory is simply not there.
        if std::fs::read_dir(&ctx.bot_root).is_err() {
            return Err(Error::new(
                ErrorCode::Denied,
                format!(
                    "cannot see {}: grant this provider `read = [\"{{bot}}\"]`",
                    ctx.bot_root
                ),
            ));
        }
        let path = ctx.bot_path("requirements", "requirements.txt");
        let text = std::fs::read_to_string(&path).map_err(|e| {
            let code = match e.kind() {
                std::io::ErrorKind::NotFound => ErrorCode::NotFound,
                _ => ErrorCode::Denied,
            };
            Error::new(code, format!("cannot read {path}: {e}"))
        })?;
        let mut report = Report::default();
        for line in text.lines() {
            let requirement = line.split('#').next().unwrap_or("").trim();
            if requirement.is_empty() || requirement.starts_with('-') {
                continue;
            }
            if !requirement.contains(['=', '<', '>', '~', '@']) {
                report
                    .warnings
                    .push(format!("{requirement} is not pinned in {path}"));
            }
        }
        Ok(report)
    }
}

steward_sdk::export_provider!(Hello);
