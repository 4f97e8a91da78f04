use std::path::Path;

use crate::{BackupRequest, Caller, Service};
use steward_core::config::Config;
use steward_core::settings::*;

/// A config in `dir` managing a tiny bot at `dir/bot`.
fn write_config(dir: &Path, extra: &str) -> Config {
    std::fs::create_dir_all(dir.join("bot/config")).unwrap();
    std::fs::write(dir.join("bot/config/settings.toml"), "x = 1\n").unwrap();
    let file = dir.join("steward.toml");
    std::fs::write(&file, format!("[bot]\nroot = \"bot\"\n{extra}\n")).unwrap();
    Config::load(&file, false).unwrap()
}

async fn service(dir: &Path, extra: &str) -> Service {
    Service::open(write_config(dir, extra)).await.unwrap()
}

/// A value other than the default that the setting accepts, if it has one.
fn other_value(d: &Definition, dir: &Path) -> Option<String> {
    Some(match d.kind {
        Kind::Bool => (d.default == "false").to_string(),
        Kind::Int { min, max } if min == max => return None,
        Kind::Int { min, max } => {
            if d.default == min.to_string() {
                max.to_string()
            } else {
                min.to_string()
            }
        }
        Kind::Time => "04:30".to_string(),
        Kind::Choice(choices) => choices.iter().find(|c| **c != d.default)?.to_string(),
        Kind::Path => dir.join("elsewhere").display().to_string(),
        Kind::UpdateTypes => "packages".to_string(),
        Kind::ChannelIds => "<#123>, 456".to_string(),
        Kind::Timezone => "Europe/Berlin".to_string(),
    })
}

/// Values the setting must refuse.
fn bad_values(d: &Definition) -> Vec<String> {
    match d.kind {
        Kind::Bool => vec!["maybe".into(), "2".into()],
        Kind::Int { min, max } => {
            let mut v = vec![(max + 1).to_string(), "ten".into(), "-1".into()];
            if min > 0 {
                v.push((min - 1).to_string());
            }
            v
        }
        Kind::Time => vec!["24:00".into(), "3pm".into(), "03:60".into(), "3:5".into()],
        Kind::Choice(_) => vec!["sometimes".into()],
        Kind::Path => vec!["/nonexistent-steward-dir/a/b".into()],
        Kind::UpdateTypes => vec!["packages,firmware".into(), ",".into()],
        Kind::ChannelIds => vec!["general".into(), "<#abc>".into(), "0".into()],
        Kind::Timezone => vec!["Mars/Olympus".into(), "CEST+1".into()],
    }
}

#[test]
fn the_catalog_defaults_are_the_config_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("steward.toml");
    std::fs::write(&file, "").unwrap();
    let config = Config::load(&file, false).unwrap();
    for d in catalog::ALL {
        let view = view(d, &config, &config, false);
        assert_eq!(view.value, view.default, "{}", d.key());
        assert_eq!(view.source, Source::Default, "{}", d.key());
    }
}

#[test]
fn unknown_category_and_name_list_the_valid_ones() {
    let err = find("updates-ish", "x").err().unwrap().to_string();
    assert!(
        err.contains("update, backup, notification, schedule"),
        "{err}"
    );
    let err = find("backup", "max_backup").err().unwrap().to_string();
    assert!(
        err.contains("max_backups") && err.contains("compression_level"),
        "{err}"
    );
    // The steward.toml section names reach the same settings.
    assert_eq!(
        find("safety", "min_disk_space_mb").unwrap().key(),
        "update.min_disk_space_mb"
    );
}

#[test]
fn steward_toml_values_are_checked_like_settings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("steward.toml");
    std::fs::write(&file, "[scheduling]\ntimezone = \"Mars/Olympus\"\n").unwrap();
    let err = Config::load(&file, false).unwrap_err().to_string();
    assert!(
        err.contains("[scheduling] timezone") && err.contains("IANA"),
        "{err}"
    );
    std::fs::write(&file, "[scheduling]\ndefault_time = \"25:00\"\n").unwrap();
    assert!(Config::load(&file, false).is_err());
}

#[tokio::test]
async fn every_setting_refuses_bad_values_and_keeps_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    for d in catalog::ALL {
        for bad in bad_values(d) {
            let err = service
                .settings_set(&Caller::Shell, d.category.as_str(), d.name, &bad)
                .await
                .err()
                .unwrap_or_else(|| panic!("{} accepted {bad:?}", d.key()));
            let message = err.user_message();
            assert!(
                message.contains(&d.key()) && message.contains(&d.kind.expected()),
                "{message}"
            );
        }
        let now = service
            .settings_get(&Caller::Shell, d.category.as_str(), d.name)
            .unwrap();
        assert_eq!(now.source, Source::Default, "{}", d.key());
    }
}

