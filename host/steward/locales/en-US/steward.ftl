# Steward's Discord front, English (United States): the reference
# catalogue. Every other locale has exactly these keys
# (src/discord/locale.rs tests it); a key missing at run time falls back to
# this file.

## Shared pieces

list-separator = {", "}
sentence-separator = {" "}
cut = … (cut)
yes = yes
no = no
and-more = … and { $count } more
files = { $count ->
    [one] { $count } file
   *[other] { $count } files
}

## Registration: command names and descriptions, option descriptions.
## Option names stay as in the command reference (messages quote them,
## like confirm:true), so they are not translated.

cmd-update_check-name = update_check
cmd-update_check-description = Check every update source for available updates
opt-update_check-check_type = Which updates to look for (default: all)
opt-update_check-show_details = Show advisories, changelogs and details (default: false)
opt-update_check-include_security = Look up security advisories (default: true)

cmd-update_status-name = update_status
cmd-update_status-description = Show Steward's and the bot's status, update history and metrics
opt-update_status-show_history = List the update sessions of the range (default: false)
opt-update_status-show_metrics = Disk, memory, statistics and the chart (default: true)
opt-update_status-time_range = How far back to look (default: 7d)

cmd-update_schedule-name = update_schedule
cmd-update_schedule-description = Schedule automatic update runs
opt-update_schedule-schedule_type = How often it runs
opt-update_schedule-update_types = Update types to install, comma-separated (e.g. packages,config), or backup to only back up
opt-update_schedule-update_time = HH:MM in the configured time zone (default: the default_time setting)
opt-update_schedule-update_days = Weekday(s) for weekly/custom (sunday, mon-fri), day numbers for monthly (1,15)
opt-update_schedule-enabled = Run it (default: true)
opt-update_schedule-schedule_name = A name for the schedule, unique
opt-update_schedule-max_backups_to_keep = Backup schedules: how many of their own backups to keep (default: all)

cmd-update_settings-name = update_settings
cmd-update_settings-description = Change one of Steward's settings
opt-update_settings-setting_category = Which group of settings
opt-update_settings-setting_name = The setting's name (e.g. max_backups)
opt-update_settings-setting_value = The new value
opt-update_settings-reset_to_default = Go back to the value of steward.toml (default: false)

cmd-update_install-name = update_install
cmd-update_install-description = Install the available updates (backup first, rolled back on failure)
opt-update_install-update_type = Which updates to install
opt-update_install-backup_before = Take a backup first (default: true)
opt-update_install-restart_required = Restart the bot when an update needs it (default: true)
opt-update_install-force_update = Go ahead despite safety warnings; checksums are still verified (default: false)
opt-update_install-backup_name = A name for the pre-update backup

cmd-update_rollback-name = update_rollback
cmd-update_rollback-description = Roll back to a previous version or to the last backup
opt-update_rollback-target_version = A version to go back to, or last_backup
opt-update_rollback-confirm = Confirm that the bot's files will be replaced
opt-update_rollback-create_backup = Back up the present state first (default: true)
opt-update_rollback-restore_config = Put the config files back too (default: true)

cmd-backup_create-name = backup_create
cmd-backup_create-description = Back up the bot's files now
opt-backup_create-backup_type = What to back up (default: full)
opt-backup_create-compress = Compress the archive with gzip (default: true)
opt-backup_create-backup_name = A name to find the backup by, up to 100 characters (default: none)
opt-backup_create-include_logs = Include the bot's logs (default: false)
opt-backup_create-description = A note kept with the backup (default: none)

cmd-backup_list-name = backup_list
cmd-backup_list-description = List the bot's backups
opt-backup_list-backup_type = Only backups of this type (default: every type)
opt-backup_list-time_range = How far back to look (default: 30d)
opt-backup_list-limit = How many backups to show, 1 to 50 (default: 20)
opt-backup_list-sort_by = Order of the list (default: date, newest first)

cmd-backup_restore-name = backup_restore
cmd-backup_restore-description = Restore the bot's files from a backup (owners; asks before it changes anything)
opt-backup_restore-backup_id = The backup's id or name
opt-backup_restore-confirm = Set to true to go ahead: the bot's files will be replaced
opt-backup_restore-restore_type = Which files to restore (default: all)
opt-backup_restore-verify_backup = Check the archive before restoring (default: true)

## Choice names, by the value they stand for

choice-all = all
choice-packages = packages
choice-bot = bot
choice-config = config
choice-dependencies = dependencies
choice-full = full
choice-database = database
choice-data_only = data_only
choice-data = data
choice-1d = 1d
choice-7d = 7d
choice-30d = 30d
choice-90d = 90d
choice-date = date
choice-size = size
choice-name = name
choice-type = type
choice-daily = daily
choice-weekly = weekly
choice-monthly = monthly
choice-custom = custom
choice-update = update
choice-backup = backup
choice-notification = notification
choice-schedule = schedule

## /update_check

update-type-all = all sources
update-type-packages = packages
update-type-bot = the bot
update-type-config = configuration
update-type-dependencies = dependencies
check-no-source-title = No source covers { $types }
check-no-source-description = No enabled update source offers these updates, so none were looked for.
check-title = { $count ->
    [0] No updates available
    [one] { $count } update available
   *[other] { $count } updates available
}
check-summary = { $security } security, { $breaking } breaking
check-held = { $count } held back by pins
check-failed = { $count ->
    [one] { $count } source failed
   *[other] { $count } sources failed
}; { $offered ->
    [0] the
   *[other] these
} results are incomplete.
check-more-sources = More sources than one message holds: run `steward check` on the server.
check-source-failed = { $source } — failed
check-up-to-date = Up to date.
check-not-loaded = Not loaded
check-footer = Checked: { $types }
check-footer-no-security = security advisories not looked up
check-update-new = new
check-note-security = security
check-note-security-ids = security: { $ids }
check-note-breaking = breaking
check-note-held = held by { $reason }
check-detail-released = released { $date }
check-detail-changelog = changelog: { $changelog }
check-cut = … (cut; `steward check --details` on the server shows everything)

## /update_install and /update_rollback

install-checking = Checking what would be installed…
install-nothing = Nothing to install: every matching source is up to date.
install-question = **Install { $count ->
    [one] { $count } update
   *[other] { $count } updates
}?**
install-conditions = { $backup ->
    [yes] A full backup is taken first
   *[no] No backup is taken first
}; { $restart ->
    [yes] the bot restarts if an update needs it
   *[no] the bot is not restarted
}{ $force ->
    [yes] ; safety warnings are overridden
   *[no] {""}
}.
rollback-question = **Roll back to { $target }?**
rollback-conditions = { $backup ->
    [yes] The present state is backed up first.
   *[no] No backup is taken first.
} { $config ->
    [yes] Config files are put back too.
   *[no] Config files are left as they are.
}
rollback-target-last-backup = last_backup (the newest backup)
rollback-target-version = { $version } (before the update that left it)
stopped-title = Update stopped by safety checks
stopped-advice = Nothing was changed. Fix these, or run again with `force_update:true` (checksums and signatures are still verified).
outcome-nothing-run = Nothing was run
outcome-title = { $status ->
    [completed] { $kind ->
        [rollback] Rollback completed
       *[install] Update completed
    }
    [nothing] Nothing to update
    [rolled-back] { $kind ->
        [rollback] Rollback failed and was rolled back
       *[install] Update failed and was rolled back
    }
    [rollback-failed] { $kind ->
        [rollback] Rollback failed; rolling back failed too
       *[install] Update failed; rolling back failed too
    }
    [running] { $kind ->
        [rollback] Rollback still running
       *[install] Update still running
    }
    [stopped] { $kind ->
        [rollback] Rollback stopped by safety checks
       *[install] Update stopped by safety checks
    }
    [cancelled] { $kind ->
        [rollback] Rollback cancelled
       *[install] Update cancelled
    }
   *[failed] { $kind ->
        [rollback] Rollback failed
       *[install] Update failed
    }
}
outcome-changes = Changes
outcome-bot-version = Bot version
outcome-steps = Steps
outcome-backup = Backup taken first
outcome-reason = Reason
outcome-not-undone = Not undone
outcome-notes = Notes
outcome-footer = session { $id }

