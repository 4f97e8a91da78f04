//! Every setting an owner may change at run time: its category and name, the
//! kind of value it takes, its built-in default, and the `Config` field it
//! reads and writes. One table, so the CLI, Discord and steward.toml agree.

use crate::UpdateType;
use crate::config::{AutoUpdates, Config, OverlapPolicy};

use super::Category;
use super::value::{Kind, Value};

/// One setting.
pub struct Definition {
    pub category: Category,
    pub name: &'static str,
    pub kind: Kind,
    /// The built-in default, written as a user would type it.
    pub default: &'static str,
    /// Where it lives in steward.toml (`[safety] min_disk_space_mb`).
    pub toml: &'static str,
    pub help: &'static str,
    pub read: fn(&Config) -> Value,
    pub write: fn(&mut Config, Value),
}

impl Definition {
    pub fn key(&self) -> String {
        format!("{}.{}", self.category.as_str(), self.name)
    }
}

macro_rules! setting {
    ($cat:ident, $name:literal, $kind:expr, $default:literal, $toml:literal, $help:literal,
     |$c:ident| $get:expr, |$w:ident, $v:ident| $set:expr) => {
        Definition {
            category: Category::$cat,
            name: $name,
            kind: $kind,
            default: $default,
            toml: $toml,
            help: $help,
            read: |$c: &Config| $get,
            write: |$w: &mut Config, $v: Value| $set,
        }
    };
}

macro_rules! flag {
    ($cat:ident, $name:literal, $default:literal, $toml:literal, $help:literal, $($field:ident).+) => {
        setting!($cat, $name, Kind::Bool, $default, $toml, $help,
            |c| Value::Bool(c.$($field).+),
            |c, v| c.$($field).+ = v.bool())
    };
}

macro_rules! number {
    ($cat:ident, $name:literal, $min:expr, $max:expr, $default:literal, $toml:literal, $help:literal, $($field:ident).+ as $t:ty) => {
        setting!($cat, $name, Kind::Int { min: $min, max: $max }, $default, $toml, $help,
            |c| Value::Int(c.$($field).+ as u64),
            |c, v| c.$($field).+ = v.int() as $t)
    };
}

pub const OVERLAP_CHOICES: &[&str] = &["wait", "skip"];
pub const AUTO_UPDATE_CHOICES: &[&str] = &["off", "security", "all"];

