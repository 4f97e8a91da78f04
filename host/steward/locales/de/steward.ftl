# Steward's Discord front, German. Same keys as en-US/steward.ftl (the
# tests check it); option names and command-line flags stay as they are.

## Shared pieces

list-separator = {", "}
sentence-separator = {" "}
cut = … (gekürzt)
yes = ja
no = nein
and-more = … und { $count } weitere
files = { $count ->
    [one] { $count } Datei
   *[other] { $count } Dateien
}

## Registration

cmd-update_check-name = update_prüfen
cmd-update_check-description = Alle Update-Quellen nach verfügbaren Updates fragen
opt-update_check-check_type = Nach welchen Updates gesucht wird (Standard: all)
opt-update_check-show_details = Hinweise, Changelogs und Details zeigen (Standard: false)
opt-update_check-include_security = Sicherheitshinweise nachschlagen (Standard: true)

cmd-update_status-name = update_status
cmd-update_status-description = Status von Steward und dem Bot, Update-Verlauf und Messwerte zeigen
opt-update_status-show_history = Die Update-Sitzungen des Zeitraums auflisten (Standard: false)
opt-update_status-show_metrics = Speicher, Arbeitsspeicher, Statistik und Diagramm (Standard: true)
opt-update_status-time_range = Wie weit zurückgeschaut wird (Standard: 7d)

cmd-update_schedule-name = update_planen
cmd-update_schedule-description = Automatische Update-Läufe planen
opt-update_schedule-schedule_type = Wie oft es läuft
opt-update_schedule-update_types = Update-Typen, kommagetrennt (z. B. packages,config), oder backup für nur Sicherungen
opt-update_schedule-update_time = HH:MM in der eingestellten Zeitzone (Standard: Einstellung default_time)
opt-update_schedule-update_days = Wochentag(e) für weekly/custom (sunday, mon-fri), Tage für monthly (1,15)
opt-update_schedule-enabled = Ausführen (Standard: true)
opt-update_schedule-schedule_name = Ein eindeutiger Name für den Zeitplan
opt-update_schedule-max_backups_to_keep = Sicherungspläne: wie viele eigene Sicherungen bleiben (Standard: alle)

cmd-update_settings-name = update_einstellungen
cmd-update_settings-description = Eine Einstellung von Steward ändern
opt-update_settings-setting_category = Welche Gruppe von Einstellungen
opt-update_settings-setting_name = Name der Einstellung (z. B. max_backups)
opt-update_settings-setting_value = Der neue Wert
opt-update_settings-reset_to_default = Auf den Wert aus steward.toml zurücksetzen (Standard: false)

cmd-update_install-name = update_installieren
cmd-update_install-description = Verfügbare Updates installieren (vorher Sicherung, bei Fehler zurückgerollt)
opt-update_install-update_type = Welche Updates installiert werden
opt-update_install-backup_before = Vorher eine Sicherung anlegen (Standard: true)
opt-update_install-restart_required = Den Bot neu starten, wenn ein Update es braucht (Standard: true)
opt-update_install-force_update = Trotz Sicherheitswarnungen fortfahren; Prüfsummen gelten weiter (Standard: false)
opt-update_install-backup_name = Ein Name für die Sicherung vor dem Update

cmd-update_rollback-name = update_zurückrollen
cmd-update_rollback-description = Zu einer früheren Version oder zur letzten Sicherung zurückkehren
opt-update_rollback-target_version = Eine Version, zu der zurückgekehrt wird, oder last_backup
opt-update_rollback-confirm = Bestätigen, dass die Dateien des Bots ersetzt werden
opt-update_rollback-create_backup = Den jetzigen Stand vorher sichern (Standard: true)
opt-update_rollback-restore_config = Auch die Konfigurationsdateien zurücksetzen (Standard: true)

cmd-backup_create-name = sicherung_anlegen
cmd-backup_create-description = Die Dateien des Bots jetzt sichern
opt-backup_create-backup_type = Was gesichert wird (Standard: full)
opt-backup_create-compress = Das Archiv mit gzip komprimieren (Standard: true)
opt-backup_create-backup_name = Ein Name, um die Sicherung zu finden, bis 100 Zeichen (Standard: keiner)
opt-backup_create-include_logs = Die Logs des Bots einschließen (Standard: false)
opt-backup_create-description = Eine Notiz zur Sicherung (Standard: keine)

cmd-backup_list-name = sicherungen_auflisten
cmd-backup_list-description = Die Sicherungen des Bots auflisten
opt-backup_list-backup_type = Nur Sicherungen dieses Typs (Standard: jeder Typ)
opt-backup_list-time_range = Wie weit zurückgeschaut wird (Standard: 30d)
opt-backup_list-limit = Wie viele Sicherungen gezeigt werden, 1 bis 50 (Standard: 20)
opt-backup_list-sort_by = Reihenfolge der Liste (Standard: date, neueste zuerst)

cmd-backup_restore-name = sicherung_wiederherstellen
cmd-backup_restore-description = Die Dateien des Bots aus einer Sicherung wiederherstellen (Besitzer; fragt vorher)
opt-backup_restore-backup_id = ID oder Name der Sicherung
opt-backup_restore-confirm = Auf true setzen, um fortzufahren: die Dateien des Bots werden ersetzt
opt-backup_restore-restore_type = Welche Dateien wiederhergestellt werden (Standard: all)
opt-backup_restore-verify_backup = Das Archiv vor der Wiederherstellung prüfen (Standard: true)

## Choice names

choice-all = alle
choice-packages = Pakete
choice-bot = Bot
choice-config = Konfiguration
choice-dependencies = Abhängigkeiten
choice-full = vollständig
choice-database = Datenbank
choice-data_only = nur Daten
choice-data = Daten
choice-1d = 1 Tag
choice-7d = 7 Tage
choice-30d = 30 Tage
choice-90d = 90 Tage
choice-date = Datum
choice-size = Größe
choice-name = Name
choice-type = Typ
choice-daily = täglich
choice-weekly = wöchentlich
choice-monthly = monatlich
choice-custom = benutzerdefiniert
choice-update = Update
choice-backup = Sicherung
choice-notification = Benachrichtigung
choice-schedule = Zeitplan

## /update_check

update-type-all = alle Quellen
update-type-packages = Pakete
update-type-bot = den Bot
update-type-config = Konfiguration
update-type-dependencies = Abhängigkeiten
check-no-source-title = Keine Quelle deckt { $types } ab
check-no-source-description = Keine aktivierte Update-Quelle bietet diese Updates an, daher wurde nicht gesucht.
check-title = { $count ->
    [0] Keine Updates verfügbar
    [one] { $count } Update verfügbar
   *[other] { $count } Updates verfügbar
}
check-summary = { $security } sicherheitsrelevant, { $breaking } inkompatibel
check-held = { $count } durch Pins zurückgehalten
check-failed = { $count ->
    [one] { $count } Quelle ist fehlgeschlagen
   *[other] { $count } Quellen sind fehlgeschlagen
}; { $offered ->
    [0] das Ergebnis ist
   *[other] diese Ergebnisse sind
} unvollständig.
check-more-sources = Mehr Quellen, als eine Nachricht fasst: `steward check` auf dem Server ausführen.
check-source-failed = { $source } — fehlgeschlagen
check-up-to-date = Aktuell.
check-not-loaded = Nicht geladen
check-footer = Geprüft: { $types }
check-footer-no-security = Sicherheitshinweise nicht nachgeschlagen
check-update-new = neu
check-note-security = Sicherheit
check-note-security-ids = Sicherheit: { $ids }
check-note-breaking = inkompatibel
check-note-held = gehalten durch { $reason }
check-detail-released = veröffentlicht { $date }
check-detail-changelog = Changelog: { $changelog }
check-cut = … (gekürzt; `steward check --details` auf dem Server zeigt alles)

## /update_install and /update_rollback

install-checking = Prüfe, was installiert würde …
install-nothing = Nichts zu installieren: jede passende Quelle ist aktuell.
install-question = **{ $count ->
    [one] { $count } Update
   *[other] { $count } Updates
} installieren?**
install-conditions = { $backup ->
    [yes] Zuerst wird eine vollständige Sicherung angelegt
   *[no] Es wird vorher keine Sicherung angelegt
}; { $restart ->
    [yes] der Bot startet neu, wenn ein Update es braucht
   *[no] der Bot wird nicht neu gestartet
}{ $force ->
    [yes] ; Sicherheitswarnungen werden übergangen
   *[no] {""}
}.
rollback-question = **Zu { $target } zurückkehren?**
rollback-conditions = { $backup ->
    [yes] Der jetzige Stand wird vorher gesichert.
   *[no] Es wird vorher keine Sicherung angelegt.
} { $config ->
    [yes] Auch die Konfigurationsdateien werden zurückgesetzt.
   *[no] Die Konfigurationsdateien bleiben, wie sie sind.
}
rollback-target-last-backup = last_backup (die neueste Sicherung)
rollback-target-version = { $version } (vor dem Update, das sie ablöste)
stopped-title = Update von den Sicherheitsprüfungen gestoppt
stopped-advice = Nichts wurde geändert. Behebe diese Punkte oder starte erneut mit `force_update:true` (Prüfsummen und Signaturen werden weiter geprüft).
outcome-nothing-run = Nichts wurde ausgeführt
outcome-title = { $status ->
    [completed] { $kind ->
        [rollback] Rollback abgeschlossen
       *[install] Update abgeschlossen
    }
    [nothing] Nichts zu aktualisieren
    [rolled-back] { $kind ->
        [rollback] Rollback fehlgeschlagen und zurückgerollt
       *[install] Update fehlgeschlagen und zurückgerollt
    }
    [rollback-failed] { $kind ->
        [rollback] Rollback fehlgeschlagen; auch das Zurückrollen schlug fehl
       *[install] Update fehlgeschlagen; auch das Zurückrollen schlug fehl
    }
    [running] { $kind ->
        [rollback] Rollback läuft noch
       *[install] Update läuft noch
    }
    [stopped] { $kind ->
        [rollback] Rollback von den Sicherheitsprüfungen gestoppt
       *[install] Update von den Sicherheitsprüfungen gestoppt
    }
    [cancelled] { $kind ->
        [rollback] Rollback abgebrochen
       *[install] Update abgebrochen
    }
   *[failed] { $kind ->
        [rollback] Rollback fehlgeschlagen
       *[install] Update fehlgeschlagen
    }
}
outcome-changes = Änderungen
outcome-bot-version = Bot-Version
outcome-steps = Schritte
outcome-backup = Vorher angelegte Sicherung
outcome-reason = Grund
outcome-not-undone = Nicht rückgängig gemacht
outcome-notes = Hinweise
outcome-footer = Sitzung { $id }

