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