## /backup_create, /backup_list, /backup_restore

backup-created = Backup created
backup-created-unverified = Backup created, but it failed verification
backup-field-id = ID
backup-field-type = Type
backup-field-name = Name
backup-field-files = Files
backup-field-size = Size
backup-size = { $size } ({ $archive } archive{ $gzip ->
    [yes] , gzip
   *[no] {""}
})
backup-field-checksum = Checksum (sha256)
backup-checksum-none = not recorded
backup-field-verified = Verified
backup-verified-ok = Every file matches its manifest.
backup-field-skipped = Not backed up (symlinks or special files)
backup-field-pruned = Cleaned up ({ $freed } freed)
backup-list-title = { $count ->
    [0] No backups match
    [one] { $count } backup
   *[other] { $count } backups
}
backup-list-summary = Showing { $shown } of { $matched } matching; { $stored } stored, { $size } in total.
backup-list-footer = Time range: { $range } · sorted by { $sort }
backup-list-more = { $count } more do not fit: lower the limit
backup-failed-verification = failed verification
range-days = { $count ->
    [one] { $count } day
   *[other] { $count } days
}
range-all = all
restore-prompt-title = **Restore { $types } files from backup `{ $id }`**
restore-prompt-backup = { $types } backup made { $date }, { $files }, { $size }.
restore-prompt-files = These { $count ->
    [one] { $count } file
   *[other] { $count } files
} in the bot's directory will be put back as the backup holds them:
restore-prompt-after = { $verify ->
    [yes] The archive is verified first;
   *[no] The archive is **not** verified first (verify_backup:false);
} the current files are kept aside. { $restarts ->
    [yes] Steward stops the bot for the restore and starts it again.
   *[no] Steward does not stop the bot for a restore: stop it before you confirm.
}
restore-database-mark = database
restored-title = Restored { $files } from { $id }
restored-field-type = Restore type
restored-field-verified = Verified first
restored-field-sidecars = Stale SQLite files moved aside
restored-field-previous = What was replaced is kept in
restored-start-bot = Start the bot again when you are ready.

## /update_schedule

schedule-added = Schedule { $label } added
schedule-when = { $types } at { $time }
schedule-when-days = { $types } at { $time } on { $days }
schedule-installs = Installs
schedule-backs-up = Backs up
schedule-keeps = full; keeps its { $count } newest
schedule-keeps-all = full; keeps all
schedule-field-when = When
schedule-field-next = Next run
schedule-disabled = disabled
schedule-field-note = Note

## /update_settings

settings-value = Value
settings-previous = Previous value
settings-applied = Applied

## /update_status

status-title = Status of { $bot }
status-unknown = unknown ({ $note })
status-bot-version = Bot version
status-steward-uptime = Steward uptime
status-since = since { $at }
status-bot-uptime = Bot uptime
status-last-update = Last update
status-none-recorded = none recorded
status-disk = Disk { $path }: { $free } free of { $total } ({ $used }% used)
status-memory = Memory: { $available } available of { $total }; Steward { $steward } MiB
status-system = System
status-updates = { $count } finished: { $succeeded } succeeded, { $failed } failed; { $running } running, { $rollbacks } rollbacks
    Success rate { $rate }, mean { $mean }
status-updates-type = { $types }: { $count } ({ $ok } ok)
status-updates-title = Updates ({ $range })
status-backups = Backups
status-backups-text = { $count } kept, { $size } MiB on disk, { $failed } failed
    Last verified: { $verified }
status-never = never
status-ok = ok
status-failed = failed
status-session = { $types } { $status } { $at } by { $by }
status-sessions-title = Sessions ({ $range })
session-status = { $status ->
    [completed] Completed
    [nothing] NothingToDo
    [rolled-back] RolledBack
    [rollback-failed] RollbackFailed
    [running] Running
    [stopped] Stopped
    [cancelled] Cancelled
   *[failed] Failed
}

## Progress, confirmation prompts

progress = Progress: { $percent }% – { $step }
confirm-button = Confirm
cancel-button = Cancel
confirm-not-yours = Only { $user } can answer this; run the command yourself if you need it.
confirm-confirmed = Confirmed.
confirm-cancelled = Cancelled; nothing was changed.
confirm-timed-out = No answer within { $seconds } s; nothing was changed.

## Errors

error-cannot-read = Cannot read `{ $input }`: { $error }
error-options-mismatch = Discord sent options this version of Steward does not expect ({ $description }). The registered commands are probably out of date: restart `steward serve` to register them again.
error-internal = Steward hit an internal error; the details are in its log.
error-discord = Discord refused Steward's request ({ $error }); please try again.
error-denied-admin = Permission denied: { $operation } is for the bot's owners only. Admins can check for updates, view the status, and create or list backups.
error-denied = Permission denied: { $operation } is for the bot's { $audience ->
    [owners] owners
   *[owners-and-admins] owners and admins
}.
error-invalid = Invalid value for { $name }: `{ $value }` is not { $expected }.
error-restore-not-confirmed = A restore replaces the bot's files: confirm it to go ahead (confirm:true in Discord, --yes on the command line).
error-not-confirmed = The { $what } changes the bot: confirm it to go ahead (confirm:true in Discord, --yes on the command line).
error-backup-not-found = There is no backup called { $id }. `steward backup list` shows them.
error-backup-busy = Another backup, restore or cleanup is running; try again when it has finished.
error-backup-name-taken = The name "{ $name }" is already used by backup { $id }; choose another.
error-backup-invalid-name = "{ $name }" cannot be a backup name: use 1-100 characters, not starting with "backup_".
error-in-progress-by = An update is already in progress: { $by } started it ({ $doing }) at { $since }. Try again when it has finished.
error-in-progress = An update is already in progress. Try again when it has finished.
error-no-backup = Backup not found: there is no completed backup to roll back to.
error-rollback-empty-target = Rollback needs a target: the version given is empty. You can roll back to: { $known }.
error-rollback-unknown-target = Rollback failed: no update on record started from version { $target }, so there is nothing to go back to. You can roll back to: { $known }.
error-settings-unknown-category = There is no setting category "{ $given }". Valid categories: { $valid }.
error-settings-unknown-name = There is no { $category } setting "{ $given }". Valid { $category } settings: { $valid }.
error-settings-missing-value = { $key } needs a value (or reset it to its default).
error-schedule-time = Invalid update_time `{ $value }`: write the time as HH:MM, 24-hour (for example 03:00).
error-schedule-too-many = There are already { $count ->
    [one] { $count } schedule
   *[other] { $count } schedules
} and scheduling.max_schedules is { $max }; remove one first.
operation-check = checking for updates
operation-install = installing updates
operation-status = viewing the update status
operation-rollback = rolling back
operation-schedule = scheduling updates
operation-backup-create = creating backups
operation-backup-list = listing backups
operation-backup-restore = restoring backups
operation-settings = changing settings
operation-bot-control = starting and stopping the bot
operation-backup-prune = pruning backups

## Notifications