## /backup_create, /backup_list, /backup_restore

backup-created = Sicherung angelegt
backup-created-unverified = Sicherung angelegt, aber die Prüfung schlug fehl
backup-field-id = ID
backup-field-type = Typ
backup-field-name = Name
backup-field-files = Dateien
backup-field-size = Größe
backup-size = { $size } ({ $archive } Archiv{ $gzip ->
    [yes] , gzip
   *[no] {""}
})
backup-field-checksum = Prüfsumme (sha256)
backup-checksum-none = nicht erfasst
backup-field-verified = Geprüft
backup-verified-ok = Jede Datei entspricht ihrem Manifest.
backup-field-skipped = Nicht gesichert (Symlinks oder Spezialdateien)
backup-field-pruned = Aufgeräumt ({ $freed } frei geworden)
backup-list-title = { $count ->
    [0] Keine Sicherungen gefunden
    [one] { $count } Sicherung
   *[other] { $count } Sicherungen
}
backup-list-summary = { $shown } von { $matched } passenden gezeigt; { $stored } gespeichert, { $size } insgesamt.
backup-list-footer = Zeitraum: { $range } · sortiert nach { $sort }
backup-list-more = { $count } weitere passen nicht hinein: Limit senken
backup-failed-verification = Prüfung fehlgeschlagen
range-days = { $count ->
    [one] { $count } Tag
   *[other] { $count } Tage
}
range-all = alle
restore-prompt-title = **{ $types }-Dateien aus Sicherung `{ $id }` wiederherstellen**
restore-prompt-backup = Sicherung ({ $types }) vom { $date }, { $files }, { $size }.
restore-prompt-files = Diese { $count ->
    [one] { $count } Datei
   *[other] { $count } Dateien
} im Verzeichnis des Bots werden so zurückgesetzt, wie die Sicherung sie enthält:
restore-prompt-after = { $verify ->
    [yes] Das Archiv wird vorher geprüft;
   *[no] Das Archiv wird vorher **nicht** geprüft (verify_backup:false);
} die jetzigen Dateien werden beiseitegelegt. { $restarts ->
    [yes] Steward stoppt den Bot für die Wiederherstellung und startet ihn danach wieder.
   *[no] Steward stoppt den Bot für eine Wiederherstellung nicht: stoppe ihn, bevor du bestätigst.
}
restore-database-mark = Datenbank
restored-title = { $files } aus { $id } wiederhergestellt
restored-field-type = Art der Wiederherstellung
restored-field-verified = Vorher geprüft
restored-field-sidecars = Veraltete SQLite-Dateien beiseitegelegt
restored-field-previous = Das Ersetzte liegt in
restored-start-bot = Starte den Bot wieder, wenn du so weit bist.

## /update_schedule

schedule-added = Zeitplan { $label } hinzugefügt
schedule-when = { $types } um { $time }
schedule-when-days = { $types } um { $time } an { $days }
schedule-installs = Installiert
schedule-backs-up = Sichert
schedule-keeps = vollständig; behält die { $count } neuesten
schedule-keeps-all = vollständig; behält alle
schedule-field-when = Wann
schedule-field-next = Nächster Lauf
schedule-disabled = deaktiviert
schedule-field-note = Hinweis

## /update_settings

settings-value = Wert
settings-previous = Vorheriger Wert
settings-applied = Angewendet

## /update_status

status-title = Status von { $bot }
status-unknown = unbekannt ({ $note })
status-bot-version = Bot-Version
status-steward-uptime = Laufzeit von Steward
status-since = seit { $at }
status-bot-uptime = Laufzeit des Bots
status-last-update = Letztes Update
status-none-recorded = keines erfasst
status-disk = Speicher { $path }: { $free } frei von { $total } ({ $used } % belegt)
status-memory = Arbeitsspeicher: { $available } verfügbar von { $total }; Steward { $steward } MiB
status-system = System
status-updates = { $count } beendet: { $succeeded } erfolgreich, { $failed } fehlgeschlagen; { $running } laufend, { $rollbacks } Rollbacks
    Erfolgsquote { $rate }, Mittel { $mean }
status-updates-type = { $types }: { $count } ({ $ok } ok)
status-updates-title = Updates ({ $range })
status-backups = Sicherungen
status-backups-text = { $count } vorhanden, { $size } MiB belegt, { $failed } fehlgeschlagen
    Zuletzt geprüft: { $verified }
status-never = nie
status-ok = ok
status-failed = fehlgeschlagen
status-session = { $types } { $status } { $at } von { $by }
status-sessions-title = Sitzungen ({ $range })
session-status = { $status ->
    [completed] abgeschlossen
    [nothing] nichts zu tun
    [rolled-back] zurückgerollt
    [rollback-failed] Zurückrollen fehlgeschlagen
    [running] läuft
    [stopped] gestoppt
    [cancelled] abgebrochen
   *[failed] fehlgeschlagen
}

## Progress, confirmation prompts

progress = Fortschritt: { $percent } % – { $step }
confirm-button = Bestätigen
cancel-button = Abbrechen
confirm-not-yours = Nur { $user } kann hier antworten; führe den Befehl selbst aus, wenn du ihn brauchst.
confirm-confirmed = Bestätigt.
confirm-cancelled = Abgebrochen; nichts wurde geändert.
confirm-timed-out = Keine Antwort innerhalb von { $seconds } s; nichts wurde geändert.

## Errors

error-cannot-read = `{ $input }` kann nicht gelesen werden: { $error }
error-options-mismatch = Discord hat Optionen geschickt, die diese Version von Steward nicht erwartet ({ $description }). Die registrierten Befehle sind vermutlich veraltet: starte `steward serve` neu, um sie erneut zu registrieren.
error-internal = In Steward ist ein interner Fehler aufgetreten; die Einzelheiten stehen im Log.
error-discord = Discord hat eine Anfrage von Steward abgelehnt ({ $error }); bitte versuche es erneut.
error-denied-admin = Zugriff verweigert: { $operation } ist nur für die Besitzer des Bots. Admins können nach Updates suchen, den Status ansehen und Sicherungen anlegen oder auflisten.
error-denied = Zugriff verweigert: { $operation } ist nur für { $audience ->
    [owners] die Besitzer
   *[owners-and-admins] die Besitzer und Admins
} des Bots.
error-invalid = Ungültiger Wert für { $name }: `{ $value }` ist nicht { $expected }.
error-restore-not-confirmed = Eine Wiederherstellung ersetzt die Dateien des Bots: bestätige sie, um fortzufahren (confirm:true in Discord, --yes auf der Kommandozeile).
error-not-confirmed = { $what ->
    [rollback] Das Rollback
   *[other] { $what }
} verändert den Bot: bestätige es, um fortzufahren (confirm:true in Discord, --yes auf der Kommandozeile).
error-backup-not-found = Es gibt keine Sicherung namens { $id }. `steward backup list` zeigt sie.
error-backup-busy = Eine andere Sicherung, Wiederherstellung oder Aufräumung läuft; versuche es, wenn sie fertig ist.
error-backup-name-taken = Der Name „{ $name }“ gehört schon zur Sicherung { $id }; wähle einen anderen.
error-backup-invalid-name = „{ $name }“ kann kein Sicherungsname sein: 1 bis 100 Zeichen, nicht mit „backup_“ beginnend.
error-in-progress-by = Ein Update läuft bereits: { $by } hat es gestartet ({ $doing }), am { $since }. Versuche es, wenn es fertig ist.
error-in-progress = Ein Update läuft bereits. Versuche es, wenn es fertig ist.
error-no-backup = Keine Sicherung gefunden: es gibt keine abgeschlossene Sicherung, zu der zurückgekehrt werden kann.
error-rollback-empty-target = Das Rollback braucht ein Ziel: die angegebene Version ist leer. Mögliche Ziele: { $known }.
error-rollback-unknown-target = Rollback fehlgeschlagen: kein erfasstes Update begann bei Version { $target }, es gibt also nichts, wohin zurückgekehrt werden kann. Mögliche Ziele: { $known }.
error-settings-unknown-category = Es gibt keine Einstellungsgruppe „{ $given }“. Gültige Gruppen: { $valid }.
error-settings-unknown-name = Es gibt keine Einstellung „{ $given }“ in { $category }. Gültige Einstellungen in { $category }: { $valid }.
error-settings-missing-value = { $key } braucht einen Wert (oder setze es auf den Standard zurück).
error-schedule-time = Ungültige update_time `{ $value }`: schreibe die Zeit als HH:MM, 24-Stunden (zum Beispiel 03:00).
error-schedule-too-many = Es gibt schon { $count ->
    [one] { $count } Zeitplan
   *[other] { $count } Zeitpläne
} und scheduling.max_schedules ist { $max }; entferne zuerst einen.
operation-check = Nach Updates suchen
operation-install = Updates installieren
operation-status = Den Update-Status ansehen
operation-rollback = Zurückrollen
operation-schedule = Updates planen
operation-backup-create = Sicherungen anlegen
operation-backup-list = Sicherungen auflisten
operation-backup-restore = Sicherungen wiederherstellen
operation-settings = Einstellungen ändern
operation-bot-control = Den Bot starten und stoppen
operation-backup-prune = Sicherungen aufräumen

## Notifications

