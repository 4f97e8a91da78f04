//! Builds the apt-get commands the host runs: the upgrade, and the downgrade
//! back to captured versions where an archive still offers them. It decides
//! only; it never runs apt-get, and it says which packages it cannot restore.

use steward_sdk::{Action, Command, Error, ErrorCode, Plan, Step, Update};

use crate::debversion::DebVersion;
use crate::listing::Listing;
use crate::policy::Policy;
use crate::status::{Installed, Status};

/// Keep the operator's changed config files and take the maintainer's
/// default where the operator changed nothing: an unattended run cannot
/// answer dpkg's conffile prompt.
pub const CONFFILE_OPTIONS: [&str; 4] = [
    "-o",
    "Dpkg::Options::=--force-confdef",
    "-o",
    "Dpkg::Options::=--force-confold",
];

/// `apt-get install -y --only-upgrade … pkg=ver …` for `updates`.
pub fn install_plan(apt_get: &str, updates: &[Update], policy: &Policy) -> Result<Plan, Error> {
    if updates.is_empty() {
        return Ok(Plan {
            steps: Vec::new(),
            restart: false,
        });
    }
    let mut targets = Vec::new();
    for update in updates {
        if let Some(why) = update.held.clone().or_else(|| policy.refusal(&update.id)) {
            return Err(Error::new(
                ErrorCode::Conflict,
                format!("{} is not to be upgraded: {why}", update.id),
            ));
        }
        targets.push(target(&update.id, &update.latest)?);
    }
    let description = format!("upgrade {}", targets.join(" ").replace('=', " to "));
    Ok(apt_get_install(
        apt_get,
        "--only-upgrade",
        targets,
        description,
    ))
}

/// One `apt-get install -y MODE <conffile options> TARGETS…` step. Upgraded
/// or downgraded libraries reach the bot's process only when it restarts.
fn apt_get_install(apt_get: &str, mode: &str, targets: Vec<String>, description: String) -> Plan {
    let mut args: Vec<String> = ["install", "-y", mode]
        .into_iter()
        .chain(CONFFILE_OPTIONS)
        .map(str::to_string)
        .collect();
    args.extend(targets);
    Plan {
        steps: vec![Step {
            description,
            action: Action::Exec(Command {
                program: apt_get.to_string(),
                args,
                cwd: None,
                timeout_ms: None,
                env: Vec::new(),
            }),
        }],
        restart: true,
    }
}

/// A package whose version differs from the one captured before the update.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The captured instance (package, architecture, old version).
    pub before: Installed,
    /// The name apt-get understands for it.
    pub apt_name: String,
    /// The version installed now, if any.
    pub now: Option<String>,
}

/// What changed between `captured` and `now`, and which packages are new.
pub fn changes(captured: &Status, now: &Status) -> (Vec<Change>, Vec<String>) {
    let mut changed = Vec::new();
    for before in &captured.packages {
        let current = now
            .instances(&before.package)
            .into_iter()
            .find(|p| p.arch == before.arch);
        let same = current.is_some_and(|c| {
            match (
                DebVersion::parse(&c.version),
                DebVersion::parse(&before.version),
            ) {
                (Some(a), Some(b)) => a == b,
                _ => c.version == before.version,
            }
        });
        if !same {
            changed.push(Change {
                before: before.clone(),
                apt_name: captured.apt_name(before),
                now: current.map(|c| c.version.clone()),
            });
        }
    }
    let added = now
        .packages
        .iter()
        .filter(|p| {
            !captured
                .packages
                .iter()
                .any(|c| c.package == p.package && c.arch == p.arch)
        })
        .map(|p| now.apt_name(p))
        .collect();
    (changed, added)
}