notice-work = { $key ->
    [Update] Update
    [Rollback] Rollback
    [Scheduled-update] Scheduled update
   *[other] { $what }
}
notice-started = { $what } started
notice-started-by = Started by { $by }.
notice-progress = { $what }: { $percent }%
notice-finished = { $status ->
    [completed] { $kind ->
        [rollback] Rollback completed
       *[install] Update completed
    }
    [nothing] Update: nothing to do
    [rolled-back] { $kind ->
        [rollback] Rollback failed and was rolled back
       *[install] Update failed and was rolled back
    }
    [rollback-failed] { $kind ->
        [rollback] Rollback failed; rolling back failed too
       *[install] Update failed; rolling back failed too
    }
    [running] { $kind ->
        [rollback] Rollback still running
       *[install] Update still running
    }
    [stopped] { $kind ->
        [rollback] Rollback stopped by safety checks
       *[install] Update stopped by safety checks
    }
    [cancelled] { $kind ->
        [rollback] Rollback cancelled
       *[install] Update cancelled
    }
   *[failed] { $kind ->
        [rollback] Rollback failed
       *[install] Update failed
    }
}
notice-not-undone = Not undone: { $error }
notice-session = Session { $id } by { $by }.
notice-refused = { $what } did not run
notice-backup = Backup { $id } created
notice-backup-text = { $types } backup, { $files }, { $size } compressed.

## issue 16: managing schedules under /update_schedule, session logs in /update_status
status-session-log = Log: { $command }
schedule-list-title = Schedules ({ $count } of { $max })
schedule-list-next = next { $at }
schedule-list-none = No schedules.
schedule-list-no-buttons = Buttons for the first { $count } only; `steward schedule` manages the others.
schedule-list-zone = Times in { $zone }
schedule-button-enable = Enable { $label }
schedule-button-disable = Disable { $label }
schedule-button-remove = Remove { $label }
schedule-panel-enabled = { $user } enabled schedule { $label }.
schedule-panel-disabled = { $user } disabled schedule { $label }.
schedule-panel-removed = { $user } removed schedule { $label }.

## issue 18: the fleet in /update_status
status-fleet-title = Fleet { $fleet }: { $count } instances, leader { $leader }
status-fleet-instance = **{ $instance }** ({ $group }): { $version }, { $health ->
        [running] running
        [stopped] stopped
       *[not-managed] not run by Steward
    }, last update { $last }
status-fleet-wave = Wave { $id } ({ $action ->
        [install] install { $target }
        [rollback] rollback to { $target }
       *[check] check
    }): { $phase ->
        [planning] waiting for the leader
        [running] running
        [halting] halted, rolling back
        [finished] finished
       *[halted] halted
    }, { $done }% done
status-fleet-unreachable-title = Fleet

## issue 23: the command surface a bot release changes, in /update_install
install-commands-heading = The bot's slash commands change:
install-command-added = ＋ added: { $subject }
install-command-removed = － removed: { $subject }
install-command-changed = ～ changed: { $subject }
install-command-permissions = ～ default permissions of { $command } change

## issue 22: progress steps, safety findings, held releases, the rarer errors
## Progress steps read as `steward` prints them (a test holds the two equal).
progress-asking = Asking { $count } { $count ->
    [one] source
   *[other] sources
}
progress-checked = Checked { $provider }
progress-checking = Checking for updates
progress-planning = Planning
progress-recording-state = Recording the current state
progress-pre-update-backup = Taking the pre-update backup
progress-updating = Updating { $name } { $current } → { $latest }
progress-installing-new = Updating { $name } (new) → { $latest }
progress-testing-staged = Testing the staged update
progress-verifying = Verifying
progress-restarting = Restarting the bot (health probation)
progress-update-complete = Update complete
progress-rolling-back = Rolling back: { $reason }
progress-backing-up-first = Backing up the present state first
progress-restoring-backup = Restoring backup { $id }
progress-putting-back = Putting back { $provider }
progress-rollback-finished = Rollback finished
progress-backing-up-files = Backing up { $count } { $count ->
    [one] file
   *[other] files
} ({ $kind })
progress-copying-database = Copying database { $path }
progress-hashing-files = Hashing { $count } { $count ->
    [one] file
   *[other] files
}
progress-storing-files = Storing { $count } { $count ->
    [one] file
   *[other] files
} in the repository
progress-archiving = Archiving { $path }
progress-verifying-backup = Verifying { $id }
progress-pruning-backups = Removing backups past max_backups or the retention days
progress-backup-complete = Backup { $id } is complete
progress-unpacking = Unpacking { $id }
progress-checking-database = Checking database { $path }
progress-stopping-bot = Stopping the bot
progress-putting-files-in-place = Putting { $count } { $count ->
    [one] file
   *[other] files
} in place
progress-starting-bot = Starting the bot
progress-restored = Restored { $count } { $count ->
    [one] file
   *[other] files
} from { $id }
check-note-cooling-down = held by min_release_age_hours = { $hours } (cooling down until { $until })
safety-low-disk = only { $free } MiB free on the disk holding { $path } (safety.min_disk_space_mb = { $min })
safety-too-large = the update downloads { $mib } MiB, more than safety.max_update_size_mb = { $max }
safety-breaking = { $count ->
    [one] a breaking change
   *[other] { $count } breaking changes
}: { $updates }
safety-unsigned = { $provider } plans { $count ->
    [one] { $count } download
   *[other] { $count } downloads
} that cannot be verified: no [providers.{ $provider }] verify_key is configured (only the checksum would be checked)
safety-backup-required = no pre-update backup was asked for, but safety.require_backup_before_update is on
safety-cannot-plan = { $provider } could not plan: { $reason }
error-safety-stop = The update was stopped before anything changed:
error-install = The update could not run: { $error }
error-config = Configuration problem: { $error }
error-providers-dir = Steward cannot use its providers directory { $path }: { $error }
error-runtime = Steward's provider sandbox could not start: { $error }
error-chart = The status chart could not be drawn: { $error }
error-bot = Service start failed: { $error }
error-store-locked = Another steward process is using its store { $path }; try again when it has finished.
error-store-newer = Steward's store was written by a newer steward (schema { $found }); upgrade steward to read it.
error-store = Steward's store cannot be used: { $error }
error-backup-not-completed = Backup { $id } never completed ({ $status ->
        [in-progress] InProgress
        [completed] Completed
       *[failed] Failed
    }); it cannot be used.
error-backup-low-disk = Not enough disk space at { $path }: { $free } MiB free, { $needed } MiB needed (this includes safety.min_disk_space_mb).
error-backup-nothing = A { $kind } backup covers no files in the bot's directory; check [backup.types.{ $table }] in steward.toml.
error-backup-database-corrupt = The database { $path } fails SQLite's integrity check ({ $error }); nothing was changed.
error-backup-file-changed = { $path } changed while it was being backed up; run the backup again (or stop the bot first).
error-backup-verification-failed = Backup { $id } failed verification, so it was not used: { $problems }
error-backup-nothing-to-restore = Backup { $id } holds no { $kind } files to restore.
error-backup-extract = The archive was refused and nothing was restored: { $reason }
error-extract-unsafe-path = entry { $path } points outside the directory it unpacks into
error-extract-forbidden-type = entry { $path } is a { $kind }, which archives here may not contain
error-backup-swap = Restoring stopped at { $path } ({ $error }); every file was put back as it was.
error-backup-bot-stop = The bot could not be stopped for the restore ({ $error }); nothing was changed.
error-backup-bot-start = The bot did not start on the restored files ({ $error }); the previous files were put back.
error-backup = Backup failed: { $error }
error-schedule-days-needed = A { $kind } schedule needs update_days: { $problem }.
error-schedule-days = Invalid update_days `{ $value }`: { $problem }.
error-schedule-types = Invalid update_types `{ $value }`: { $problem }.
error-schedule-not-found = There is no schedule { $id }. `/update_schedule` lists them.
error-schedule-timezone = The configured time zone "{ $name }" is not an IANA zone (scheduling.timezone).
error-schedule = The schedule cannot be used: { $error }.

