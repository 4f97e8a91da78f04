//! Who may do what. Fronts report the facts they know about a caller (a
//! Discord member's id, permissions and roles; or the server's shell); this
//! module alone turns them into a role and decides. Discord's own command
//! permissions are never relied on.

use std::fmt;

use crate::config::{ControlConfig, DiscordConfig};

/// The facts a front knows about whoever asked.
#[derive(Debug, Clone)]
pub enum Caller {
    /// Someone at the server's shell: they can read the token and the data
    /// directory anyway, so they are an owner.
    Shell,
    Discord(DiscordCaller),
    /// A stored schedule (by id) whose time came: an owner made it, so it
    /// runs with an owner's rights.
    Schedule(String),
    /// Someone on this machine through the control socket, as the kernel
    /// described the peer (`SO_PEERCRED`).
    Local(LocalCaller),
    /// A CI/CD pipeline through `[control.http]`, by the token it showed.
    Token(TokenCaller),
    /// A fleet wave's order (by the wave's id): the wave was authorized
    /// where it was started, and it holds the fleet lock for its orders.
    Fleet(String),
}

/// A `[control.http]` token: its name and the operations it is scoped to.
#[derive(Debug, Clone, Default)]
pub struct TokenCaller {
    pub name: String,
    pub scopes: Vec<String>,
}

impl TokenCaller {
    /// Whether a scope names `operation` (`install:TYPE` names installing).
    pub fn permits(&self, operation: Operation) -> bool {
        self.scopes
            .iter()
            .any(|s| s.split_once(':').map_or(s.as_str(), |(op, _)| op) == operation.scope())
    }

    /// Whether the token may install `update_type`: a plain `install`
    /// scope allows every type, `install:bot` only the bot.
    pub fn permits_install(&self, update_type: crate::engine::UpdateType) -> bool {
        self.scopes.iter().any(|s| match s.split_once(':') {
            None => s == "install",
            Some(("install", kind)) => {
                <crate::engine::UpdateType as clap::ValueEnum>::from_str(kind, true)
                    .is_ok_and(|t| t == update_type)
            }
            Some(_) => false,
        })
    }
}

/// A control-socket peer: its user, primary group and supplementary groups.
#[derive(Debug, Clone, Default)]
pub struct LocalCaller {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

/// A Discord user, as the interaction described them.
#[derive(Debug, Clone, Default)]
pub struct DiscordCaller {
    pub user_id: u64,
    /// The application's owner, or a member of its team.
    pub app_owner: bool,
    /// Holds the Administrator permission in the guild it asked from.
    pub administrator: bool,
    /// Guild roles (empty in direct messages).
    pub roles: Vec<u64>,
}

impl Caller {
    /// Who started something, as sessions and the update lock record it.
    pub fn label(&self) -> String {
        match self {
            Caller::Shell => format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "shell".to_string())
            ),
            Caller::Discord(d) => format!("discord:{}", d.user_id),
            Caller::Schedule(id) => format!("schedule:{id}"),
            Caller::Token(t) => format!("token:{}", t.name),
            Caller::Fleet(wave) => format!("fleet:{wave}"),
            Caller::Local(l) => match crate::unix_names::user_name(l.uid) {
                Some(name) => format!("cli:{name}"),
                None => format!("cli:uid {}", l.uid),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
    Member,
}

/// Every operation of the command reference, with who may run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Check,
    Install,
    Status,
    Rollback,
    Schedule,
    BackupCreate,
    BackupList,
    BackupRestore,
    Settings,
    /// Starting, stopping or restarting the bot (`steward bot`).
    BotControl,
    /// Removing backups beyond the retention policy now.
    BackupPrune,
}

/// Who an operation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Owners,
    OwnersAndAdmins,
}

impl Operation {
    /// Its name as a `[control.http]` token scope (one of
    /// `config::HTTP_SCOPES`).
    pub fn scope(self) -> &'static str {
        match self {
            Operation::Check => "check",
            Operation::Install => "install",
            Operation::Status => "status",
            Operation::Rollback => "rollback",
            Operation::Schedule => "schedule",
            Operation::BackupCreate => "backup_create",
            Operation::BackupList => "backup_list",
            Operation::BackupRestore => "backup_restore",
            Operation::Settings => "settings",
            Operation::BotControl => "bot_control",
            Operation::BackupPrune => "backup_prune",
        }
    }

    pub fn audience(self) -> Audience {
        match self {
            Operation::Check
            | Operation::Status
            | Operation::BackupCreate
            | Operation::BackupList => Audience::OwnersAndAdmins,
            Operation::Install
            | Operation::Rollback
            | Operation::Schedule
            | Operation::BackupRestore
            | Operation::Settings
            | Operation::BotControl
            | Operation::BackupPrune => Audience::Owners,
        }
    }
}

impl fmt::Display for Operation {
    /// As a user would say it: "Installing updates is for owners only."
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Check => "checking for updates",
            Operation::Install => "installing updates",
            Operation::Status => "viewing the update status",
            Operation::Rollback => "rolling back",
            Operation::Schedule => "scheduling updates",
            Operation::BackupCreate => "creating backups",
            Operation::BackupList => "listing backups",
            Operation::BackupRestore => "restoring backups",
            Operation::Settings => "changing settings",
            Operation::BotControl => "starting and stopping the bot",
            Operation::BackupPrune => "pruning backups",
        })
    }
}