#[tokio::test]
async fn every_setting_is_stored_survives_a_restart_and_resets_to_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    {
        let service = service(dir.path(), "").await;
        for d in catalog::ALL {
            // The old switch is another name for `auto_updates = "all"`:
            // setting one moves the other, so it cannot keep its own value
            // here (the_old_auto_updates_switch_and_the_mode_agree covers it).
            if d.name == "auto_updates_enabled" {
                continue;
            }
            let Some(value) = other_value(d, dir.path()) else {
                continue;
            };
            let change = service
                .settings_set(&Caller::Shell, d.category.as_str(), d.name, &value)
                .await
                .unwrap();
            assert_eq!(change.previous, change.setting.default, "{}", d.key());
            assert_ne!(change.setting.value, change.previous, "{}", d.key());
            assert_eq!(change.setting.source, Source::Override);
            expected.push((d, change.setting.value.clone()));
        }
    }
    assert!(expected.len() >= 30, "{} settings changed", expected.len());
    let service = service(dir.path(), "").await;
    let config = service.config();
    for (d, value) in &expected {
        assert_eq!(
            &(d.read)(&config).to_string(),
            value,
            "{} after restart",
            d.key()
        );
    }
    // The effective Config is what the rest of Steward reads.
    assert_eq!(config.scheduling.timezone, "Europe/Berlin");
    assert_eq!(config.discord.notify_channels, vec![123, 456]);
    assert_eq!(config.backup.compression_level, 0);
    for (d, value) in &expected {
        let change = service
            .settings_reset(&Caller::Shell, d.category.as_str(), d.name)
            .await
            .unwrap();
        assert_eq!(&change.previous, value);
        assert_eq!(change.setting.value, change.setting.default, "{}", d.key());
        assert_eq!(change.setting.source, Source::Default);
    }
    assert_eq!(service.config().scheduling.timezone, "UTC");
}

#[tokio::test]
async fn the_old_auto_updates_switch_and_the_mode_agree() {
    let dir = tempfile::tempdir().unwrap();
    let read = |service: &Service, name: &str| {
        service
            .settings_get(&Caller::Shell, "update", name)
            .unwrap()
            .value
    };
    {
        let service = service(dir.path(), "").await;
        service
            .settings_set(&Caller::Shell, "update", "auto_updates_enabled", "true")
            .await
            .unwrap();
        assert_eq!(read(&service, "auto_updates"), "all");
    }
    let service = service(dir.path(), "").await;
    assert_eq!(read(&service, "auto_updates_enabled"), "true");
    assert_eq!(read(&service, "auto_updates"), "all");
    service
        .settings_set(&Caller::Shell, "update", "auto_updates", "security")
        .await
        .unwrap();
    assert_eq!(read(&service, "auto_updates_enabled"), "false");
    service
        .settings_reset(&Caller::Shell, "update", "auto_updates")
        .await
        .unwrap();
    service
        .settings_reset(&Caller::Shell, "update", "auto_updates_enabled")
        .await
        .unwrap();
    assert_eq!(read(&service, "auto_updates"), "off");
}

#[tokio::test]
async fn a_reset_goes_back_to_the_steward_toml_value() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "[backup]\nmax_backups = 7\n").await;
    let get = service
        .settings_get(&Caller::Shell, "backup", "max_backups")
        .unwrap();
    assert_eq!((get.value.as_str(), get.source), ("7", Source::SetInFile));
    service
        .settings_set(&Caller::Shell, "backup", "max_backups", "9")
        .await
        .unwrap();
    let change = service
        .settings_reset(&Caller::Shell, "backup", "max_backups")
        .await
        .unwrap();
    assert_eq!(
        (change.previous.as_str(), change.setting.value.as_str()),
        ("9", "7")
    );
}

#[tokio::test]
async fn lowering_max_backups_prunes_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "[safety]\nmin_disk_space_mb = 0\n").await;
    for _ in 0..3 {
        service
            .backup_create(
                &Caller::Shell,
                BackupRequest {
                    backup_type: crate::backup::BackupType::Full,
                    compress: true,
                    name: None,
                    include_logs: false,
                    description: None,
                },
                None,
            )
            .await
            .unwrap();
    }
    let change = service
        .settings_set(&Caller::Shell, "backup", "max_backups", "1")
        .await
        .unwrap();
    assert!(
        change
            .effects
            .iter()
            .any(|e| e.starts_with("Removed 2 backup(s)")),
        "{:?}",
        change.effects
    );
    let left = service
        .backup_list(
            &Caller::Shell,
            crate::BackupListRequest {
                backup_type: None,
                range: crate::backup::Range::All,
                limit: 50,
                sort: crate::backup::SortBy::Date,
            },
        )
        .await
        .unwrap();
    assert_eq!(left.total_count, 1);
}

#[tokio::test]
async fn an_admin_may_not_change_settings() {
    let dir = tempfile::tempdir().unwrap();
    let service = service(dir.path(), "").await;
    let admin = Caller::Discord(crate::DiscordCaller {
        user_id: 5,
        administrator: true,
        ..Default::default()
    });
    let err = service
        .settings_set(&admin, "backup", "max_backups", "3")
        .await
        .unwrap_err();
    assert!(matches!(err, crate::ServiceError::PermissionDenied { .. }));
}

#[test]
fn the_sample_steward_toml_documents_every_default_correctly() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../steward.toml");
    let config = Config::load(&file, false).unwrap();
    for d in catalog::ALL {
        let view = view(d, &config, &config, false);
        assert_eq!(view.value, view.default, "{} in steward.toml", d.toml);
    }
}