notice-work = { $key ->
    [Update] Update
    [Rollback] Rollback
    [Scheduled-update] Geplantes Update
   *[other] { $what }
}
notice-started = { $what } gestartet
notice-started-by = Gestartet von { $by }.
notice-progress = { $what }: { $percent } %
notice-finished = { $status ->
    [completed] { $kind ->
        [rollback] Rollback abgeschlossen
       *[install] Update abgeschlossen
    }
    [nothing] Update: nichts zu tun
    [rolled-back] { $kind ->
        [rollback] Rollback fehlgeschlagen und zurückgerollt
       *[install] Update fehlgeschlagen und zurückgerollt
    }
    [rollback-failed] { $kind ->
        [rollback] Rollback fehlgeschlagen; auch das Zurückrollen schlug fehl
       *[install] Update fehlgeschlagen; auch das Zurückrollen schlug fehl
    }
    [running] { $kind ->
        [rollback] Rollback läuft noch
       *[install] Update läuft noch
    }
    [stopped] { $kind ->
        [rollback] Rollback von den Sicherheitsprüfungen gestoppt
       *[install] Update von den Sicherheitsprüfungen gestoppt
    }
    [cancelled] { $kind ->
        [rollback] Rollback abgebrochen
       *[install] Update abgebrochen
    }
   *[failed] { $kind ->
        [rollback] Rollback fehlgeschlagen
       *[install] Update fehlgeschlagen
    }
}
notice-not-undone = Nicht rückgängig gemacht: { $error }
notice-session = Sitzung { $id } von { $by }.
notice-refused = { $what } wurde nicht ausgeführt
notice-backup = Sicherung { $id } angelegt
notice-backup-text = Sicherung ({ $types }), { $files }, { $size } komprimiert.

## issue 16: managing schedules under /update_schedule, session logs in /update_status
status-session-log = Protokoll: { $command }
schedule-list-title = Zeitpläne ({ $count } von { $max })
schedule-list-next = nächster Lauf { $at }
schedule-list-none = Keine Zeitpläne.
schedule-list-no-buttons = Schaltflächen nur für die ersten { $count }; die übrigen verwaltet `steward schedule`.
schedule-list-zone = Zeiten in { $zone }
schedule-button-enable = { $label } aktivieren
schedule-button-disable = { $label } deaktivieren
schedule-button-remove = { $label } entfernen
schedule-panel-enabled = { $user } hat den Zeitplan { $label } aktiviert.
schedule-panel-disabled = { $user } hat den Zeitplan { $label } deaktiviert.
schedule-panel-removed = { $user } hat den Zeitplan { $label } entfernt.

## issue 18: the fleet in /update_status
status-fleet-title = Flotte { $fleet }: { $count } Instanzen, Leiter { $leader }
status-fleet-instance = **{ $instance }** ({ $group }): { $version }, { $health ->
        [running] läuft
        [stopped] gestoppt
       *[not-managed] nicht von Steward betrieben
    }, letztes Update { $last }
status-fleet-wave = Welle { $id } ({ $action ->
        [install] Installation { $target }
        [rollback] Rollback auf { $target }
       *[check] Prüfung
    }): { $phase ->
        [planning] wartet auf den Leiter
        [running] läuft
        [halting] angehalten, Rollback läuft
        [finished] abgeschlossen
       *[halted] angehalten
    }, { $done } % erledigt
status-fleet-unreachable-title = Flotte

## issue 23: the command surface a bot release changes, in /update_install
install-commands-heading = Die Slash-Befehle des Bots ändern sich:
install-command-added = ＋ neu: { $subject }
install-command-removed = － entfernt: { $subject }
install-command-changed = ～ geändert: { $subject }
install-command-permissions = ～ die Standardberechtigungen von { $command } ändern sich

## issue 22: progress steps, safety findings, held releases, the rarer errors
progress-asking = Frage { $count } { $count ->
    [one] Quelle
   *[other] Quellen
} ab
progress-checked = { $provider } geprüft
progress-checking = Suche nach Updates
progress-planning = Plane das Update
progress-recording-state = Halte den jetzigen Zustand fest
progress-pre-update-backup = Lege die Sicherung vor dem Update an
progress-updating = Aktualisiere { $name } { $current } → { $latest }
progress-installing-new = Installiere { $name } { $latest } (neu)
progress-testing-staged = Teste das bereitgestellte Update
progress-verifying = Überprüfe
progress-restarting = Starte den Bot neu (Gesundheitsprüfung)
progress-update-complete = Update abgeschlossen
progress-rolling-back = Rolle zurück: { $reason }
progress-backing-up-first = Sichere zuerst den jetzigen Zustand
progress-restoring-backup = Stelle Sicherung { $id } wieder her
progress-putting-back = Setze { $provider } zurück
progress-rollback-finished = Rollback abgeschlossen
progress-backing-up-files = Sichere { $count } { $count ->
    [one] Datei
   *[other] Dateien
} ({ $kind })
progress-copying-database = Kopiere die Datenbank { $path }
progress-hashing-files = Berechne Prüfsummen für { $count } { $count ->
    [one] Datei
   *[other] Dateien
}
progress-storing-files = Lege { $count } { $count ->
    [one] Datei
   *[other] Dateien
} im Repository ab
progress-archiving = Archiviere { $path }
progress-verifying-backup = Überprüfe { $id }
progress-pruning-backups = Entferne Sicherungen jenseits von max_backups oder der Aufbewahrungsdauer
progress-backup-complete = Sicherung { $id } ist fertig
progress-unpacking = Entpacke { $id }
progress-checking-database = Prüfe die Datenbank { $path }
progress-stopping-bot = Halte den Bot an
progress-putting-files-in-place = Lege { $count } { $count ->
    [one] Datei
   *[other] Dateien
} an ihren Platz
progress-starting-bot = Starte den Bot
progress-restored = { $count } { $count ->
    [one] Datei
   *[other] Dateien
} aus { $id } wiederhergestellt
check-note-cooling-down = gehalten durch min_release_age_hours = { $hours } (Wartezeit bis { $until })
safety-low-disk = nur { $free } MiB frei auf dem Datenträger mit { $path } (safety.min_disk_space_mb = { $min })
safety-too-large = das Update lädt { $mib } MiB herunter, mehr als safety.max_update_size_mb = { $max }
safety-breaking = { $count ->
    [one] eine inkompatible Änderung
   *[other] { $count } inkompatible Änderungen
}: { $updates }
safety-unsigned = { $provider } plant { $count ->
    [one] { $count } Download, der
   *[other] { $count } Downloads, die
} sich nicht prüfen lassen: für [providers.{ $provider }] ist kein verify_key eingetragen (nur die Prüfsumme würde geprüft)
safety-backup-required = es wurde keine Sicherung vor dem Update verlangt, aber safety.require_backup_before_update ist an
safety-cannot-plan = { $provider } konnte nicht planen: { $reason }
error-safety-stop = Das Update wurde gestoppt, bevor sich etwas geändert hat:
error-install = Das Update konnte nicht laufen: { $error }
error-config = Problem in der Konfiguration: { $error }
error-providers-dir = Steward kann sein Provider-Verzeichnis { $path } nicht nutzen: { $error }
error-runtime = Stewards Sandbox für Provider konnte nicht starten: { $error }
error-chart = Das Statusdiagramm konnte nicht gezeichnet werden: { $error }
error-bot = Der Dienst konnte nicht starten: { $error }
error-store-locked = Ein anderer steward-Prozess nutzt seinen Speicher { $path }; versuche es, wenn er fertig ist.
error-store-newer = Stewards Speicher wurde von einem neueren steward geschrieben (Schema { $found }); aktualisiere steward, um ihn zu lesen.
error-store = Stewards Speicher kann nicht genutzt werden: { $error }
error-backup-not-completed = Sicherung { $id } wurde nie abgeschlossen ({ $status ->
        [in-progress] noch in Arbeit
        [completed] abgeschlossen
       *[failed] fehlgeschlagen
    }); sie kann nicht verwendet werden.
error-backup-low-disk = Nicht genug Speicherplatz unter { $path }: { $free } MiB frei, { $needed } MiB nötig (einschließlich safety.min_disk_space_mb).
error-backup-nothing = Eine Sicherung vom Typ { $kind } erfasst keine Dateien im Verzeichnis des Bots; prüfe [backup.types.{ $table }] in steward.toml.
error-backup-database-corrupt = Die Datenbank { $path } besteht die Integritätsprüfung von SQLite nicht ({ $error }); nichts wurde geändert.
error-backup-file-changed = { $path } hat sich während der Sicherung geändert; starte die Sicherung erneut (oder halte vorher den Bot an).
error-backup-verification-failed = Sicherung { $id } hat die Überprüfung nicht bestanden und wurde nicht verwendet: { $problems }
error-backup-nothing-to-restore = Sicherung { $id } enthält keine Dateien vom Typ { $kind } zum Wiederherstellen.
error-backup-extract = Das Archiv wurde abgelehnt, nichts wurde wiederhergestellt: { $reason }
error-extract-unsafe-path = der Eintrag { $path } zeigt aus dem Verzeichnis heraus, in das er entpackt wird
error-extract-forbidden-type = der Eintrag { $path } ist ein { $kind }, und das dürfen Archive hier nicht enthalten
error-backup-swap = Die Wiederherstellung stoppte bei { $path } ({ $error }); jede Datei wurde wieder so hergestellt, wie sie war.
error-backup-bot-stop = Der Bot konnte für die Wiederherstellung nicht angehalten werden ({ $error }); nichts wurde geändert.
error-backup-bot-start = Der Bot startete mit den wiederhergestellten Dateien nicht ({ $error }); die vorherigen Dateien wurden zurückgelegt.
error-backup = Die Sicherung ist fehlgeschlagen: { $error }
error-schedule-days-needed = Ein Zeitplan vom Typ { $kind } braucht update_days: { $problem }.
error-schedule-days = Ungültige update_days `{ $value }`: { $problem }.
error-schedule-types = Ungültige update_types `{ $value }`: { $problem }.
error-schedule-not-found = Es gibt keinen Zeitplan { $id }. `/update_schedule` listet sie auf.
error-schedule-timezone = Die eingestellte Zeitzone „{ $name }“ ist keine IANA-Zone (scheduling.timezone).
error-schedule = Der Zeitplan kann nicht verwendet werden: { $error }.