/// The table, in the order `settings list` shows it.
pub static ALL: &[Definition] = &[
    // update: [general] and [safety]
    flag!(
        Update,
        "auto_updates_enabled",
        "false",
        "[general] auto_updates_enabled",
        "Install found updates without being asked",
        general.auto_updates_enabled
    ),
    setting!(
        Update,
        "auto_updates",
        Kind::Choice(AUTO_UPDATE_CHOICES),
        "off",
        "[general] auto_updates",
        "What the background check installs by itself: off, security (security fixes only; the rest waits for a person) or all; a source's own auto_updates wins",
        |c| Value::Text(c.general.auto_mode().as_str().to_string()),
        |c, v| {
            let mode = match v.text().as_str() {
                "security" => AutoUpdates::Security,
                "all" => AutoUpdates::All,
                _ => AutoUpdates::Off,
            };
            // The old switch says the same, so the two never disagree.
            c.general.auto_updates_enabled = mode == AutoUpdates::All;
            c.general.auto_updates = Some(mode);
        }
    ),
    number!(
        Update,
        "update_check_interval",
        60,
        7 * 24 * 3600,
        "3600",
        "[general] update_check_interval",
        "Seconds between background update checks",
        general.update_check_interval as u64
    ),
    number!(
        Update,
        "max_concurrent_updates",
        1,
        1,
        "1",
        "[general] max_concurrent_updates",
        "Updates running at once (the install lock allows one)",
        general.max_concurrent_updates as u32
    ),
    flag!(
        Update,
        "require_confirmation",
        "true",
        "[general] require_confirmation",
        "Ask before installing",
        general.require_confirmation
    ),
    flag!(
        Update,
        "notify_on_completion",
        "true",
        "[general] notify_on_completion",
        "Post every update's result to the notification channels",
        general.notify_on_completion
    ),
    flag!(
        Update,
        "auto_restart",
        "true",
        "[general] auto_restart",
        "Restart the bot after a scheduled update that needs it (off: the update takes effect at the bot's next start)",
        general.auto_restart
    ),
    flag!(
        Update,
        "require_backup_before_update",
        "true",
        "[safety] require_backup_before_update",
        "Refuse an install without a backup unless forced",
        safety.require_backup_before_update
    ),
    number!(
        Update,
        "min_disk_space_mb",
        0,
        // Any real disk fits; bytes = MiB * 2^20 cannot overflow.
        u32::MAX as u64,
        "1024",
        "[safety] min_disk_space_mb",
        "MiB that must stay free on the bot's and Steward's disks",
        safety.min_disk_space_mb as u64
    ),
    number!(
        Update,
        "max_update_size_mb",
        1,
        100 * 1024,
        "100",
        "[safety] max_update_size_mb",
        "An install whose known downloads add up to more MiB stops unless forced",
        safety.max_update_size_mb as u64
    ),
    flag!(
        Update,
        "verify_downloads",
        "true",
        "[safety] verify_downloads",
        "A download with no signature key stops unless forced",
        safety.verify_downloads
    ),
    flag!(
        Update,
        "rollback_on_failure",
        "true",
        "[safety] rollback_on_failure",
        "Put everything back when an update fails",
        safety.rollback_on_failure
    ),
    // backup
    flag!(
        Backup,
        "enabled",
        "true",
        "[backup] enabled",
        "Take a backup before each update",
        backup.enabled
    ),
    number!(
        Backup,
        "max_backups",
        1,
        1000,
        "50",
        "[backup] max_backups",
        "Completed backups kept (older ones are pruned)",
        backup.max_backups as usize
    ),
    flag!(
        Backup,
        "auto_cleanup",
        "true",
        "[backup] auto_cleanup",
        "Prune after each backup",
        backup.auto_cleanup
    ),
    flag!(
        Backup,
        "compression_enabled",
        "true",
        "[backup] compression_enabled",
        "Compress new archives with gzip (off: every new backup is a plain .tar)",
        backup.compression_enabled
    ),
    number!(
        Backup,
        "compression_level",
        0,
        9,
        "6",
        "[backup] compression_level",
        "gzip level of new archives, 0-9",
        backup.compression_level as u32
    ),
    number!(
        Backup,
        "backup_retention_days",
        1,
        3650,
        "90",
        "[backup] backup_retention_days",
        "Backups older than this many days are pruned",
        backup.backup_retention_days as u64
    ),
    setting!(
        Backup,
        "backup_path",
        Kind::Path,
        "data/backups",
        "[backup] backup_path",
        "Directory new archives are written to",
        |c| Value::Path(c.backup.path.clone()),
        |c, v| c.backup.path = v.path()
    ),
    flag!(
        Backup,
        "verify_backups",
        "true",
        "[backup] verify_backups",
        "Read every new archive back and check it",
        backup.verify_backups
    ),
    // notification
    flag!(
        Notification,
        "on_start",
        "true",
        "[notifications] on_start",
        "Post when an update starts",
        notifications.on_start
    ),
    flag!(
        Notification,
        "on_progress",
        "false",
        "[notifications] on_progress",
        "Post each step of an update",
        notifications.on_progress
    ),
    flag!(
        Notification,
        "on_completion",
        "true",
        "[notifications] on_completion",
        "Post when an update completes",
        notifications.on_completion
    ),
    flag!(
        Notification,
        "on_error",
        "true",
        "[notifications] on_error",
        "Post when an update fails",
        notifications.on_error
    ),
    flag!(
        Notification,
        "on_backup",
        "true",
        "[notifications] on_backup",
        "Post when a backup is made",
        notifications.on_backup
    ),
    flag!(
        Notification,
        "only_changes_and_errors",
        "false",
        "[notifications] only_changes_and_errors",
        "Post only updates that changed something, and failures",
        notifications.only_changes_and_errors
    ),
    setting!(
        Notification,
        "notify_channels",
        Kind::ChannelIds,
        "none",
        "[discord] notify_channels",
        "Channels notifications are posted to",
        |c| Value::Ids(c.discord.notify_channels.clone()),
        |c, v| c.discord.notify_channels = v.ids()
    ),
    // schedule
    setting!(
        Schedule,
        "default_time",
        Kind::Time,
        "03:00",
        "[scheduling] default_time",
        "HH:MM a schedule runs at when it gives no time",
        |c| Value::Text(c.scheduling.default_time.clone()),
        |c, v| c.scheduling.default_time = v.text()
    ),
    flag!(
        Schedule,
        "enabled",
        "true",
        "[scheduling] enabled",
        "Run schedules at all (off keeps them, but none runs)",
        scheduling.enabled
    ),
    number!(
        Schedule,
        "max_schedules",
        1,
        50,
        "5",
        "[scheduling] max_schedules",
        "Schedules that may exist at once",
        scheduling.max_schedules as usize
    ),
    setting!(
        Schedule,
        "allowed_update_types",
        Kind::UpdateTypes,
        "packages,bot,config",
        "[scheduling] allowed_update_types",
        "Update types a schedule may run",
        |c| Value::Types(c.scheduling.allowed_update_types.clone()),
        |c, v| c.scheduling.allowed_update_types = v.types()
    ),
    flag!(
        Schedule,
        "require_backup_before_schedule",
        "true",
        "[scheduling] require_backup_before_schedule",
        "Scheduled runs take the pre-update backup",
        scheduling.require_backup_before_schedule
    ),
    setting!(
        Schedule,
        "timezone",
        Kind::Timezone,
        "UTC",
        "[scheduling] timezone",
        "IANA time zone schedule times are read in",
        |c| Value::Text(c.scheduling.timezone.clone()),
        |c, v| c.scheduling.timezone = v.text()
    ),
    number!(
        Schedule,
        "missed_run_window_minutes",
        0,
        7 * 24 * 60,
        "60",
        "[scheduling] missed_run_window_minutes",
        "A run missed while Steward was down still runs at start if at most this late (0: never)",
        scheduling.missed_run_window_minutes as u64
    ),
    setting!(
        Schedule,
        "on_overlap",
        Kind::Choice(OVERLAP_CHOICES),
        "wait",
        "[scheduling] on_overlap",
        "When another update is running at a scheduled time: wait for it, or skip this run",
        |c| Value::Text(match c.scheduling.on_overlap {
            OverlapPolicy::Wait => "wait".to_string(),
            OverlapPolicy::Skip => "skip".to_string(),
        }),
        |c, v| c.scheduling.on_overlap = if v.text() == "skip" {
            OverlapPolicy::Skip
        } else {
            OverlapPolicy::Wait
        }
    ),
    number!(
        Schedule,
        "overlap_wait_minutes",
        1,
        24 * 60,
        "60",
        "[scheduling] overlap_wait_minutes",
        "How long a scheduled run waits for another update before it is skipped",
        scheduling.overlap_wait_minutes as u64
    ),
];

/// The update types `allowed_update_types` may list.
pub const UPDATE_TYPES: &[(&str, UpdateType)] = &[
    ("all", UpdateType::All),
    ("packages", UpdateType::Packages),
    ("bot", UpdateType::Bot),
    ("config", UpdateType::Config),
    ("dependencies", UpdateType::Dependencies),
];
