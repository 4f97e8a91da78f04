//! `apt`: Debian and Ubuntu system packages. It reads installed versions
//! from the dpkg status file, asks `apt list --upgradable` what can be
//! upgraded, and plans `apt-get install` runs pinned to exact versions. It
//! never runs apt-get itself: the host runs the plan.

mod debversion;
mod listing;
mod offer;
mod plan;
mod policy;
mod settings;
mod status;

use std::io::ErrorKind;

use steward_sdk::{
    Context, Error, ErrorCode, Info, Plan, Provider, Report, Settings, Update, UpdateKind,
};

use debversion::DebVersion;
use listing::Listing;
use plan::CONFFILE_OPTIONS;
use settings::AptSettings;
use status::Status;

struct Apt;

impl Provider for Apt {
    fn describe(settings: Settings) -> Info {
        info_for(&settings)
    }

    fn check(ctx: Context) -> Result<Report, Error> {
        let settings = AptSettings::from_settings(&ctx.settings)?;
        let status = read_status(&settings.status_file)?;
        let upgradable = apt_list(&settings.apt, &["list", "--upgradable"])?;
        Ok(offer::offer(&status, &upgradable, &settings))
    }

    fn capture(ctx: Context) -> Result<Vec<u8>, Error> {
        let settings = AptSettings::from_settings(&ctx.settings)?;
        let status = read_status(&settings.status_file)?;
        Ok(serde_json::to_vec(&status).expect("a list of strings always serializes"))
    }

    fn plan(ctx: Context, updates: Vec<Update>) -> Result<Plan, Error> {
        let settings = AptSettings::from_settings(&ctx.settings)?;
        plan::install_plan(&settings.apt_get, &updates, &settings.policy)
    }

    fn verify(ctx: Context, updates: Vec<Update>) -> Result<(), Error> {
        let settings = AptSettings::from_settings(&ctx.settings)?;
        let status = read_status(&settings.status_file)?;
        let mut wrong = Vec::new();
        for update in &updates {
            let installed = status.find(&update.id, None);
            let matches = installed.is_some_and(|i| {
                DebVersion::parse(&i.version).is_some()
                    && DebVersion::parse(&i.version) == DebVersion::parse(&update.latest)
            });
            if !matches {
                wrong.push(format!(
                    "{} is {} instead of {}",
                    update.id,
                    installed.map_or("not installed".to_string(), |i| format!("at {}", i.version)),
                    update.latest
                ));
            }
        }
        if wrong.is_empty() {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::Conflict,
                format!("after the upgrade {}", wrong.join(", ")),
            ))
        }
    }

    fn restore_plan(ctx: Context, state: Vec<u8>) -> Result<Plan, Error> {
        let settings = AptSettings::from_settings(&ctx.settings)?;
        let captured: Status = serde_json::from_slice(&state).map_err(|e| {
            Error::invalid_data(format!("the captured package state is unreadable: {e}"))
        })?;
        let now = read_status(&settings.status_file)?;
        let (changed, added) = plan::changes(&captured, &now);
        if changed.is_empty() {
            return plan::restore_plan(&settings.apt_get, &changed, &added, &Listing::default());
        }
        let mut packages: Vec<&str> = changed.iter().map(|c| c.before.package.as_str()).collect();
        packages.sort_unstable();
        packages.dedup();
        let mut args = vec!["list", "-a"];
        args.extend(packages);
        let available = apt_list(&settings.apt, &args)?;
        plan::restore_plan(&settings.apt_get, &changed, &added, &available)
    }
}

steward_sdk::export_provider!(Apt);

/// What the provider wants: the status file's directory and the apt
/// commands it reads with or plans.
fn info_for(settings: &Settings) -> Info {
    let status_file = settings::status_file(settings);
    let status_dir = match status_file.rsplit_once('/') {
        Some(("", _)) | None => "/",
        Some((dir, _)) => dir,
    };
    let apt = steward_sdk::setting(settings, "apt").unwrap_or(settings::DEFAULT_APT);
    let apt_get = steward_sdk::setting(settings, "apt_get").unwrap_or(settings::DEFAULT_APT_GET);
    let with_conffile_options = |head: &[&'static str]| -> Vec<&'static str> {
        let mut args = head.to_vec();
        args.extend(CONFFILE_OPTIONS);
        args.extend(["{apt-pin}", "..."]);
        args
    };
    let upgrade = with_conffile_options(&["install", "-y", "--only-upgrade"]);
    let downgrade = with_conffile_options(&["install", "-y", "--allow-downgrades"]);
    Info::new(
        "apt",
        env!("CARGO_PKG_VERSION"),
        "Debian and Ubuntu system packages (dpkg and apt)",
        &[UpdateKind::Dependency],
    )
    .read(status_dir)
    .program(
        apt,
        &[
            &["list", "--upgradable"],
            &["list", "-a", "{apt-name}", "..."],
        ],
    )
    .program(apt_get, &[&upgrade, &downgrade])
}

fn read_status(path: &str) -> Result<Status, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        let code = match e.kind() {
            ErrorKind::NotFound => ErrorCode::NotFound,
            ErrorKind::PermissionDenied => ErrorCode::Denied,
            _ => ErrorCode::Other,
        };
        Error::new(
            code,
            format!("cannot read the dpkg status file {path}: {e}"),
        )
    })?;
    Ok(Status::parse(&text))
}

fn apt_list(apt: &str, args: &[&str]) -> Result<Listing, Error> {
    let out = steward_sdk::exec(apt, args)?;
    if out.status != 0 {
        return Err(Error::new(
            ErrorCode::Other,
            format!(
                "{apt} {} failed (exit {}): {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(listing::parse(&String::from_utf8_lossy(&out.stdout)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_wants_the_status_directory_and_the_apt_commands() {
        let info = info_for(&vec![(
            "status_file".to_string(),
            "/srv/fake/dpkg/status".to_string(),
        )]);
        assert_eq!(info.kinds, vec![UpdateKind::Dependency]);
        assert_eq!(info.wants.read, vec!["/srv/fake/dpkg"]);
        assert!(info.wants.http.is_empty());
        let apt = &info.wants.programs[0];
        assert_eq!(apt.path, "/usr/bin/apt");
        assert_eq!(
            apt.args,
            vec![
                vec!["list", "--upgradable"],
                vec!["list", "-a", "{apt-name}", "..."]
            ]
        );
        let apt_get = &info.wants.programs[1];
        assert_eq!(apt_get.path, "/usr/bin/apt-get");
        assert_eq!(apt_get.args[0][..3], ["install", "-y", "--only-upgrade"]);
        assert_eq!(
            apt_get.args[1][..3],
            ["install", "-y", "--allow-downgrades"]
        );
        assert_eq!(apt_get.args[0][7..], ["{apt-pin}", "..."]);
    }
}