## issue 23: the security emergency notice and its Install button
emergency-title = Sicherheitskorrektur: { $advisory } ({ $severity })
emergency-text = { $source }: { $name } { $current } → { $latest } behebt { $advisory } ({ $severity }).
emergency-install = Installieren mit `{ $command }` oder über „Installieren“ (nur Eigentümer; die Sicherheitskorrekturen dieses Typs, vorher ein Backup).
emergency-unrated = ohne Einstufung
emergency-button = Installieren
emergency-unknown-button = Diese Schaltfläche gehört zu einer anderen Steward-Version; nutze stattdessen /update_install.

## issue 19: providers waiting for a grant, partial grants, the Grant and Deny buttons
check-waiting-grant = Wartet auf eine Freigabe und wurde daher nicht gefragt: er verlangt { $asks }. Ein Eigentümer gibt ihn mit den Schaltflächen seiner Meldung oder mit `steward providers grant { $source }` frei.
check-partial = Teilweise: seine Freigabe lässt { $missing } aus, daher hat er nur einen Teil dessen geprüft, was er prüft.
grant-notice-title = Provider { $provider } wartet auf eine Freigabe
grant-notice-text = Er verlangt: { $asks }.
    Er läuft erst, wenn ein Eigentümer ihn freigibt (die Schaltflächen unten oder `steward providers grant { $provider }` auf dem Server).
grant-button = Freigeben
deny-button = Ablehnen
grant-done = { $provider } ist von { $by } freigegeben für { $granted }; er läuft ab der nächsten Prüfung.
grant-done-partial = { $provider } ist von { $by } freigegeben für { $granted }; er läuft ab der nächsten Prüfung, aber nur teilweise: nicht freigegeben ist { $missing }.
grant-nothing = nichts
grant-denied = { $provider } wurde von { $by } abgelehnt: er läuft erst, wenn ein Eigentümer ihn freigibt.

## issue 17: backups as restic snapshots
backup-field-snapshot = Snapshot
backup-snapshot = { $snapshot } im restic-Repository { $repository }
backup-size-added = { $size } ({ $added } neu im Repository)
backup-added = { $size } neu

## issue 23: drift from what the last update applied
notice-drift = Abweichung: { $count ->
        [one] 1 Quelle hat sich
       *[other] { $count } Quellen haben sich
    } seit dem letzten Update geändert
notice-drift-source = **{ $provider }** weicht vom Stand ab, den Sitzung { $session } angewendet hat ({ $applied }):
status-drift = Abweichung: { $count ->
        [0] keine seit dem letzten Update (geprüft { $checked })
        [one] 1 Quelle weicht vom zuletzt angewendeten Stand ab (geprüft { $checked })
       *[other] { $count } Quellen weichen vom zuletzt angewendeten Stand ab (geprüft { $checked })
    }
status-drift-title = Abweichung

## issue 23: the impact watch
progress-measuring-impact = Der Bot wird { $when ->
        [after] nach
       *[before] vor
    } dem Update gemessen
impact-title = Auswirkungen
impact-measured = CPU { $cpu_before } % → { $cpu_after } %, Speicher { $rss_before } → { $rss_after } (je { $window } s vor und nach dem Update)
impact-memory = der Speicher wuchs um { $percent } %
impact-cpu = die CPU-Last stieg von { $before } % auf { $after } % eines Kerns
impact-restarts = { $count ->
        [one] der Bot startete nach dem Update einmal neu
       *[other] der Bot startete nach dem Update { $count } Mal neu
    }
impact-not-running = der Bot läuft nach dem Update nicht
impact-severe = Eine schwere Verschlechterung.

## issue 22 (2): the providers-changed notice, undated releases, typed failure reasons
notice-providers-changed = Provider geändert
provider-change-loaded = { $name } { $version } geladen
provider-change-loaded-waiting = { $name } { $version } geladen, wartet auf eine Freigabe
provider-change-replaced = { $name } ersetzt: { $version } geladen
provider-change-failed = { $name } wurde nicht geladen: { $error }
provider-change-removed = { $name } entfernt
check-undated = { $name } { $latest }: kein Veröffentlichungsdatum, daher kann min_release_age_hours = { $hours } es nicht zurückhalten
failure-step-exit = { $provider }: Schritt „{ $step }“ fehlgeschlagen: { $program } endete mit Exit-Code { $status }: { $output }
failure-step = { $provider }: Schritt „{ $step }“ fehlgeschlagen: { $error }
failure-probation = nach dem Neustart hat der Bot die Gesundheitsprüfung nicht bestanden: { $reason }
failure-probation-tail = ; seine letzte Ausgabe:
failure-bot-did-not-start = nach dem Neustart ließ sich der Bot nicht starten ({ $program }): { $error }
failure-test-gate = der Testlauf hat das Update gestoppt, bevor es live ging: { $error } (die Ausgabe steht im Sitzungsprotokoll)
failure-severe-regression = die Auswirkungsbeobachtung hat eine schwere Verschlechterung gefunden: { $regressions } (safety.impact_rollback_on_severe)
failure-not-rolled-back = (nichts wurde zurückgerollt: safety.rollback_on_failure ist aus)

## issue 19 (2): providers in /update_status
status-providers-title = Provider
status-provider-not-loaded = Nicht geladen: { $line }
status-provider-waiting = { $provider } wartet auf eine Freigabe: er verlangt { $asks }.
status-provider-partial = { $provider } ist nur teilweise freigegeben: nicht freigegeben ist { $missing }.

## issue 17: backups
backup-field-password = Repository-Passwort
backup-password-created = Steward hat das Passwort des Backup-Repositorys in { $path } angelegt. Bewahre eine Kopie dieser Datei an einem anderen Ort auf: Ohne sie lässt sich kein Backup im Repository wiederherstellen.
backup-made-by-restic = (von restic auf { $host } erstellt: { $paths })

## issue 18: fleet
opt-update_check-scope = Wo geprüft wird: auf diesem Host oder auf jeder Instanz der Flotte (Standard: host)
opt-update_install-scope = Wo installiert wird: auf diesem Host oder in einer Welle über die Flotte (Standard: host)
opt-update_rollback-scope = Wo zurückgesetzt wird: auf diesem Host oder in einer Welle über die Flotte (Standard: host)
choice-host = Host
choice-fleet = Flotte
fleet-off = Der Flottenmodus ist aus: Dieser Steward hat keinen Abschnitt [fleet] in steward.toml und aktualisiert nur sich selbst. Lass scope:fleet weg.
fleet-question = { $action ->
        [install] { $target }-Updates installieren
        [rollback] Auf { $target } zurücksetzen
       *[check] Nach Updates suchen
    } über die ganze Flotte ({ $count } Instanzen): zuerst die Kanarienvögel, dann in Gruppen, jede erst nach der Bewährungszeit der vorigen. Ein Fehler hält die Welle an und setzt zurück, was sie aktualisiert hat.
fleet-progress = Flotte, { $action ->
        [install] Installation { $target }
        [rollback] Zurücksetzen auf { $target }
       *[check] Prüfung
    }: { $done } % der Instanzen fertig
fleet-wave-title = Flotte, { $action ->
        [install] Installation { $target }
        [rollback] Zurücksetzen auf { $target }
       *[check] Prüfung
    }: { $phase ->
        [finished] abgeschlossen
        [halted] angehalten
        [halting] angehalten, wird zurückgesetzt
        [planning] wartet auf den Leiter
       *[running] läuft
    }
fleet-wave-part = { $batch ->
        [0] Kanarienvogel
       *[other] Gruppe { $batch }
    } · **{ $instance }**: { $state ->
        [waiting] wartet
        [running] läuft
        [done] fertig
        [failed] fehlgeschlagen
        [undoing] wird zurückgesetzt
        [rolled-back] zurückgesetzt
       *[undo-failed] Zurücksetzen fehlgeschlagen
    } ({ $from } → { $to })
fleet-wave-halted-because = Angehalten: { $why }

## issue 23: delta downloads
delivery-title = Download
delivery-delta = { $bytes } des { $archive } großen Archivs heruntergeladen ({ $saved } gespart): { $fetched } von { $files } Dateien geladen, { $reused } aus dem laufenden Release übernommen
delivery-fell-back = { $bytes } heruntergeladen: das vollständige Archiv, weil { $reason }
delivery-full = { $bytes } heruntergeladen (das vollständige Archiv)

## issue 22: failure reasons
failure-separator = {"; "}
failure-restart = nach dem Neustart: { $fault }
failure-cannot-plan = { $provider } konnte seine Updates nicht planen: { $error }
failure-cannot-capture = { $provider } konnte seinen aktuellen Zustand nicht festhalten, daher wurde nichts geändert: { $error }
failure-pre-update-backup = die Sicherung vor dem Update ist fehlgeschlagen, daher wurde nichts geändert: { $error }
failure-not-confirmed = { $provider } konnte das Update nicht bestätigen: { $error }
failure-interrupted = unterbrochen: Steward wurde während des Updates beendet ({ $phase ->
        [applying] beim Anwenden
        [verifying] beim Überprüfen
        [probation] während der Gesundheitsprüfung des Bots
       *[rolling-back] beim Zurückrollen
    }); beim nächsten Start zurückgerollt