/// The caller's role under the `[discord]` and `[control]` configuration.
pub fn role(caller: &Caller, discord: &DiscordConfig, control: &ControlConfig) -> Role {
    match caller {
        Caller::Local(l) => local_role(l, control),
        // Scopes decide, not a role (Service::authorize); an owner's rights
        // within them.
        Caller::Token(_) => Role::Owner,
        Caller::Shell | Caller::Schedule(_) | Caller::Fleet(_) => Role::Owner,
        Caller::Discord(c) => {
            if c.app_owner || discord.owners.contains(&c.user_id) {
                Role::Owner
            } else if c.administrator || c.roles.iter().any(|r| discord.admin_roles.contains(r)) {
                Role::Admin
            } else {
                Role::Member
            }
        }
    }
}

/// Root and the service's own user are owners (they can read its files
/// anyway); then the `[control]` lists, owners first.
fn local_role(caller: &LocalCaller, control: &ControlConfig) -> Role {
    use crate::unix_names::{group_matches, user_matches};
    if caller.uid == 0 || caller.uid == rustix::process::geteuid().as_raw() {
        return Role::Owner;
    }
    let in_groups = |names: &[String]| {
        names.iter().any(|name| {
            std::iter::once(caller.gid)
                .chain(caller.groups.iter().copied())
                .any(|gid| group_matches(name, gid))
        })
    };
    let is_user = |names: &[String]| names.iter().any(|name| user_matches(name, caller.uid));
    if is_user(&control.owner_users) || in_groups(&control.owner_groups) {
        Role::Owner
    } else if is_user(&control.admin_users) || in_groups(&control.admin_groups) {
        Role::Admin
    } else {
        Role::Member
    }
}

/// Whether `role` may run `operation`.
pub fn allows(role: Role, operation: Operation) -> bool {
    matches!(
        (operation.audience(), role),
        (_, Role::Owner) | (Audience::OwnersAndAdmins, Role::Admin)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> DiscordConfig {
        DiscordConfig {
            owners: vec![10],
            admin_roles: vec![500],
            ..DiscordConfig::default()
        }
    }

    fn member(user_id: u64) -> DiscordCaller {
        DiscordCaller {
            user_id,
            ..DiscordCaller::default()
        }
    }

    #[test]
    fn every_operation_is_a_scope_the_config_accepts_and_types_narrow_install() {
        let all = [
            Operation::Check,
            Operation::Install,
            Operation::Status,
            Operation::Rollback,
            Operation::Schedule,
            Operation::BackupCreate,
            Operation::BackupList,
            Operation::BackupRestore,
            Operation::Settings,
            Operation::BotControl,
            Operation::BackupPrune,
        ];
        let mut scopes: Vec<&str> = all.iter().map(|o| o.scope()).collect();
        let mut accepted = crate::config::HTTP_SCOPES.to_vec();
        scopes.sort_unstable();
        accepted.sort_unstable();
        assert_eq!(scopes, accepted);
        let ci = TokenCaller {
            name: "ci".to_string(),
            scopes: vec!["check".to_string(), "install:bot".to_string()],
        };
        assert!(ci.permits(Operation::Check) && ci.permits(Operation::Install));
        assert!(!ci.permits(Operation::Rollback));
        assert!(ci.permits_install(crate::engine::UpdateType::Bot));
        assert!(!ci.permits_install(crate::engine::UpdateType::All));
    }

    #[test]
    fn listed_owners_and_the_application_owner_are_owners() {
        let listed = Caller::Discord(member(10));
        let app_owner = Caller::Discord(DiscordCaller {
            app_owner: true,
            ..member(11)
        });
        assert_eq!(
            role(&listed, &config(), &ControlConfig::default()),
            Role::Owner
        );
        assert_eq!(
            role(&app_owner, &config(), &ControlConfig::default()),
            Role::Owner
        );
        assert_eq!(
            role(&Caller::Shell, &config(), &ControlConfig::default()),
            Role::Owner
        );
    }

    #[test]
    fn administrator_permission_or_an_admin_role_makes_an_admin() {
        let by_permission = Caller::Discord(DiscordCaller {
            administrator: true,
            ..member(20)
        });
        let by_role = Caller::Discord(DiscordCaller {
            roles: vec![7, 500],
            ..member(21)
        });
        let other_role = Caller::Discord(DiscordCaller {
            roles: vec![7],
            ..member(22)
        });
        assert_eq!(
            role(&by_permission, &config(), &ControlConfig::default()),
            Role::Admin
        );
        assert_eq!(
            role(&by_role, &config(), &ControlConfig::default()),
            Role::Admin
        );
        assert_eq!(
            role(&other_role, &config(), &ControlConfig::default()),
            Role::Member
        );
    }

    #[test]
    fn admins_may_check_but_not_install_restore_or_change_settings() {
        assert!(allows(Role::Admin, Operation::Check));
        assert!(allows(Role::Admin, Operation::BackupList));
        for owner_only in [
            Operation::Install,
            Operation::Rollback,
            Operation::Schedule,
            Operation::BackupRestore,
            Operation::Settings,
            Operation::BotControl,
        ] {
            assert!(!allows(Role::Admin, owner_only), "{owner_only}");
            assert!(allows(Role::Owner, owner_only), "{owner_only}");
        }
    }

    #[test]
    fn plain_members_may_do_nothing() {
        for op in [Operation::Check, Operation::Status, Operation::BackupList] {
            assert!(!allows(Role::Member, op), "{op}");
        }
    }
}