## issue 23: the security emergency notice and its Install button
emergency-title = Security fix: { $advisory } ({ $severity })
emergency-text = { $source }: { $name } { $current } → { $latest } fixes { $advisory } ({ $severity }).
emergency-install = Install it with `{ $command }`, or press Install (owners only; the security fixes of this type, backup first).
emergency-unrated = unrated
emergency-button = Install
emergency-unknown-button = This button belongs to another version of Steward; run /update_install instead.

## issue 19: providers waiting for a grant, partial grants, the Grant and Deny buttons
check-waiting-grant = Waiting for a grant, so not asked: it asks for { $asks }. An owner grants it with the buttons of its notice or `steward providers grant { $source }`.
check-partial = Partial: its grant leaves out { $missing }, so it looked at only part of what it checks.
grant-notice-title = Provider { $provider } waits for a grant
grant-notice-text = It asks for: { $asks }.
    It does not run until an owner grants it (the buttons below, or `steward providers grant { $provider }` on the server).
grant-button = Grant
deny-button = Deny
grant-done = { $provider } is granted { $granted } by { $by }; it runs from the next check.
grant-done-partial = { $provider } is granted { $granted } by { $by }; it runs from the next check, partly: not granted { $missing }.
grant-nothing = nothing
grant-denied = { $provider } is denied by { $by }: it does not run until an owner grants it.

## issue 17: backups as restic snapshots
backup-field-snapshot = Snapshot
backup-snapshot = { $snapshot } in the restic repository { $repository }
backup-size-added = { $size } ({ $added } added to the repository)
backup-added = { $size } added

## issue 23: drift from what the last update applied
notice-drift = Drift: { $count ->
        [one] 1 source changed
       *[other] { $count } sources changed
    } since the last update
notice-drift-source = **{ $provider }** differs from what session { $session } applied ({ $applied }):
status-drift = Drift: { $count ->
        [0] none since the last update (checked { $checked })
        [one] 1 source differs from what the last update applied (checked { $checked })
       *[other] { $count } sources differ from what the last update applied (checked { $checked })
    }
status-drift-title = Drift

## issue 23: the impact watch
progress-measuring-impact = Measuring the bot { $when ->
        [after] after
       *[before] before
    } the update
impact-title = Impact watch
impact-measured = CPU { $cpu_before } % → { $cpu_after } %, memory { $rss_before } → { $rss_after } ({ $window } s before and after)
impact-memory = memory grew by { $percent } %
impact-cpu = CPU use went from { $before } % to { $after } % of a core
impact-restarts = { $count ->
        [one] the bot restarted once after the update
       *[other] the bot restarted { $count } times after the update
    }
impact-not-running = the bot is not running after the update
impact-severe = A severe regression.

## issue 22 (2): the providers-changed notice, undated releases, typed failure reasons
## Read as the CLI and the log print them (a test holds the two equal).
notice-providers-changed = Providers changed
provider-change-loaded = { $name } { $version } loaded
provider-change-loaded-waiting = { $name } { $version } loaded, waiting for a grant
provider-change-replaced = { $name } replaced: { $version } loaded
provider-change-failed = { $name } did not load: { $error }
provider-change-removed = { $name } removed
check-undated = { $name } { $latest }: no release date, so min_release_age_hours = { $hours } cannot hold it
failure-step-exit = { $provider }: step "{ $step }" failed: { $program } failed with exit status { $status }: { $output }
failure-step = { $provider }: step "{ $step }" failed: { $error }
failure-probation = after the restart, the bot failed its health probation: { $reason }
failure-probation-tail = ; its last output:
failure-bot-did-not-start = after the restart, cannot start the bot ({ $program }): { $error }
failure-test-gate = the test gate stopped the update before it went live: { $error } (its output is in the session log)
failure-severe-regression = the impact watch found a severe regression: { $regressions } (safety.impact_rollback_on_severe)
failure-not-rolled-back = (nothing was rolled back: safety.rollback_on_failure is off)

## issue 19 (2): providers in /update_status
status-providers-title = Providers
status-provider-not-loaded = Not loaded: { $line }
status-provider-waiting = { $provider } waits for a grant: it asks for { $asks }.
status-provider-partial = { $provider } is partly granted: not granted { $missing }.

## issue 17: backups
backup-field-password = Repository password
backup-password-created = Steward created the password of the backup repository in { $path }. Keep a copy of this file somewhere else: without it, no backup in the repository can be restored.
backup-made-by-restic = (made by restic on { $host }: { $paths })

## issue 18: fleet
opt-update_check-scope = Where to check: this host, or every instance of the fleet (default: host)
opt-update_install-scope = Where to install: this host, or across the fleet in a wave (default: host)
opt-update_rollback-scope = Where to roll back: this host, or across the fleet in a wave (default: host)
choice-host = host
choice-fleet = fleet
fleet-off = Fleet mode is off: this Steward has no [fleet] section in steward.toml, so it updates alone. Leave out scope:fleet.
fleet-question = { $action ->
        [install] Install { $target } updates
        [rollback] Roll back to { $target }
       *[check] Check
    } across the fleet ({ $count } instances): the canaries first, then batches, each gated by the last one's probation. A failure halts the wave and rolls back what it updated.
fleet-progress = Fleet { $action ->
        [install] install { $target }
        [rollback] rollback to { $target }
       *[check] check
    }: { $done }% of the instances done
fleet-wave-title = Fleet { $action ->
        [install] install { $target }
        [rollback] rollback to { $target }
       *[check] check
    }: { $phase ->
        [finished] finished
        [halted] halted
        [halting] halted, rolling back
        [planning] waiting for the leader
       *[running] running
    }
fleet-wave-part = { $batch ->
        [0] canary
       *[other] batch { $batch }
    } · **{ $instance }**: { $state ->
        [waiting] waiting
        [running] running
        [done] done
        [failed] failed
        [undoing] rolling back
        [rolled-back] rolled back
       *[undo-failed] rollback failed
    } ({ $from } → { $to })
fleet-wave-halted-because = Halted: { $why }

## issue 23: delta downloads
delivery-title = Download
delivery-delta = { $bytes } of the { $archive } archive downloaded ({ $saved } saved): { $fetched } of { $files } files fetched, { $reused } reused from the running release
delivery-fell-back = { $bytes } downloaded: the full archive, because { $reason }
delivery-full = { $bytes } downloaded (the full archive)

## issue 22: failure reasons
## Read as the CLI, the session's error and the log print them (a test holds the two equal).
failure-separator = {"; "}
failure-restart = after the restart, { $fault }
failure-cannot-plan = { $provider } could not plan its updates: { $error }
failure-cannot-capture = { $provider } could not record its current state, so nothing was changed: { $error }
failure-pre-update-backup = the pre-update backup failed, so nothing was changed: { $error }
failure-not-confirmed = { $provider } could not confirm the update: { $error }
failure-interrupted = interrupted: Steward stopped during the update ({ $phase ->
        [applying] while applying
        [verifying] while verifying
        [probation] during the bot's health probation
       *[rolling-back] while rolling back
    }); rolled back at its next start