failure-interrupted-not-undone = ; Folgendes ließ sich nicht rückgängig machen: { $errors }
failure-journal = das Journal kann nicht geschrieben werden: { $error }
failure-provider-gone = der Provider { $provider } ist nicht mehr geladen, daher lassen sich seine Änderungen nicht rückgängig machen
failure-state-damaged = { $provider }: der festgehaltene Zustand ist beschädigt: { $error }
failure-cannot-plan-restore = { $provider } konnte die Wiederherstellung nicht planen: { $error }
failure-restore-refused = { $provider }: { $error }
failure-restore-steps = { $provider }: Wiederherstellungsschritte fehlgeschlagen: { $steps }
failure-restore-step = „{ $step }“: { $error }
failure-not-removed = { $provider }: die Release-Verzeichnisse des rückgängig gemachten Updates ließen sich nicht entfernen: { $errors }
failure-database-not-restored = Wiederherstellen der Datenbank aus der Sicherung { $backup }: { $error }
failure-old-version-not-restarted = Neustart des Bots mit der alten Version: { $fault }
failure-backup-not-restored = Wiederherstellen der Sicherung { $backup }: { $error }
failure-bot-not-restarted = Neustart des Bots: { $fault }
failure-rollback-not-confirmed = { $provider } bestätigt das Zurückrollen nicht: { $error }
failure-backup-before-rollback = die Sicherung vor dem Zurückrollen ist fehlgeschlagen, daher wurde nichts geändert: { $error }
unhealthy-exited = er hat sich nach { $seconds } s beendet ({ $status })
unhealthy-gone = er ist nach { $seconds } s verschwunden (ohne Exit-Status)
unhealthy-not-ready = { $missing } (Frist: { $secs } s)
unhealthy-no-ready-line = er hat „{ $line }“ nie ausgegeben
unhealthy-no-answer = { $url } hat nie geantwortet
unhealthy-and = {" und "}
gate-spawn = der Testbefehl { $program } konnte nicht starten: { $error }
gate-failed = der Testbefehl ist nach { $seconds } s fehlgeschlagen ({ $status })
gate-timed-out = der Testbefehl wurde nicht innerhalb von safety.test_timeout_secs = { $secs } fertig und wurde gestoppt
bot-not-configured = Steward führt diesen Bot weder aus noch startet es ihn neu: setze bot.start oder bot.restart_command in steward.toml
bot-spawn = der Bot lässt sich nicht starten ({ $program }): { $error }
bot-restart-command = der Neustartbefehl { $program } ist fehlgeschlagen: { $message }
bot-already-running = der Bot läuft bereits (PID { $pid })
bot-would-not-stop = der Bot (PID { $pid }) hat sich nach SIGTERM und SIGKILL nicht beendet
bot-handoff-not-ready = die neue Version hat nicht übernommen: { $exited ->
        [yes] sie hat sich innerhalb von { $secs } s beendet, bevor sie ihre Bereitschaftsdatei angelegt hat (bot.handoff = "ready-file") ({ $status })
       *[no] sie hat ihre Bereitschaftsdatei nicht innerhalb von { $secs } s angelegt (bot.handoff = "ready-file")
    }; die alte Version läuft weiter
bot-unhealthy = der Bot hat die Gesundheitsprüfung nicht bestanden: { $reason }
fault-io = { $path }: { $error }
provider-fault-timeout = hat sein Zeitbudget von { $secs } s überschritten und wurde gestoppt
provider-fault-memory = hat seine Speichergrenze von { $mb } MiB ausgeschöpft
provider-fault-stack = hat seine Stack-Grenze von { $kb } KiB überschritten
provider-fault-crashed = ist abgestürzt: { $message }
provider-fault-instantiate = konnte nicht gestartet werden: { $message }
step-denied = der Provider { $provider } darf das nicht: { $reason }
step-outside-root = { $path } liegt außerhalb des Bot-Verzeichnisses { $root }; Planschritte dürfen nur dort Dateien ändern
step-steward-own = der Provider { $provider } darf { $path } nicht ändern: es gehört zu Stewards eigenem { $what }
step-bad-path = { $path } ist kein brauchbarer Pfad für einen Planschritt: { $why }
step-env-refused = der Provider { $provider } darf { $name } für { $program } nicht setzen: { $why }
step-not-run = { $program } konnte nicht ausgeführt werden: { $error }
step-timeout = { $program } wurde nicht innerhalb von { $secs } s fertig und wurde gestoppt
step-exit = { $program } endete mit Exit-Code { $status }: { $output }
step-bad-checksum = { $value } ist kein sha256 (64 Hexadezimalziffern)
step-download = der Download von { $url } ist fehlgeschlagen: { $error }
step-http-status = { $url } antwortete mit HTTP { $status }
step-too-large = { $url } ist größer als die Download-Grenze von { $limit } Bytes
step-over-safety-limit = { $url } ist größer, als safety.max_update_size_mb ({ $mb } MiB) erlaubt; erhöhe den Wert in steward.toml, um dieses Update zu installieren
step-checksum-mismatch = { $url } passt nicht zu seiner Prüfsumme: erwartet sha256 { $expected }, erhalten { $actual }
step-signature-missing = { $url } hat keine Signatur, aber für den Provider { $provider } ist ein Prüfschlüssel konfiguriert
step-signature-unusable = die Signatur von { $url } ist nicht verwendbar: { $error }
step-signature-invalid = die Signatur von { $url } lässt sich mit dem konfigurierten Schlüssel nicht verifizieren: { $error }
step-unpack = { $url } ließ sich nicht sicher entpacken: { $error }
step-destination-exists = { $path } existiert bereits; ein Release-Verzeichnis wird nie über ein anderes entpackt
step-not-replaceable = { $path } ist { $what }; Steward ersetzt nur reguläre Dateien und symbolische Links, die es verwaltet
step-target-missing = das Release { $target }, auf das { $link } zeigen soll, existiert nicht
status-session-reason = Grund: { $reason }
failure-stopped = von den Sicherheitsprüfungen gestoppt: { $findings }
failure-cancelled = { $unanswered ->
        [yes] die Bestätigungsfrage wurde nicht beantwortet; nichts wurde geändert
       *[no] an der Bestätigungsfrage abgebrochen; nichts wurde geändert
    }

## issue 23: blue-green
switch-title = Umschaltung
switch-handoff = Blue-Green-Übergabe: { $ms } ms ohne bereiten Prozess
switch-restart = Neustart: { $ms } ms ohne bereiten Prozess
switch-drained = Der alte Prozess hat seine Arbeit abgeschlossen und sich beendet.
switch-killed = Der alte Prozess hat sich nicht innerhalb der Stopp-Frist beendet und wurde abgebrochen.

## issue 17: offsite copies
notice-offsite-failed = Kopie nach { $target } (extern) fehlgeschlagen
notice-offsite-failed-text = { $error }. Die Sicherung { $id } ist hier vollständig; die Kopie wird bei der nächsten Sicherung erneut versucht.

## issue 22: notes and fleet errors
note-backups-off = Backups sind ausgeschaltet (backup.enabled = false): vor dem Update wurde kein Backup angelegt
note-not-checked = { $provider } konnte nicht geprüft werden und bleibt, wie es ist: { $error }
note-no-restart-configured = Das Update braucht einen Neustart des Bots, aber steward.toml hat weder bot.start noch bot.restart_command: starte den Bot selbst neu
note-not-restarted = Der Bot wurde nicht neu gestartet (wie gewünscht): das Update wirkt ab seinem nächsten Start
note-forced-past = trotz Sicherheitsprüfung fortgesetzt: { $finding }
note-delivery-not-kept = Die Download- und Umschaltwerte konnten nicht gespeichert werden: { $error }
note-impact-not-kept = Das Ergebnis der Auswirkungsüberwachung konnte nicht gespeichert werden: { $error }
note-regression = Die Auswirkungsüberwachung hat nach dem Update eine Verschlechterung festgestellt (die Werte stehen unter „Auswirkungen“)
outcome-restored-backup = Backup { $id } wiederhergestellt
fleet-error-unreachable = Der Flottenmodus ist an, aber etcd antwortet nicht unter { $endpoints } ({ $reason }). Nichts wurde geändert; versuche es erneut, wenn etcd wieder da ist.
fleet-error-denied = etcd hat die Zugangsdaten von Steward abgelehnt (Benutzer { $user } aus [fleet.auth], Passwort aus ${ $password_env }): { $reason }. Nichts wurde geändert; prüfe Benutzer und Passwort.
fleet-error-busy = Die Flotte ist beschäftigt: { $holder }. In der ganzen Flotte läuft jeweils nur ein Update; versuche es erneut, wenn es fertig ist (/update_status zeigt es).
fleet-error-unreadable = Der Flotteneintrag { $key } in etcd kann nicht gelesen werden ({ $reason }); wurde er von einer anderen Steward-Version geschrieben?
fleet-error-wave-vanished = Welle { $id } ist nicht mehr in etcd (weder laufend noch die zuletzt beendete); /update_status zeigt, was dort ist.
fleet-error-not-promoted = Gruppe { $group } kommt erst nach { $after } an die Reihe (fleet.promotion): { $why }. Nichts wurde gestartet.
fleet-error-timed-out = Das Warten auf { $waited_for } wurde aufgegeben. { $withdrawn ->
        [yes] Die Welle wurde zurückgezogen, bevor eine Instanz etwas tun sollte: nichts wurde geändert.
       *[no] Die Welle bleibt in etcd, wo sie steht; der nächste Leiter setzt sie fort oder rollt sie zurück (/update_status zeigt es).
    }
fleet-error-no-such-group = In der Flotte ist keine Instanz der Gruppe { $group } registriert (Gruppen: { $known }). Nichts wurde gestartet.
fleet-error-setup = Der Flottenmodus kann nicht starten: { $message }
error-lock-unusable = Das Update konnte nicht laufen: Steward kann seine Update-Sperre { $path } nicht verwenden: { $error }
error-journal = Das Update konnte nicht laufen: Steward kann sein Journal nicht schreiben: { $error }

## issue 23: error rate
## The impact watch's error rate, read from the health URL's JSON counters.
impact-errors-per-minute = Fehlerrate: { $before } → { $after } Fehler pro Minute
impact-errors-per-request = Fehlerrate: { $before } % → { $after } % der Anfragen fehlgeschlagen
impact-errors-not-exposed = Fehlerrate: von der Health-URL nicht bereitgestellt
impact-errors-not-compared = Fehlerrate: nicht verglichen (die Health-URL lieferte sie nur in einem Zeitfenster oder zählte sie anders)
impact-error-rate = die Fehlerrate stieg von { $before } auf { $after } Fehler pro Minute
impact-error-rate-requests = der Anteil fehlgeschlagener Anfragen stieg von { $before } % auf { $after } %