/// `apt-get install -y --allow-downgrades … pkg=old …` for every change whose
/// old version an archive still offers (`available` is `apt list -a` of the
/// changed packages). The step says which cannot be restored; when none can,
/// that is the error.
pub fn restore_plan(
    apt_get: &str,
    changes: &[Change],
    added: &[String],
    available: &Listing,
) -> Result<Plan, Error> {
    let mut targets = Vec::new();
    let mut lost = Vec::new();
    for change in changes {
        let old = DebVersion::parse(&change.before.version);
        let offered = available.entries.iter().any(|e| {
            e.package() == change.before.package
                && (e.arch == change.before.arch || e.arch == "all" || change.before.arch == "all")
                && e.downloadable()
                && old.is_some()
                && DebVersion::parse(&e.version) == old
        });
        if offered {
            targets.push(target(&change.apt_name, &change.before.version)?);
        } else {
            lost.push(format!(
                "{} {} (no archive apt knows offers it any more)",
                change.apt_name, change.before.version
            ));
        }
    }
    let mut notes = Vec::new();
    if !lost.is_empty() {
        notes.push(format!("cannot restore {}", lost.join(", ")));
    }
    if !added.is_empty() {
        notes.push(format!(
            "left installed (new since the update): {}",
            added.join(", ")
        ));
    }
    if targets.is_empty() {
        if lost.is_empty() {
            return Ok(Plan {
                steps: Vec::new(),
                restart: false,
            });
        }
        return Err(Error::not_found(notes.join("; ")));
    }
    let mut description = format!(
        "downgrade {} to the versions before the update",
        targets.join(" ").replace('=', " to ")
    );
    for note in notes {
        description.push_str("; ");
        description.push_str(&note);
    }
    Ok(apt_get_install(
        apt_get,
        "--allow-downgrades",
        targets,
        description,
    ))
}