failure-interrupted-not-undone = ; these could not be undone: { $errors }
failure-journal = cannot write the journal: { $error }
failure-provider-gone = the provider { $provider } is no longer loaded, so its changes cannot be undone
failure-state-damaged = { $provider }: the recorded state is damaged: { $error }
failure-cannot-plan-restore = { $provider } could not plan the restore: { $error }
failure-restore-refused = { $provider }: { $error }
failure-restore-steps = { $provider }: restore steps failed: { $steps }
failure-restore-step = "{ $step }": { $error }
failure-not-removed = { $provider }: the release directories of the undone update could not be removed: { $errors }
failure-database-not-restored = restoring the database from backup { $backup }: { $error }
failure-old-version-not-restarted = restarting the bot on the old version: { $fault }
failure-backup-not-restored = restoring backup { $backup }: { $error }
failure-bot-not-restarted = restarting the bot: { $fault }
failure-rollback-not-confirmed = { $provider } does not confirm the rollback: { $error }
failure-backup-before-rollback = the backup before the rollback failed, so nothing was changed: { $error }
unhealthy-exited = it exited ({ $status }) after { $seconds } s
unhealthy-gone = it exited (gone) after { $seconds } s
unhealthy-not-ready = { $missing } within { $secs } s
unhealthy-no-ready-line = it never printed "{ $line }"
unhealthy-no-answer = { $url } never answered
unhealthy-and = {" and "}
gate-spawn = the test command { $program } could not start: { $error }
gate-failed = the test command failed ({ $status }) after { $seconds } s
gate-timed-out = the test command did not finish within safety.test_timeout_secs = { $secs } and was stopped
bot-not-configured = Steward does not run or restart this bot: set bot.start or bot.restart_command in steward.toml
bot-spawn = cannot start the bot ({ $program }): { $error }
bot-restart-command = the restart command { $program } failed: { $message }
bot-already-running = the bot is already running (pid { $pid })
bot-would-not-stop = the bot (pid { $pid }) did not stop after SIGTERM and SIGKILL
bot-handoff-not-ready = the new version did not take over: { $exited ->
        [yes] it exited before it created its ready file within { $secs } s (bot.handoff = "ready-file") ({ $status })
       *[no] it did not create its ready file within { $secs } s (bot.handoff = "ready-file")
    }; the old version keeps running
bot-unhealthy = the bot failed its health probation: { $reason }
fault-io = { $path }: { $error }
provider-fault-timeout = ran past its time budget of { $secs } s and was stopped
provider-fault-memory = exhausted its memory cap of { $mb } MiB
provider-fault-stack = overflowed its stack cap of { $kb } KiB
provider-fault-crashed = crashed: { $message }
provider-fault-instantiate = could not be started: { $message }
step-denied = the { $provider } provider is not allowed to do this: { $reason }
step-outside-root = { $path } is outside the bot's root { $root }; plan steps may only change files there
step-steward-own = the { $provider } provider may not change { $path }: it is Steward's own { $what }
step-bad-path = { $path } is not a usable path for a plan step: { $why }
step-env-refused = the { $provider } provider may not set { $name } for { $program }: { $why }
step-not-run = { $program } could not be run: { $error }
step-timeout = { $program } did not finish within { $secs } s and was stopped
step-exit = { $program } failed with exit status { $status }: { $output }
step-bad-checksum = { $value } is not a sha256 (64 hex digits)
step-download = downloading { $url } failed: { $error }
step-http-status = { $url } answered HTTP { $status }
step-too-large = { $url } is larger than the download limit of { $limit } bytes
step-over-safety-limit = { $url } is larger than safety.max_update_size_mb ({ $mb } MiB) allows; raise it in steward.toml to install this update
step-checksum-mismatch = { $url } does not match its checksum: expected sha256 { $expected }, got { $actual }
step-signature-missing = { $url } has no signature, but a verification key is configured for the { $provider } provider
step-signature-unusable = the signature of { $url } cannot be used: { $error }
step-signature-invalid = the signature of { $url } does not verify with the configured key: { $error }
step-unpack = { $url } could not be unpacked safely: { $error }
step-destination-exists = { $path } already exists; a release directory is never unpacked over another
step-not-replaceable = { $path } is { $what }; Steward replaces only regular files and symbolic links it manages
step-target-missing = the release { $target } that { $link } should point at does not exist
status-session-reason = Why: { $reason }
failure-stopped = stopped by the safety checks: { $findings }
failure-cancelled = { $unanswered ->
        [yes] the confirmation prompt was not answered; nothing was changed
       *[no] cancelled at the confirmation prompt; nothing was changed
    }

## issue 23: blue-green
switch-title = Switch
switch-handoff = Blue-green handoff: { $ms } ms with no ready process
switch-restart = Restart: { $ms } ms with no ready process
switch-drained = The old process drained and exited.
switch-killed = The old process did not exit within the stop timeout and was killed.

## issue 17: offsite copies
notice-offsite-failed = Offsite copy to { $target } failed
notice-offsite-failed-text = { $error }. Backup { $id } is complete here; the copy is retried at the next backup.

## issue 22: notes and fleet errors
note-backups-off = backups are turned off (backup.enabled = false): no pre-update backup was taken
note-not-checked = { $provider } could not be checked and is left as it is: { $error }
note-no-restart-configured = the update needs a bot restart, but steward.toml has neither bot.start nor bot.restart_command: restart the bot yourself
note-not-restarted = the bot was not restarted (asked not to): the update takes effect at its next start
note-forced-past = forced past: { $finding }
note-delivery-not-kept = the download and switch figures could not be kept: { $error }
note-impact-not-kept = the impact watch's result could not be kept: { $error }
note-regression = the impact watch found a regression after the update (its figures are under "Impact watch")
outcome-restored-backup = backup { $id } restored
fleet-error-unreachable = Fleet mode is on, but etcd does not answer at { $endpoints } ({ $reason }). Nothing was changed; try again when etcd is back.
fleet-error-denied = etcd refused Steward's credentials (user { $user } from [fleet.auth], password from ${ $password_env }): { $reason }. Nothing was changed; check the user and the password.
fleet-error-busy = The fleet is busy: { $holder }. One update runs at a time across the fleet; try again when it has finished (/update_status shows it).
fleet-error-unreadable = The fleet's record { $key } in etcd cannot be read ({ $reason }); was it written by another Steward version?
fleet-error-wave-vanished = Wave { $id } is no longer in etcd (neither running nor the last one ended); /update_status shows what is there.
fleet-error-not-promoted = Group { $group } is promoted only after { $after } (fleet.promotion): { $why }. Nothing was started.
fleet-error-timed-out = Gave up waiting for { $waited_for }. { $withdrawn ->
        [yes] The wave was withdrawn before any instance was told to do anything: nothing was changed.
       *[no] The wave stays in etcd where it stands; the next leader resumes it or rolls it back (/update_status shows it).
    }
fleet-error-no-such-group = No instance of group { $group } is registered in the fleet (groups: { $known }). Nothing was started.
fleet-error-setup = Fleet mode cannot start: { $message }
error-lock-unusable = The update could not run: Steward cannot use its update lock { $path }: { $error }
error-journal = The update could not run: Steward cannot write its journal: { $error }

## issue 23: error rate
## The impact watch's error rate, read from the health URL's JSON counters.
impact-errors-per-minute = Error rate: { $before } → { $after } errors a minute
impact-errors-per-request = Error rate: { $before } % → { $after } % of requests failed
impact-errors-not-exposed = Error rate: not exposed by the health URL
impact-errors-not-compared = Error rate: not compared (the health URL exposed it in one window only, or counted it differently)
impact-error-rate = the error rate went from { $before } to { $after } errors a minute
impact-error-rate-requests = the share of failed requests went from { $before } % to { $after } %