## issue 22: backup and fleet details
backup-detail-busy = eine andere Sicherung oder Wiederherstellung läuft
backup-detail-low-disk = nur { $free } MiB frei unter { $path }, { $needed } MiB nötig
backup-detail-nothing = eine Sicherung vom Typ „{ $kind }“ umfasst keine Dateien
backup-detail-database-corrupt = die Datenbank { $path } besteht die Integritätsprüfung nicht: { $error }
backup-detail-file-changed = { $path } hat sich während der Sicherung geändert
backup-detail-verification-failed = die Sicherung { $id } hat die Prüfung nicht bestanden: { $problems }
backup-detail-not-found = es gibt keine Sicherung { $id }
backup-detail-nothing-to-restore = die Sicherung { $id } enthält keine Dateien vom Typ „{ $kind }“ zum Wiederherstellen
backup-detail-swap = das Einsetzen von { $path } ist fehlgeschlagen ({ $error }); alle Dateien wurden zurückgelegt
backup-detail-bot-stop = der Bot ließ sich nicht anhalten: { $error }
backup-detail-bot-start = der Bot startete nach der Wiederherstellung nicht ({ $error }); die vorherigen Dateien wurden zurückgelegt
fleet-why-no-instance = in der Flotte ist keine Instanz von { $after } registriert
fleet-why-not-healthy = die { $after }-Instanz { $instance } hat ihren Bot nicht als gesund gemeldet
fleet-why-mixed-releases = die Instanzen von { $after } laufen mit verschiedenen Versionen ({ $releases })
fleet-why-soaking = { $version } läuft auf { $after } seit { $soaked } von den geforderten { $soak } gesund; noch { $left }
fleet-why-two-releases = sie bekäme { $version }, aber { $other } bekäme { $other_version } in derselben Welle; installiere jeweils nur eine Gruppe (--group)
fleet-waited-plan = einen Leiter, der Welle { $wave } plant, { $secs } s lang (fleet.wave_timeout_seconds): { $leader }
fleet-waited-carry-on = einen Leiter, der Welle { $wave } fortsetzt: sie hat sich { $secs } s lang nicht bewegt (fleet.wave_timeout_seconds) und { $leader }; sie steht bei: { $stands_at }
fleet-leader-nobody = keine Instanz leitet die Flotte
fleet-leader-registered = { $id } leitet die Flotte
fleet-leader-unregistered = die Wahl der Flotte in etcd hält { $id }, das keine registrierte Instanz ist
error-install-needs-lock = eine Installation braucht die Update-Sperre

## issue 23: drift baseline
## A source Steward never updated is compared with its state at the first check.
notice-drift-source-baseline = **{ $provider }** weicht vom Ausgangsstand ab, der bei der ersten Prüfung am { $taken } festgehalten wurde (Steward hat es noch nicht aktualisiert):

## issue 22: fleet and backup errors
fleet-halt-no-instance = in der Flotte ist keine Instanz registriert
fleet-halt-no-instance-of-group = in der Flotte ist keine Instanz der Gruppe { $group } registriert
fleet-halt-part-failed = { $canary ->
        [yes] Kanarienvogel
       *[no] Instanz
    } { $instance } ist fehlgeschlagen: { $why }
fleet-part-silent = hat sich nicht innerhalb von { $secs } s gemeldet
fleet-standing-action = { $action ->
        [install] Installation { $target }
        [rollback] Zurücksetzen auf { $target }
       *[check] Prüfung
    }
fleet-standing-pinned = { $action } (festgelegt auf { $version })
fleet-standing-in-group = { $action } in Gruppe { $group }
fleet-standing-planning = Flotten-{ $action }: wartet darauf, dass der Leiter die Welle plant
fleet-standing-canary-batch = Kanarien-Gruppe
fleet-standing-batch = Gruppe { $number } von { $count }
fleet-standing-member = { $instance } { $state ->
        [waiting] wartet
        [running] läuft
        [done] fertig
        [failed] fehlgeschlagen
        [undoing] wird zurückgesetzt
        [rolled-back] zurückgesetzt
       *[undo-failed] Zurücksetzen fehlgeschlagen
    }
fleet-list-separator = {", "}
fleet-standing-running = Flotten-{ $action }: { $batch }: { $members }
fleet-standing-halting = Flotten-{ $action } angehalten ({ $why }); die aktualisierten Instanzen werden zurückgesetzt
fleet-standing-finished = Flotten-{ $action }: fertig
fleet-standing-halted = Flotten-{ $action }: angehalten: { $why }
fleet-standing-part-failed = ein Teil ist fehlgeschlagen
fleet-occupant-update = { $by } führt seit { $since } UTC auf Instanz { $instance } { $doing ->
        [install] eine Installation
       *[rollback] ein Zurücksetzen
    } aus
fleet-occupant-wave = Welle { $id } ({ $action }), angefordert von { $by } um { $at } UTC, läuft
fleet-occupant-unknown = ein anderes Update hält die Flottensperre
restore-path-symlink = { $path } ist ein symbolischer Link, und eine Wiederherstellung schreibt nie durch einen
restore-path-in-the-way = unter { $path } ist { $found ->
        [nothing] nichts
        [a-file] eine Datei
        [a-directory] ein Verzeichnis
        [a-symbolic-link] ein symbolischer Link
       *[a-special-file] eine Spezialdatei
    }, wo die Sicherung { $wanted ->
        [a-file] eine Datei
       *[a-directory] ein Verzeichnis
    } braucht
restore-path-not-relative = { $path } ist kein einfacher relativer Pfad
error-extract-staging = das Staging-Verzeichnis { $path } kann nicht angelegt werden: { $error }
error-extract-truncated = das Archiv ist abgeschnitten
error-extract-corrupt = das Archiv ist beschädigt: { $error }
error-extract-pax-size = Eintrag { $path }: seine PAX-Größe { $pax } widerspricht seiner Kopfgröße { $header }
error-extract-duplicate = Eintrag { $path } kommt zweimal vor
error-extract-too-large = das Archiv entpackt sich zu mehr als { $limit } Bytes
error-extract-too-many = das Archiv enthält mehr als { $limit } Einträge
error-extract-write = { $path } kann nicht geschrieben werden: { $error }
backup-detail-dir = das Sicherungsverzeichnis { $path } kann nicht vorbereitet werden: { $error }
backup-detail-read = { $path } kann nicht gelesen werden: { $error }
backup-detail-write = { $path } kann nicht geschrieben werden: { $error }
backup-detail-wrong-password = das Passwort öffnet das Sicherungs-Repository { $path } nicht ([backup] password_file oder { $env }); nichts wurde geändert
backup-detail-no-password = das Sicherungs-Repository { $path } existiert, aber es ist kein Passwort eingerichtet: setze [backup] password_file oder { $env }
backup-detail-repository = das Sicherungs-Repository { $path } kann nicht verwendet werden: { $error }
backup-removed-beyond-max = über max_backups ({ $max }) hinaus
backup-removed-older = älter als backup_retention_days ({ $days })
backup-removed-failed-attempt = ein fehlgeschlagener Versuch nach Ablauf der Aufbewahrungsfrist
backup-removed-beyond-schedule = über die { $keep } hinaus, die dieser Zeitplan behält

## issue 17: offsite on Discord
backup-field-offsite = Externe Kopien
backup-offsite-copying = Wird nach { $targets } kopiert…
backup-offsite-copied = { $target }: { $count } kopiert und dort geprüft
backup-offsite-copied-forgotten = { $target }: { $count } kopiert und dort geprüft, { $forgotten } dort vergessen, weil hier bereinigt
backup-offsite-failed = { $target }: Die Kopie ist fehlgeschlagen ({ $error }). Die lokale Sicherung ist vollständig; die Kopie wird bei der nächsten Sicherung erneut versucht.
backup-where = Ort: { $places }
backup-place-local = lokal
backup-place-failed = { $target } (Kopie fehlgeschlagen, wird erneut versucht)
backup-place-nowhere = nirgends: der Snapshot ist verloren

## issue 22: verification problems
verify-problem-archive-checksum = die sha256 des Archivs weicht von der beim Erstellen gespeicherten ab
verify-problem-archive-unreadable = das Archiv kann nicht gelesen werden: { $error }
verify-problem-archive-open = das Archiv kann nicht geöffnet werden: { $error }
verify-problem-archive-entry = das Archiv: { $error }
verify-problem-archive-empty = das Archiv ist leer
verify-problem-first-not-manifest = der erste Eintrag ist „{ $found }“, nicht das Manifest { $manifest }
verify-problem-manifest-not-first = das Manifest ist nicht der erste Eintrag
verify-problem-manifest-too-large = das Manifest ist unplausibel groß
verify-problem-manifest-unreadable = das Manifest kann nicht gelesen werden: { $error }
verify-problem-manifest-invalid = das Manifest ist ungültig: { $error }
verify-problem-other-backup = das Archiv gehört zur Sicherung { $found }, nicht zu { $expected }
verify-problem-belongs-to = das Archiv gehört zur Sicherung { $found }
verify-problem-file-unreadable = { $path }: { $error }
verify-problem-not-in-manifest = { $path } ist im Archiv, aber nicht in seinem Manifest
verify-problem-size-differs = { $path }: { $archive } Bytes im Archiv, { $manifest } im Manifest
verify-problem-content-differs = { $path }: der Inhalt weicht von der Prüfsumme im Manifest ab
verify-problem-missing-from-archive = { $path } steht im Manifest, fehlt aber im Archiv
verify-problem-listed-twice = { $path } steht { $times }-mal im Manifest
verify-problem-not-plain = „{ $path }“ im Manifest ist kein einfacher relativer Pfad
verify-problem-file-and-dir = { $dir } steht als Datei im Manifest, das aber auch { $path } darin aufführt
verify-problem-leaves-root = { $path }: der Pfad verlässt das Stammverzeichnis des Bots
verify-problem-symlink = { $path }: ein symbolischer Link wird abgelehnt
verify-problem-special = { $path }: ein Gerät, FIFO oder Socket wird abgelehnt (wiederhergestellt werden nur normale Dateien und Verzeichnisse)
verify-problem-foreign-paths = der Snapshot wurde von restic aus { $paths } erstellt, nicht aus dem Stammverzeichnis des Bots { $root }: stelle ihn stattdessen mit `restic restore` wieder her
verify-problem-snapshot-check = Snapshot { $snapshot }: { $finding }
verify-problem-tree-damaged = Snapshot { $snapshot }: der Baum von { $dir } ist im Pack { $pack } beschädigt ({ $cause })
verify-problem-tree-unindexed = Snapshot { $snapshot }: der Baum von { $dir } fehlt im Index ({ $cause })
verify-problem-file-damaged = { $path }: im Repository beschädigt ({ $cause })
verify-problem-unchecked = die Prüfung konnte nicht laufen: { $error }
verify-problem-drill-failed = Wiederherstellungsprobe: { $error }
verify-problem-drill-needs-local = Wiederherstellungsprobe: nicht ausgeführt, dem lokalen Repository fehlt der Snapshot (eine Wiederherstellung holt ihn zuerst von einem externen Ziel zurück)
verify-problem-database = Datenbank { $path }: { $message }
verify-problem-offsite-damaged = externes Ziel { $target } ({ $location }): die Kopie besteht die Prüfung dort nicht: { $cause }
verify-problem-offsite-missing = externes Ziel { $target } ({ $location }): enthält keine Kopie der Sicherung { $id }
verify-problem-offsite-unchecked = externes Ziel { $target } konnte nicht geprüft werden: { $error }
verify-problem-no-sound-copy = die Sicherung { $id } ist nicht im lokalen Repository, und kein externes Ziel hat eine intakte Kopie
verify-problem-more = und { $count } weitere Probleme