/// `name=version`, refused unless both look like what dpkg accepts, so an
/// update handed to `plan` can never smuggle in an option or a second word.
fn target(name: &str, version: &str) -> Result<String, Error> {
    let (package, arch) = match name.split_once(':') {
        Some((package, arch)) => (package, Some(arch)),
        None => (name, None),
    };
    let package_ok = package.len() >= 2
        && package.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && package
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    let arch_ok = arch.is_none_or(|a| {
        !a.is_empty()
            && a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    if !package_ok || !arch_ok {
        return Err(Error::invalid_data(format!(
            "\"{name}\" is not a Debian package name"
        )));
    }
    if DebVersion::parse(version).is_none() {
        return Err(Error::invalid_data(format!(
            "\"{version}\" is not a Debian version (package {name})"
        )));
    }
    Ok(format!("{name}={version}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing;
    use steward_sdk::UpdateKind;

    fn update(name: &str, from: &str, to: &str) -> Update {
        Update::new(UpdateKind::Dependency, name, Some(from), to)
    }

    fn exec_args(plan: &Plan) -> &[String] {
        match &plan.steps[0].action {
            Action::Exec(c) => &c.args,
            other => panic!("step is {other:?}"),
        }
    }

    #[test]
    fn install_plan_pins_each_package_to_its_candidate_with_only_upgrade() {
        let plan = install_plan(
            "/usr/bin/apt-get",
            &[
                update("openssl", "3.0.14-1~deb12u2", "3.0.15-1~deb12u1"),
                update("libc6:i386", "2.36-9+deb12u4", "2.36-9+deb12u7"),
            ],
            &Policy::default(),
        )
        .unwrap();
        assert!(plan.restart);
        let args = exec_args(&plan);
        assert_eq!(&args[..3], ["install", "-y", "--only-upgrade"]);
        assert_eq!(
            &args[7..],
            ["openssl=3.0.15-1~deb12u1", "libc6:i386=2.36-9+deb12u7"]
        );
        assert_eq!(
            plan.steps[0].description,
            "upgrade openssl to 3.0.15-1~deb12u1 libc6:i386 to 2.36-9+deb12u7"
        );
    }

    #[test]
    fn install_plan_refuses_a_denied_or_held_package() {
        let deny = Policy {
            allow: vec![],
            deny: vec!["linux-*".to_string()],
        };
        let err =
            install_plan("apt-get", &[update("linux-image-amd64", "1", "2")], &deny).unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict);
        let mut held = update("nginx", "1.0-1", "1.0-2");
        held.held = Some("on hold (apt-mark hold)".to_string());
        let err = install_plan("apt-get", &[held], &Policy::default()).unwrap_err();
        assert!(err.message.contains("apt-mark hold"), "{}", err.message);
    }

    #[test]
    fn install_plan_refuses_names_that_could_be_options() {
        let err = install_plan(
            "apt-get",
            &[update("-oAPT::x=1", "1", "2")],
            &Policy::default(),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidData);
        let err = install_plan(
            "apt-get",
            &[update("openssl", "1", "2 evil")],
            &Policy::default(),
        )
        .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidData);
    }

    const BEFORE: &str = "\
Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.14-1~deb12u2

Package: libfoo1
Status: install ok installed
Architecture: amd64
Version: 1.0-1

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1
";

    const AFTER: &str = "\
Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.15-1~deb12u1

Package: libfoo1
Status: install ok installed
Architecture: amd64
Version: 1.1-1

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2024a-0+deb12u1

Package: libnew0
Status: install ok installed
Architecture: amd64
Version: 0.5-1
";

    #[test]
    fn changes_list_packages_whose_version_moved_and_packages_added() {
        let (changed, added) = changes(&Status::parse(BEFORE), &Status::parse(AFTER));
        let names: Vec<(&str, &str, Option<&str>)> = changed
            .iter()
            .map(|c| {
                (
                    c.apt_name.as_str(),
                    c.before.version.as_str(),
                    c.now.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("openssl", "3.0.14-1~deb12u2", Some("3.0.15-1~deb12u1")),
                ("libfoo1", "1.0-1", Some("1.1-1")),
            ]
        );
        assert_eq!(added, vec!["libnew0"]);
    }

    #[test]
    fn restore_plan_downgrades_what_the_archive_still_has_and_names_what_it_cannot() {
        let (changed, added) = changes(&Status::parse(BEFORE), &Status::parse(AFTER));
        let available = listing::parse(
            "\
Listing...
openssl/stable-security,now 3.0.15-1~deb12u1 amd64 [installed]
openssl/stable 3.0.14-1~deb12u2 amd64
libfoo1/stable,now 1.1-1 amd64 [installed]
",
        );
        let plan = restore_plan("/usr/bin/apt-get", &changed, &added, &available).unwrap();
        let args = exec_args(&plan);
        assert_eq!(&args[..3], ["install", "-y", "--allow-downgrades"]);
        assert_eq!(&args[7..], ["openssl=3.0.14-1~deb12u2"]);
        let description = &plan.steps[0].description;
        assert!(
            description.contains("cannot restore libfoo1 1.0-1"),
            "{description}"
        );
        assert!(description.contains("left installed"), "{description}");
        assert!(description.contains("libnew0"), "{description}");
    }

    #[test]
    fn restore_plan_is_an_error_naming_every_package_when_none_can_be_restored() {
        let (changed, added) = changes(&Status::parse(BEFORE), &Status::parse(AFTER));
        let available = listing::parse("libfoo1/now 1.0-1 amd64 [installed,local]\n");
        let err = restore_plan("/usr/bin/apt-get", &changed, &added, &available).unwrap_err();
        assert_eq!(err.code, ErrorCode::NotFound);
        assert!(
            err.message.contains("openssl 3.0.14-1~deb12u2"),
            "{}",
            err.message
        );
        assert!(err.message.contains("libfoo1 1.0-1"), "{}", err.message);
    }

    #[test]
    fn restore_plan_is_empty_when_nothing_changed() {
        let status = Status::parse(BEFORE);
        let (changed, added) = changes(&status, &status);
        let plan = restore_plan("apt-get", &changed, &added, &Listing::default()).unwrap();
        assert!(plan.steps.is_empty());
    }
}