## issue 22: backup and fleet details
backup-detail-busy = another backup or restore is running
backup-detail-low-disk = { $free } MiB free at { $path }, { $needed } MiB needed
backup-detail-nothing = a { $table } backup covers no files
backup-detail-database-corrupt = database { $path } fails its integrity check: { $error }
backup-detail-file-changed = { $path } changed while it was being backed up
backup-detail-verification-failed = backup { $id } failed verification: { $problems }
backup-detail-not-found = no backup { $id }
backup-detail-nothing-to-restore = backup { $id } has no { $named } files to restore
backup-detail-swap = putting { $path } in place failed ({ $error }); every file was put back
backup-detail-bot-stop = the bot could not be stopped: { $error }
backup-detail-bot-start = the bot did not start after the restore ({ $error }); the previous files were put back
fleet-why-no-instance = no instance of { $after } is registered in the fleet
fleet-why-not-healthy = { $after } instance { $instance } has not reported its bot healthy
fleet-why-mixed-releases = the { $after } instances run different releases ({ $releases })
fleet-why-soaking = { $version } has run healthy on { $after } for { $soaked } of the { $soak } it must; { $left } left
fleet-why-two-releases = it would get { $version }, but { $other } would get { $other_version } in the same wave; install one group at a time (--group)
fleet-waited-plan = a leader to plan wave { $wave } for { $secs }s (fleet.wave_timeout_seconds): { $leader }
fleet-waited-carry-on = a leader to carry wave { $wave } on: it has not moved for { $secs }s (fleet.wave_timeout_seconds) and { $leader }; it stands at: { $stands_at }
fleet-leader-nobody = no instance leads the fleet
fleet-leader-registered = { $id } leads the fleet
fleet-leader-unregistered = etcd's election for the fleet is held by { $id }, which is no registered instance
error-install-needs-lock = an install needs the update lock

## issue 23: drift baseline
## A source Steward never updated is compared with its state at the first check.
notice-drift-source-baseline = **{ $provider }** differs from the baseline taken at the first check on { $taken } (Steward has not updated it):

## issue 22: fleet and backup errors
## Read as the CLI prints them (a test holds the two equal).
fleet-halt-no-instance = no instance is registered in the fleet
fleet-halt-no-instance-of-group = no instance of group { $group } is registered in the fleet
fleet-halt-part-failed = { $canary ->
        [yes] canary
       *[no] instance
    } { $instance } failed: { $why }
fleet-part-silent = did not report within { $secs }s
fleet-standing-action = { $action ->
        [install] install { $target }
        [rollback] rollback to { $target }
       *[check] check
    }
fleet-standing-pinned = { $action } (pinned to { $version })
fleet-standing-in-group = { $action } in group { $group }
fleet-standing-planning = Fleet { $action }: waiting for the leader to plan the wave
fleet-standing-canary-batch = canary batch
fleet-standing-batch = batch { $number } of { $count }
fleet-standing-member = { $instance } { $state ->
        [waiting] waiting
        [running] running
        [done] done
        [failed] failed
        [undoing] rolling back
        [rolled-back] rolled back
       *[undo-failed] rollback failed
    }
fleet-list-separator = {", "}
fleet-standing-running = Fleet { $action }: { $batch }: { $members }
fleet-standing-halting = Fleet { $action } halted ({ $why }); rolling back the instances it updated
fleet-standing-finished = Fleet { $action }: finished
fleet-standing-halted = Fleet { $action }: halted: { $why }
fleet-standing-part-failed = a part failed
fleet-occupant-update = { $by } is running { $doing } on instance { $instance } since { $since } UTC
fleet-occupant-wave = wave { $id } ({ $action }) requested by { $by } at { $at } UTC is in progress
fleet-occupant-unknown = another update holds the fleet lock
restore-path-symlink = { $path } is a symbolic link, and a restore never writes through one
restore-path-in-the-way = { $path } is { $found ->
        [nothing] nothing
        [a-file] a file
        [a-directory] a directory
        [a-symbolic-link] a symbolic link
       *[a-special-file] a special file
    } where the backup needs { $wanted ->
        [a-file] a file
       *[a-directory] a directory
    }
restore-path-not-relative = { $path } is not a plain relative path
error-extract-staging = the staging directory { $path } cannot be created: { $error }
error-extract-truncated = the archive is truncated
error-extract-corrupt = the archive is damaged: { $error }
error-extract-pax-size = entry { $path }: its PAX size { $pax } disagrees with its header size { $header }
error-extract-duplicate = entry { $path } appears twice
error-extract-too-large = the archive unpacks to more than { $limit } bytes
error-extract-too-many = the archive holds more than { $limit } entries
error-extract-write = cannot write { $path }: { $error }
backup-detail-dir = cannot prepare the backup directory { $path }: { $error }
backup-detail-read = cannot read { $path }: { $error }
backup-detail-write = cannot write { $path }: { $error }
backup-detail-wrong-password = the password does not open the backup repository { $path } ([backup] password_file or { $env }); nothing was changed
backup-detail-no-password = the backup repository { $path } exists but no password is configured: set [backup] password_file or { $env }
backup-detail-repository = the backup repository { $path } cannot be used: { $error }
backup-removed-beyond-max = beyond max_backups ({ $max })
backup-removed-older = older than backup_retention_days ({ $days })
backup-removed-failed-attempt = a failed attempt past retention
backup-removed-beyond-schedule = beyond the { $keep } this schedule keeps

## issue 17: offsite on Discord
backup-field-offsite = Offsite copies
backup-offsite-copying = Copying to { $targets }…
backup-offsite-copied = { $target }: { $count } copied and checked there
backup-offsite-copied-forgotten = { $target }: { $count } copied and checked there, { $forgotten } forgotten there as pruned here
backup-offsite-failed = { $target }: the copy failed ({ $error }). The local backup is complete; the copy is retried at the next backup.
backup-where = where: { $places }
backup-place-local = local
backup-place-failed = { $target } (copy failed, retried)
backup-place-nowhere = nowhere: the snapshot is lost

## issue 22: verification problems
verify-problem-archive-checksum = the archive's sha256 differs from the one recorded when it was made
verify-problem-archive-unreadable = the archive cannot be read: { $error }
verify-problem-archive-open = the archive cannot be opened: { $error }
verify-problem-archive-entry = the archive: { $error }
verify-problem-archive-empty = the archive is empty
verify-problem-first-not-manifest = the first entry is "{ $found }", not the manifest { $manifest }
verify-problem-manifest-not-first = the manifest is not the first entry
verify-problem-manifest-too-large = the manifest is implausibly large
verify-problem-manifest-unreadable = the manifest cannot be read: { $error }
verify-problem-manifest-invalid = the manifest is not valid: { $error }
verify-problem-other-backup = the archive belongs to backup { $found }, not { $expected }
verify-problem-belongs-to = the archive belongs to backup { $found }
verify-problem-file-unreadable = { $path }: { $error }
verify-problem-not-in-manifest = { $path } is in the archive but not in its manifest
verify-problem-size-differs = { $path }: { $archive } bytes in the archive, { $manifest } in the manifest
verify-problem-content-differs = { $path }: content differs from its manifest checksum
verify-problem-missing-from-archive = { $path } is listed in the manifest but missing from the archive
verify-problem-listed-twice = { $path } is listed { $times } times in the manifest
verify-problem-not-plain = "{ $path }" in the manifest is not a plain relative path
verify-problem-file-and-dir = { $dir } is listed as a file, but the manifest also lists { $path } inside it
verify-problem-leaves-root = { $path }: the path leaves the bot's root
verify-problem-symlink = { $path }: a symlink is refused
verify-problem-special = { $path }: a device, fifo or socket is refused (only regular files and directories are restored)
verify-problem-foreign-paths = the snapshot was taken of { $paths } by restic, not of the bot's root { $root }: restore it with `restic restore` instead
verify-problem-snapshot-check = snapshot { $snapshot }: { $finding }
verify-problem-tree-damaged = snapshot { $snapshot }: the tree of { $dir } is damaged in pack { $pack } ({ $cause })
verify-problem-tree-unindexed = snapshot { $snapshot }: the tree of { $dir } is missing from the index ({ $cause })
verify-problem-file-damaged = { $path }: damaged in the repository ({ $cause })
verify-problem-unchecked = the check could not run: { $error }
verify-problem-drill-failed = restore drill: { $error }
verify-problem-drill-needs-local = restore drill: not run, the local repository lacks the snapshot (a restore pulls it back from an offsite target first)
verify-problem-database = database { $path }: { $message }
verify-problem-offsite-damaged = offsite target { $target } ({ $location }): the copy fails its check there: { $cause }
verify-problem-offsite-missing = offsite target { $target } ({ $location }): holds no copy of backup { $id }
verify-problem-offsite-unchecked = offsite target { $target } could not be checked: { $error }
verify-problem-no-sound-copy = backup { $id } is not in the local repository, and no offsite target holds a sound copy
verify-problem-more = and { $count } more problems