## issue 17: copies in status
status-copies-failed-title = Fehlgeschlagene Offsite-Kopien
status-copy-failed = **{ $target }** fehlt { $count ->
        [one] die Sicherung { $backups }
       *[other] { $count } Sicherungen: { $backups }
    }; beim nächsten Kopieren wird es erneut versucht. { $error }
status-copy-failed-more = { " " }und { $count } weitere

## issue 22: fleet rollback silence
fleet-part-rollback-silent = sein Rollback hat sich nicht innerhalb von { $secs } s gemeldet

## issue 22: restore problems
restore-undo-place-failed = { $path } konnte nicht an seinen Platz gelegt werden ({ $error })
restore-undo-bot-did-not-start = der Bot ist nach der Wiederherstellung nicht gestartet ({ $error })

## issue 22: last frames
## A backup's failure with no sentence of its own, framed by what was being done.
error-backup-failed = { $operation ->
        [restore] Die Wiederherstellung ist fehlgeschlagen: { $error }
        [rollback] Das Zurückrollen ist fehlgeschlagen: { $error }
        [list] Die Sicherungen können nicht aufgelistet werden: { $error }
       *[backup] Die Sicherung ist fehlgeschlagen: { $error }
    }
backup-detail-pattern = das Sicherungsmuster { $pattern } ist kein gültiges Glob-Muster: { $error }
backup-detail-database-copy = die Datenbank { $path } kann nicht kopiert werden: { $error }
backup-detail-in-the-way = { $problem }; nichts wurde geändert
backup-detail-conflicting-paths = die Sicherung kann nicht Datei für Datei zurückgelegt werden ({ $problems }); nichts wurde geändert
backup-detail-not-put-back = { $cause }, und auch das Zurücklegen der vorherigen Dateien ist fehlgeschlagen ({ $problems }): sie liegen in { $kept }, und der nächste Start von steward legt sie zurück
backup-detail-import-needs-repository = der Import eines Archivs braucht das Repository: setze [backup] format = "restic"
backup-detail-exists = Sicherung { $id } ist bereits im Repository
check-note-separator = {"; "}
## Why an offsite copy failed; what the target's backend said stays as given.
offsite-fault-target = externes Ziel { $target } ({ $location }): { $why }
offsite-fault-local-repository = das lokale Repository: { $error }
offsite-why-password-env-unset = die Umgebungsvariable { $var } (password_env) ist nicht gesetzt
offsite-why-password-file-unreadable = password_file { $path } kann nicht gelesen werden: { $error }
offsite-why-password-file-empty = password_file { $path } ist leer
offsite-why-path-not-utf8 = der Pfad ist kein UTF-8
offsite-why-wrong-password = das Passwort des lokalen Repositorys öffnet es nicht (ein anderswo angelegtes Repository?)
offsite-why-no-repository = enthält kein Repository
offsite-why-copy-lock = die Kopiersperre in { $dir } kann nicht genommen werden: { $error }
offsite-why-not-listed = { $missing } von { $copied } kopierten Snapshots sind nach der Kopie dort nicht aufgeführt
offsite-why-check-failed = die Kopie besteht die Prüfung dort nicht: { $error }
offsite-why-no-copy = hat keine Kopie
backup-detail-not-brought-back = das Sicherungs-Repository { $path } kann nicht verwendet werden: die Sicherung { $id } ist nicht im lokalen Repository, und kein externes Ziel hat sie zurückgegeben ({ $tried })

## issue 22: last words
## Was Steward aus dem Fehler eines externen Ziels macht; die Worte des Servers oder des Systems bleiben, wie sie sind.
offsite-cause-unreachable = keine Verbindung zum Server möglich ({ $error })
offsite-cause-timed-out = der Server hat nicht rechtzeitig geantwortet
offsite-cause-credentials-refused = der Server hat die Zugangsdaten abgelehnt (HTTP { $status }): user und password_env oder password_file prüfen
offsite-cause-access-denied = Zugriff verweigert, Zugangsdaten prüfen
offsite-cause-access-denied-detail = Zugriff verweigert, Zugangsdaten prüfen: { $detail }
offsite-cause-status = der Server hat mit HTTP { $status } geantwortet
offsite-cause-missing = der Server hat kein { $path }
## Trennzeichen, wenn Namen (Einstellungen, Ziele, Dateien, Updates) aufgezählt werden.
names-separator = {", "}
## Die Wiederherstellung einer nicht abgeschlossenen Sicherung und ein Archiv, das sich nicht entpacken lässt.
backup-detail-not-completed = die Sicherung { $id } { $status ->
        [InProgress] läuft noch
        [Failed] ist fehlgeschlagen
       *[other] hat den Status { $named }
    } und ist nicht abgeschlossen
backup-detail-extract-staging = das Staging-Verzeichnis { $path } kann nicht angelegt werden: { $error }
backup-detail-extract-truncated = das Archiv ist abgeschnitten
backup-detail-extract-corrupt = das Archiv ist beschädigt: { $error }
backup-detail-extract-unsafe-path = der Eintrag { $quoted } hat einen unsicheren Pfad (absolut, mit `..` oder leer)
backup-detail-extract-forbidden-type = der Eintrag { $quoted } ist { $entry ->
        [symbolic-link] ein symbolischer Link
        [hard-link] ein harter Link
        [character-device] ein zeichenorientiertes Gerät
        [block-device] ein blockorientiertes Gerät
        [named-pipe] eine benannte Pipe
        [sparse-file] eine Sparse-Datei
       *[other] ein Sondereintrag
    }; nur reguläre Dateien und Verzeichnisse werden angenommen
backup-detail-extract-pax-size = Eintrag { $quoted }: seine PAX-Größe { $pax } widerspricht der Größe { $header } im Header
backup-detail-extract-duplicate = der Eintrag { $quoted } kommt zweimal vor
backup-detail-extract-too-large = das Archiv ergibt entpackt mehr als { $limit } Bytes
backup-detail-extract-too-many = das Archiv enthält mehr als { $limit } Einträge
backup-detail-extract-write = { $path } kann nicht geschrieben werden: { $error }
## Was die Prüfung einer externen Kopie fand, jeder Befund in den Worten von rustic.
verify-problem-offsite-findings = externes Ziel { $target } ({ $location }): die Kopie besteht die Prüfung dort nicht: { $findings }

## issue 22: expected values
expected-version-or-last-backup = eine Version oder last_backup
expected-range = eine Zahl von { $min } bis { $max }
expected-local-absolute-path = ein absoluter Pfad, von der Shell oder dem Steuer-Socket dieses Rechners
expected-config-file = möglich, solange Steward mit seinen Standardwerten läuft; starte es mit --config
expected-one-of = einer von { $values }
expected-bool = true oder false
expected-only-value = { $value } (der einzige unterstützte Wert)
expected-whole-number = eine ganze Zahl von { $min } bis { $max }
expected-time = eine Uhrzeit im Format HH:MM (24 Stunden, z. B. 03:00)
expected-directory = ein Verzeichnis (relativ zu steward.toml), das existiert oder dessen übergeordnetes Verzeichnis existiert
expected-update-types = eines oder mehrere von { $values }, durch Kommas getrennt
expected-channel-ids = Discord-Kanal-IDs, durch Kommas getrennt (oder none)
expected-timezone = eine IANA-Zeitzone wie UTC oder Europe/Berlin

## issue 22: grant refusals
error-grant = Dem Provider { $provider } wurde nichts gewährt: { $reason }.
grant-refusal-none = keine
grant-refusal-not-asked = er verlangt nicht, { $path } auszuführen (er verlangt: { $asked })
grant-refusal-did-not-load = er wurde nicht geladen ({ $error })
grant-refusal-no-such-provider = diesen Provider gibt es nicht (die Provider sind: { $known })
grant-refusal-invalid = die Prüfung der Freigaben lehnt ab: { $problem }

## issue 22: supervisor, choices, offsite, fleet
choice-noun-update-type = Update-Typ
choice-noun-backup-type = Sicherungstyp
choice-noun-restore-type = Art der Wiederherstellung
choice-noun-time-range = Zeitraum
choice-noun-sort-order = Sortierung
choice-noun-setting-category = Einstellungsgruppe
choice-noun-schedule-type = Zeitplantyp
choice-noun-status-range = Zeitraum
choice-noun-scope = Bereich

fleet-answer-checked = { $offered } Update(s) verfügbar{ $failed ->
        [0] {""}
       *[other] , { $failed } Anbieter fehlgeschlagen
    }
fleet-answer-session = { $status ->
        [completed] abgeschlossen
        [nothing_to_do] nichts zu tun
        [rolled_back] zurückgesetzt
        [failed] fehlgeschlagen
        [rollback_failed] Rollback fehlgeschlagen
        [running] läuft
        [stopped] angehalten
        [cancelled] abgebrochen
       *[other] { $status }
    }
fleet-answer-session-why = { $status ->
        [completed] abgeschlossen
        [nothing_to_do] nichts zu tun
        [rolled_back] zurückgesetzt
        [failed] fehlgeschlagen
        [rollback_failed] Rollback fehlgeschlagen
        [running] läuft
        [stopped] angehalten
        [cancelled] abgebrochen
       *[other] { $status }
    }: { $why }