## issue 17: copies in status
status-copies-failed-title = Offsite copies failed
status-copy-failed = **{ $target }** lacks { $count ->
        [one] backup { $backups }
       *[other] { $count } backups: { $backups }
    }; retried at the next copy. { $error }
status-copy-failed-more = { " " }and { $count } more

## issue 22: fleet rollback silence
fleet-part-rollback-silent = its rollback did not report within { $secs }s

## issue 22: restore problems
restore-undo-place-failed = putting { $path } in place failed ({ $error })
restore-undo-bot-did-not-start = the bot did not start after the restore ({ $error })

## issue 22: last frames
## A backup's failure with no sentence of its own, framed by what was being done.
error-backup-failed = { $operation ->
        [restore] Restore failed: { $error }
        [rollback] Rollback failed: { $error }
        [list] The backups cannot be listed: { $error }
       *[backup] Backup failed: { $error }
    }
backup-detail-pattern = backup pattern { $pattern } is not a valid glob: { $error }
backup-detail-database-copy = cannot copy database { $path }: { $error }
backup-detail-in-the-way = { $problem }; nothing was changed
backup-detail-conflicting-paths = the backup cannot be put back file by file ({ $problems }); nothing was changed
backup-detail-not-put-back = { $cause }, and putting the previous files back failed too ({ $problems }): they are kept in { $kept }, and the next start of steward puts them back
backup-detail-import-needs-repository = importing an archive needs the repository: set [backup] format = "restic"
backup-detail-exists = backup { $id } is already in the repository
check-note-separator = {"; "}
## Why an offsite copy failed; what the target's backend said stays as given.
offsite-fault-target = offsite target { $target } ({ $location }): { $why }
offsite-fault-local-repository = the local repository: { $error }
offsite-why-password-env-unset = the environment variable { $var } (password_env) is not set
offsite-why-password-file-unreadable = cannot read password_file { $path }: { $error }
offsite-why-password-file-empty = password_file { $path } is empty
offsite-why-path-not-utf8 = the path is not UTF-8
offsite-why-wrong-password = the local repository's password does not open it (a repository made elsewhere?)
offsite-why-no-repository = holds no repository
offsite-why-copy-lock = cannot take the copy lock in { $dir }: { $error }
offsite-why-not-listed = { $missing } of { $copied } copied snapshots are not listed there after the copy
offsite-why-check-failed = the copy fails its check there: { $error }
offsite-why-no-copy = has no copy
backup-detail-not-brought-back = the backup repository { $path } cannot be used: backup { $id } is not in the local repository, and no offsite target gave it back ({ $tried })

## issue 22: last words
## What Steward made of an offsite backend's failure; the server's or the system's words stay as given.
offsite-cause-unreachable = cannot connect to the server ({ $error })
offsite-cause-timed-out = the server did not answer in time
offsite-cause-credentials-refused = the server refused the credentials (HTTP { $status }): check user and password_env or password_file
offsite-cause-access-denied = access denied, check the credentials
offsite-cause-access-denied-detail = access denied, check the credentials: { $detail }
offsite-cause-status = the server answered HTTP { $status }
offsite-cause-missing = the server has no { $path }
## Names (settings, targets, files, updates) run together in a list.
names-separator = {", "}
## A restore of a backup not completed, and an archive that cannot be unpacked (read as the CLI prints them).
backup-detail-not-completed = backup { $id } is { $named }, not completed
backup-detail-extract-staging = the staging directory { $path } cannot be created: { $error }
backup-detail-extract-truncated = the archive is truncated
backup-detail-extract-corrupt = the archive is damaged: { $error }
backup-detail-extract-unsafe-path = entry { $quoted } has an unsafe path (absolute, `..`, or empty)
backup-detail-extract-forbidden-type = entry { $quoted } is a { $named }; only regular files and directories are accepted
backup-detail-extract-pax-size = entry { $quoted }: its PAX size { $pax } disagrees with its header size { $header }
backup-detail-extract-duplicate = entry { $quoted } appears twice
backup-detail-extract-too-large = the archive unpacks to more than { $limit } bytes
backup-detail-extract-too-many = the archive holds more than { $limit } entries
backup-detail-extract-write = cannot write { $path }: { $error }
## What the check of an offsite copy found, each finding in rustic's words.
verify-problem-offsite-findings = offsite target { $target } ({ $location }): the copy fails its check there: { $findings }

## issue 22: expected values
expected-version-or-last-backup = a version or last_backup
expected-range = a number from { $min } to { $max }
expected-local-absolute-path = an absolute path, from this machine's shell or control socket
expected-config-file = possible while Steward runs on its defaults; start it with --config
expected-one-of = one of { $values }
expected-bool = true or false
expected-only-value = { $value } (the only supported value)
expected-whole-number = a whole number from { $min } to { $max }
expected-time = a time as HH:MM (24-hour, e.g. 03:00)
expected-directory = a directory (relative to steward.toml) that exists or whose parent exists
expected-update-types = one or more of { $values } separated by commas
expected-channel-ids = Discord channel ids separated by commas (or none)
expected-timezone = an IANA time zone such as UTC or Europe/Berlin

## issue 22: grant refusals
error-grant = Provider { $provider } was not granted anything: { $reason }.
grant-refusal-none = none
grant-refusal-not-asked = it does not ask to run { $path } (it asks to run: { $asked })
grant-refusal-did-not-load = it did not load ({ $error })
grant-refusal-no-such-provider = there is no such provider (the providers are: { $known })
grant-refusal-invalid = { $problem }

## issue 22: supervisor, choices, offsite, fleet
choice-noun-update-type = update type
choice-noun-backup-type = backup type
choice-noun-restore-type = restore type
choice-noun-time-range = time range
choice-noun-sort-order = sort order
choice-noun-setting-category = setting category
choice-noun-schedule-type = schedule type
choice-noun-status-range = time range
choice-noun-scope = scope

fleet-answer-checked = { $offered } update(s) available{ $failed ->
        [0] {""}
       *[other] , { $failed } provider(s) failed
    }
fleet-answer-session = { $status }
fleet-answer-session-why = { $status }: { $why }
fleet-answer-no-session = no session was recorded
fleet-answer-pinned-other = offered bot { $offered }, but the wave is pinned to { $pinned } (the release promoted); nothing was changed
fleet-answer-pinned-not-offered = bot { $pinned } (the release promoted) is not on offer here (the bot runs { $running }); nothing was changed
fleet-answer-unknown-version = an unknown version