fleet-answer-no-session = es wurde keine Sitzung aufgezeichnet
fleet-answer-pinned-other = angeboten wird Bot { $offered }, die Welle ist aber auf { $pinned } festgelegt (die freigegebene Version); nichts wurde geändert
fleet-answer-pinned-not-offered = Bot { $pinned } (die freigegebene Version) wird hier nicht angeboten (der Bot läuft mit { $running }); nichts wurde geändert
fleet-answer-unknown-version = einer unbekannten Version

## issue 22: configuration problems
config-read = { $path } kann nicht gelesen werden: { $error }
config-invalid = { $path } ist ungültig: { $problem }
config-parse-at = TOML-Fehler in Zeile { $line }, Spalte { $column }: { $error }
config-parse = TOML-Fehler: { $error }
config-http-listen = control.http.listen: { $value } ist keine Adresse mit Port ({ $error })
config-http-rate-limit-zero = control.http.rate_limit_per_minute muss mindestens 1 sein
config-http-token-name = control.http.tokens: Jedes Token braucht einen eigenen Namen ({ $name })
config-http-token-secret = control.http.tokens { $name }: Genau eines von token_env und token_file angeben
config-http-token-scope = control.http.tokens { $name }: Unbekannter Geltungsbereich { $scope } (erwartet wird einer von { $known } oder install:TYP)
config-log-rotation-size = logging.log_rotation_size: { $value } ist keine Größe; Bytes oder eine Größe wie "10MB" angeben
config-pid-file-needs-restart-command = bot.pid_file gilt für einen Bot, den bot.restart_command startet: Mit bot.start kennt Steward die PID selbst
config-handoff-needs-start = bot.handoff braucht bot.start: Steward kann eine neue Version nur neben der alten starten, wenn es den Bot selbst ausführt
config-start-and-restart-command = bot.start und bot.restart_command schließen sich aus: Steward führt den Bot entweder selbst aus oder lässt ihn von einem anderen Dienst neu starten
config-runtime-limit-zero = Die Grenzen unter runtime müssen größer als null sein
config-stack-limit-too-large = runtime.stack_limit_kb darf höchstens 65536 sein
config-confirm-timeout = discord.confirm_timeout_seconds muss zwischen 1 und 600 liegen, nicht { $value }
config-discord-locale = discord.locale muss eine Sprache sein, wie Discord sie benennt (en-US, zh-CN, de), nicht { $value }
config-discord-api-base = discord.api_base muss mit http:// oder https:// beginnen, nicht "{ $value }"
config-http-concurrency-zero = runtime.http_concurrency muss mindestens 1 sein
config-http-batch-limit-zero = runtime.http_batch_limit muss mindestens 1 sein
config-http-cache-limit-zero = runtime.http_cache_limit_mb muss mindestens 1 sein (oder http_cache = false setzen)
config-registry-max-age = runtime.registry_max_age_secs darf höchstens 86400 (ein Tag) sein, nicht { $value }
config-auto-updates-contradiction = general.auto_updates_enabled = true widerspricht general.auto_updates = "{ $mode }": Nur eines behalten
config-test-command-empty = safety.test_command muss mit dem auszuführenden Programm beginnen
config-test-timeout-zero = safety.test_timeout_secs muss mindestens 1 sein
config-signature-keys-missing = providers.require_signature braucht mindestens einen öffentlichen minisign-Schlüssel in providers.signature_keys
config-signature-key = providers.signature_keys: Kein öffentlicher minisign-Schlüssel (erwartet wird die Base64-Zeile einer minisign-.pub-Datei oder die ganze Datei): { $error }
config-provider-verify-key = providers.{ $provider }.verify_key: Kein öffentlicher minisign-Schlüssel (erwartet wird die Base64-Zeile einer minisign-.pub-Datei oder die ganze Datei): { $error }
config-bot-command-empty = bot.start / bot.restart_command braucht mindestens das Programm
config-health-url = bot.health.health_url muss mit http:// oder https:// beginnen, nicht "{ $value }"
config-ready-timeout-zero = bot.health.ready_timeout_secs muss mindestens 1 sein
config-bot-env = bot.env: { $name } = { $value } kann keine Umgebungsvariable sein (ein Name ist nicht leer und enthält kein "="; keines von beiden enthält ein NUL)
config-compression-level = backup.compression_level muss zwischen 0 und 9 liegen, gefunden: { $value }
config-max-backups-zero = backup.max_backups muss mindestens 1 sein
config-log-level = logging.level muss einer von { $known } sein, nicht "{ $value }"
config-log-counts-zero = logging.max_log_files und logging.max_session_logs müssen mindestens 1 sein
config-setting = { $key }: { $value } ist ungültig (erwartet: { $expected })
config-backup-glob = backup.types.{ $scope }: { $pattern } ist kein gültiges Glob-Muster: { $error }
config-backup-glob-outside = backup.types.{ $scope }: { $pattern } muss unter dem Wurzelverzeichnis des Bots bleiben
config-bot-root-unset = {"["}bot] root ist nicht gesetzt: Das Verzeichnis des Bots angeben, den Steward verwaltet (root = "/srv/mybot"), oder --bot-root übergeben
config-bot-root-unusable = Das Wurzelverzeichnis des Bots { $root } ist nicht nutzbar: { $error }
config-bot-root-not-directory = Das Wurzelverzeichnis des Bots { $root } ist kein Verzeichnis
config-bot-root-system = Das Wurzelverzeichnis des Bots { $root } ist ein Systemverzeichnis; [bot] root auf das eigene Verzeichnis des Bots setzen
config-data-under-system = Stewards Datenverzeichnis { $data } liegt unter einem Systemverzeichnis; [paths] data setzen
config-data-overlaps-bot = Stewards Datenverzeichnis { $data } und das Wurzelverzeichnis des Bots { $root } überschneiden sich; sie trennen oder [paths] allow_inside_bot = true setzen
config-grant-write-not-absolute = providers.{ $provider }.grant.write: "{ $entry }" muss ein absoluter Pfad sein (oder mit {"{"}bot{"}"} beginnen), ohne `..`
config-grant-write-over-own = providers.{ $provider }.grant.write: "{ $entry }" würde dem Provider erlauben, Stewards { $what } zu ändern ({ $path }); nur die Dateien des Bots freigeben, die er aktualisiert
config-grant-unknown-argument-type = providers.{ $provider }.grant.{ $key }: { $pattern } ist kein Argumenttyp, den Steward kennt; bekannt sind { $known }
config-typed-pattern = { $name } ({ $what })
config-typed-pip-pin = ein Python-Distributionsname, `==` und eine Version
config-typed-pip-name = ein Python-Distributionsname
config-typed-npm-pin = ein npm-Paketname, `@` und eine Version
config-typed-npm-range = ein npm-Paketname, `@` und eine Version, wahlweise nach `^` oder `~`
config-typed-apt-pin = ein Debian-Paketname, `=` und eine Version
config-typed-apt-name = ein Debian-Paketname
config-own-data-directory = Datenverzeichnis
config-own-providers-directory = Provider-Verzeichnis
config-own-compile-cache = Kompilier-Cache
config-own-backup-directory = Backup-Verzeichnis
config-own-update-logs = Update-Protokolle
config-own-configuration-file = Konfigurationsdatei
config-offsite = Offsite-Ziel {"["}backup.offsite.{ $target }]: { $problem }
config-offsite-bad-name = Der Name eines Ziels besteht aus Buchstaben, Ziffern, '-' und '_' und ist nicht "local"
config-offsite-both-secrets = Entweder password_env oder password_file setzen, nicht beides
config-offsite-path-needs-path = kind = "path" braucht path = "VERZEICHNIS"
config-offsite-path-takes-only-path = kind = "path" nimmt nur path und when an
config-offsite-rest-needs-url = kind = "rest" braucht url = "http(s)://HOST:PORT/PFAD"
config-offsite-url-scheme = url muss mit http:// oder https:// beginnen
config-offsite-url-credentials = url darf keine Zugangsdaten enthalten: user und password_env oder password_file setzen
config-offsite-rest-takes-url = kind = "rest" nimmt url an, nicht path
config-offsite-password-needs-user = Ein Passwort braucht user = "NAME"
config-offsite-sftp-needs = kind = "sftp" braucht host, user und path (das Verzeichnis auf dem Server)
config-offsite-sftp-takes = kind = "sftp" nimmt host, port, user, path, key_file und when an (nur Schlüssel-Anmeldung)
config-offsite-s3-needs = kind = "s3" braucht bucket, user (die Zugriffsschlüssel-ID) und password_env oder password_file (den geheimen Schlüssel)
config-offsite-endpoint-credentials = endpoint darf keine Zugangsdaten enthalten
config-offsite-unknown-kind = kind { $kind } ist keiner von "path", "rest", "sftp", "s3"
config-fleet-no-endpoints = fleet.endpoints ist leer: Die Client-Adressen von etcd angeben
config-fleet-endpoint-scheme = fleet.endpoints: { $endpoint } muss mit http:// oder https:// beginnen
config-fleet-endpoint-needs-tls = fleet.endpoints: { $endpoint } nutzt https://, aber [fleet.tls] nennt keine ca_file
config-fleet-bad-name = { $key } { $value } muss aus 1 bis 64 Buchstaben, Ziffern, '-', '_' oder '.' bestehen
config-fleet-max-unavailable-zero = fleet.max_unavailable muss mindestens 1 sein
config-fleet-lease-seconds = fleet.lease_seconds muss zwischen 2 und 300 liegen, nicht { $value }
config-fleet-timeout-zero = fleet.request_timeout_seconds, fleet.instance_timeout_seconds und fleet.wave_timeout_seconds müssen mindestens 1 sein
config-fleet-promotion-name = fleet.promotion: { $group } nach { $after }: Gruppennamen bestehen aus 1 bis 64 Buchstaben, Ziffern, '-', '_' oder '.'
config-fleet-promotion-self = fleet.promotion: { $group } kann nicht auf sich selbst warten
config-fleet-tls-pair = {"["}fleet.tls] braucht cert_file und key_file zusammen oder keines von beiden
config-fleet-auth-incomplete = {"["}fleet.auth] braucht user und password_env