## issue 22: configuration problems
config-read = cannot read { $path }: { $error }
config-invalid = { $path } is not valid: { $problem }
config-parse-at = TOML parse error at line { $line }, column { $column }: { $error }
config-parse = TOML parse error: { $error }
config-http-listen = control.http.listen: { $value } is not an address and port ({ $error })
config-http-rate-limit-zero = control.http.rate_limit_per_minute must be at least 1
config-http-token-name = control.http.tokens: every token needs its own name ({ $name })
config-http-token-secret = control.http.tokens { $name }: give exactly one of token_env and token_file
config-http-token-scope = control.http.tokens { $name }: unknown scope { $scope } (expected one of { $known }, or install:TYPE)
config-log-rotation-size = logging.log_rotation_size: { $value } is not a size; write bytes or a size such as "10MB"
config-pid-file-needs-restart-command = bot.pid_file is for a bot run by bot.restart_command: with bot.start Steward knows the pid itself
config-handoff-needs-start = bot.handoff needs bot.start: Steward can only start a new version beside the old one when it runs the bot itself
config-start-and-restart-command = bot.start and bot.restart_command exclude each other: Steward either runs the bot or asks another manager to restart it
config-runtime-limit-zero = runtime limits must be greater than zero
config-stack-limit-too-large = runtime.stack_limit_kb must be at most 65536
config-confirm-timeout = discord.confirm_timeout_seconds must be from 1 to 600, not { $value }
config-discord-locale = discord.locale must be a locale as Discord names them (en-US, zh-CN, de), not { $value }
config-discord-api-base = discord.api_base must start with http:// or https://, not "{ $value }"
config-http-concurrency-zero = runtime.http_concurrency must be at least 1
config-http-batch-limit-zero = runtime.http_batch_limit must be at least 1
config-http-cache-limit-zero = runtime.http_cache_limit_mb must be at least 1 (or set http_cache = false)
config-registry-max-age = runtime.registry_max_age_secs must be at most 86400 (a day), not { $value }
config-auto-updates-contradiction = general.auto_updates_enabled = true contradicts general.auto_updates = "{ $mode }": keep one
config-test-command-empty = safety.test_command must start with the program to run
config-test-timeout-zero = safety.test_timeout_secs must be at least 1
config-signature-keys-missing = providers.require_signature needs at least one minisign public key in providers.signature_keys
config-signature-key = providers.signature_keys: not a minisign public key (expected the base64 line of a minisign .pub file, or the whole file): { $error }
config-provider-verify-key = providers.{ $provider }.verify_key: not a minisign public key (expected the base64 line of a minisign .pub file, or the whole file): { $error }
config-bot-command-empty = bot.start / bot.restart_command needs at least the program
config-health-url = bot.health.health_url must start with http:// or https://, not "{ $value }"
config-ready-timeout-zero = bot.health.ready_timeout_secs must be at least 1
config-bot-env = bot.env: { $name } = { $value } cannot be an environment variable (a name is not empty and holds no "="; neither holds a NUL)
config-compression-level = backup.compression_level must be 0-9, found { $value }
config-max-backups-zero = backup.max_backups must be at least 1
config-log-level = logging.level must be one of { $known }, not "{ $value }"
config-log-counts-zero = logging.max_log_files and logging.max_session_logs must be at least 1
config-setting = { $key }: { $value } is not valid (expected { $expected })
config-backup-glob = backup.types.{ $scope }: { $pattern } is not a valid glob: { $error }
config-backup-glob-outside = backup.types.{ $scope }: { $pattern } must stay under the bot's root
config-bot-root-unset = {"["}bot] root is not set: name the directory of the bot Steward manages (root = "/srv/mybot"), or pass --bot-root
config-bot-root-unusable = the bot's root { $root } cannot be used: { $error }
config-bot-root-not-directory = the bot's root { $root } is not a directory
config-bot-root-system = the bot's root { $root } is a system directory; point [bot] root at the bot's own directory
config-data-under-system = Steward's data directory { $data } is under a system directory; set [paths] data
config-data-overlaps-bot = Steward's data directory { $data } and the bot's root { $root } overlap; keep them apart, or set [paths] allow_inside_bot = true
config-grant-write-not-absolute = providers.{ $provider }.grant.write: "{ $entry }" must be an absolute path (or start with {"{"}bot{"}"}) without `..`
config-grant-write-over-own = providers.{ $provider }.grant.write: "{ $entry }" would let the provider change Steward's own { $what } ({ $path }); grant only the bot's files it updates
config-grant-unknown-argument-type = providers.{ $provider }.grant.{ $key }: { $pattern } is not an argument type Steward knows; it knows { $known }
config-typed-pattern = { $name } ({ $what })
config-typed-pip-pin = a Python distribution name, `==` and a version
config-typed-pip-name = a Python distribution name
config-typed-npm-pin = an npm package name, `@` and a version
config-typed-npm-range = an npm package name, `@` and a version, optionally after `^` or `~`
config-typed-apt-pin = a Debian package name, `=` and a version
config-typed-apt-name = a Debian package name
config-own-data-directory = data directory
config-own-providers-directory = providers directory
config-own-compile-cache = compile cache
config-own-backup-directory = backup directory
config-own-update-logs = update logs
config-own-configuration-file = configuration file
config-offsite = {"["}backup.offsite.{ $target }]: { $problem }
config-offsite-bad-name = a target's name is letters, digits, '-' and '_', and not "local"
config-offsite-both-secrets = set password_env or password_file, not both
config-offsite-path-needs-path = kind = "path" needs path = "DIR"
config-offsite-path-takes-only-path = kind = "path" takes only path and when
config-offsite-rest-needs-url = kind = "rest" needs url = "http(s)://HOST:PORT/PATH"
config-offsite-url-scheme = url must start with http:// or https://
config-offsite-url-credentials = url must not hold credentials: set user and password_env or password_file
config-offsite-rest-takes-url = kind = "rest" takes url, not path
config-offsite-password-needs-user = a password needs user = "NAME"
config-offsite-sftp-needs = kind = "sftp" needs host, user and path (the directory on the server)
config-offsite-sftp-takes = kind = "sftp" takes host, port, user, path, key_file and when (key auth only)
config-offsite-s3-needs = kind = "s3" needs bucket, user (the access key id) and password_env or password_file (the secret key)
config-offsite-endpoint-credentials = endpoint must not hold credentials
config-offsite-unknown-kind = kind { $kind } is not one of "path", "rest", "sftp", "s3"
config-fleet-no-endpoints = fleet.endpoints is empty: name etcd's client URLs
config-fleet-endpoint-scheme = fleet.endpoints: { $endpoint } must start with http:// or https://
config-fleet-endpoint-needs-tls = fleet.endpoints: { $endpoint } is https:// but [fleet.tls] names no ca_file
config-fleet-bad-name = { $key } { $value } must be 1-64 letters, digits, '-', '_' or '.'
config-fleet-max-unavailable-zero = fleet.max_unavailable must be at least 1
config-fleet-lease-seconds = fleet.lease_seconds must be from 2 to 300, not { $value }
config-fleet-timeout-zero = fleet.request_timeout_seconds, fleet.instance_timeout_seconds and fleet.wave_timeout_seconds must be at least 1
config-fleet-promotion-name = fleet.promotion: { $group } after { $after }: group names are 1-64 letters, digits, '-', '_' or '.'
config-fleet-promotion-self = fleet.promotion: { $group } cannot wait for itself
config-fleet-tls-pair = {"["}fleet.tls] needs both cert_file and key_file, or neither
config-fleet-auth-incomplete = {"["}fleet.auth] needs a user and password_env
