#!/usr/bin/env bash
# Steward's restic-format backups (`[backup] format = "restic"`) side by side
# with restic itself on one generated bot tree (SIZE_MB, default ~500 MB: a
# SQLite database in WAL mode, thousands of small JSON files, incompressible
# blobs). Each tool has its own repository; the order alternates every run.
#   first backup             (fresh repository)
#   unchanged re-run
#   re-run after changing 1% of the files (and a few database rows)
#   repository size after 10 backups with 1% changed before each, vs one
#   restore throughput       (steward backup restore vs restic restore)
#   peak RSS of backup and restore (the highest of all runs)
# Medians over RUNS runs (peak RSS: the highest).
#
# Usage: scripts/measure-restic.sh [RUNS] [SIZE_MB]   (builds nothing: run
# `cargo build --release -p steward` first, or set STEWARD=/path/to/steward;
# needs restic and python3). ONLY=restore measures the restore alone: one
# backup by each tool, then RUNS restores of it by each, alternating, onto
# the unchanged tree (Steward in place, restic into an empty directory),
# and RUNS restores onto the tree with 1% of its files changed (and rows
# added to the database: the rollback after a failed update), both in
# place (restic with `--target /`, over the files it backed up), and RUNS
# restores into an emptied bot root (Steward) against restic's into an
# empty directory: the same work, unpacking every file.
# STEWARD_BEFORE=/path/to/another/steward adds that build's restore beside
# them (the same repository and snapshot), to compare two builds.
# JSON_FILES sets how many small JSON files the tree holds (default 20,000
# at 500 MB, scaled with SIZE_MB), to show the per-file cost on a small tree.
set -euo pipefail

RUNS=${1:-3}
SIZE_MB=${2:-500}
HERE=$(cd "$(dirname "$0")/.." && pwd)
STEWARD=${STEWARD:-$HERE/target/release/steward}
[ -x "$STEWARD" ] || { echo "no steward binary at $STEWARD (cargo build --release -p steward)" >&2; exit 1; }
command -v restic >/dev/null || { echo "restic is needed (apt-get install restic)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed to generate the data" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed for peak RSS (apt-get install time)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/measure-restic.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
BOT=$WORK/bot
mkdir -p "$BOT"
export STEWARD_BACKUP_PASSWORD=measure-restic-password
export RESTIC_PASSWORD=$STEWARD_BACKUP_PASSWORD
RESTIC_REPO=$WORK/restic-repo
STEWARD_REPO=$WORK/steward-repo

echo "generating ~$SIZE_MB MB of bot data in $BOT ..."
python3 - "$BOT" "$SIZE_MB" <<'PY'
import os, random, sqlite3, sys
root, size_mb = sys.argv[1], int(sys.argv[2])
scale = size_mb / 500
rnd = random.Random(17)
words = "guild member reminder channel role message welcome ping heartbeat config token prefix owner status reaction emoji voice thread moderation warning ban kick mute level xp rank economy coin shop item inventory".split()
def text(n):
    return " ".join(rnd.choice(words) for _ in range(n))
os.makedirs(f"{root}/data/guilds", exist_ok=True)
os.makedirs(f"{root}/data/media", exist_ok=True)
os.makedirs(f"{root}/config", exist_ok=True)
with open(f"{root}/config/config.toml", "w") as f:
    f.write('[bot]\nprefix = "!"\n')
with open(f"{root}/bot.py", "w") as f:
    f.write("print('bot')\n" * 200)
# One SQLite database (~200 MB at 500), in WAL mode like a live bot.
db = sqlite3.connect(f"{root}/data/bot.sqlite3")
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, guild TEXT, user TEXT, at TEXT, body TEXT)")
db.executemany("INSERT INTO events (guild, user, at, body) VALUES (?, ?, ?, ?)",
               ((str(rnd.randrange(10**17, 10**18)), str(rnd.randrange(10**17, 10**18)),
                 f"2024-{rnd.randrange(1,13):02}-{rnd.randrange(1,29):02}T12:00:00Z", text(30))
                for _ in range(int(900_000 * scale))))
db.commit()
db.close()
# Thousands of small JSON files (~100 MB at 500).
for g in range(int(os.environ.get("JSON_FILES") or 20_000 * scale)):
    with open(f"{root}/data/guilds/{g}.json", "w") as f:
        f.write('{"guild": %d, "welcome": "%s", "notes": "%s"}\n' % (g, text(40), text(rnd.randrange(100, 1200))))
# Incompressible blobs (~200 MB at 500).
for i in range(8):
    with open(f"{root}/data/media/clip{i}.bin", "wb") as f:
        f.write(os.urandom(int(25 * 1024 * 1024 * scale)))
PY
DATA_BYTES=$(du -sb "$BOT" | cut -f1)
FILES=$(find "$BOT" -type f | wc -l)
echo "data: $((DATA_BYTES / 1024 / 1024)) MiB in $FILES files"

# Changes 1% of the files (rewritten JSON files, one rewritten blob slice)
# and adds database rows; `seed` makes each change different.
change_one_percent() {
    python3 - "$BOT" "$1" <<'PY'
import os, random, sqlite3, sys
root, seed = sys.argv[1], int(sys.argv[2])
rnd = random.Random(seed)
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs
               if not f.startswith("bot.sqlite3") and ".steward-restore-" not in d)
for path in rnd.sample(files, max(1, len(files) // 100)):
    if path.endswith(".bin"):
        with open(path, "r+b") as f:
            f.seek(rnd.randrange(0, max(1, os.path.getsize(path) - 65536)))
            f.write(os.urandom(65536))
    else:
        with open(path, "w") as f:
            f.write('{"changed": %d, "notes": "%s"}\n' % (seed, "x" * rnd.randrange(100, 4000)))
db = sqlite3.connect(os.path.join(root, "data/bot.sqlite3"))
db.executemany("INSERT INTO events (guild, user, at, body) VALUES (?, ?, ?, ?)",
               (("1", "2", "2025-01-01T00:00:00Z", f"changed {seed} {i}") for i in range(1000)))
db.commit()
db.close()
PY
}

write_config() {
    cat > "$WORK/steward.toml" <<EOF
[bot]
root = "bot"
[paths]
data = "steward-data"
[backup]
format = "restic"
backup_path = "steward-repo"
auto_cleanup = false
verify_backups = false
max_backups = 50
[safety]
min_disk_space_mb = 64
EOF
}
write_config

# Runs a command, prints "seconds peak_rss_kib".
measure() {
    /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$@" >/dev/null 2>"$WORK/err.out" || { cat "$WORK/err.out" >&2; return 1; }
    cat "$WORK/time.out"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
m() { printf '%s\n' "$@" | median; }
top() { printf '%s\n' "$@" | sort -n | tail -1; }
# KiB as "N MiB (N MB)": the goal is set in MB.
kib() { python3 -c "print(f'{$1/1024:.0f} MiB ({$1*1024/1e6:.0f} MB)')"; }
ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
mib() { python3 -c "print(f'{$1/1048576:.1f}')"; }

s_backup() { measure "$STEWARD" --config "$WORK/steward.toml" backup create --type full --json; }
r_backup() { measure restic -r "$RESTIC_REPO" --cache-dir "$WORK/restic-cache" backup --host measure "$BOT"; }
fresh() {
    rm -rf "$STEWARD_REPO" "$WORK/steward-data" "$RESTIC_REPO" "$WORK/restic-cache" "$BOT"/.steward-restore-*
    restic -r "$RESTIC_REPO" init >/dev/null
}
repo_size() { du -sb "$1" | cut -f1; }

# Warm the page cache so both tools read from memory alike.
cat $(find "$BOT" -type f) >/dev/null

declare -a S_FIRST R_FIRST S_SAME R_SAME S_CHANGED R_CHANGED S_RSS R_RSS
declare -a S_RESTORE R_RESTORE S_RRSS R_RRSS B_RESTORE S_ONTO R_ONTO S_ORSS R_ORSS S_EMPTY S_ERSS R_EMPTY R_ERSS

# Restores the snapshot ID by each tool of ORDER (`b`: STEWARD_BEFORE).
restores() {
    for tool in $1; do
        case $tool in
        s|b)
            bin=$STEWARD; [ "$tool" = b ] && bin=$STEWARD_BEFORE
            read -r t rss < <(measure "$bin" --config "$WORK/steward.toml" backup restore "$ID" --yes --no-verify --json)
            if [ "$tool" = s ]; then S_RESTORE+=("$t"); S_RRSS+=("$rss"); else B_RESTORE+=("$t"); fi
            ;;
        r)
            rm -rf "$WORK/restic-out"
            read -r t rss < <(measure restic -r "$RESTIC_REPO" --cache-dir "$WORK/restic-cache" restore latest --target "$WORK/restic-out")
            R_RESTORE+=("$t"); R_RRSS+=("$rss")
            rm -rf "$WORK/restic-out"
            ;;
        esac
    done
}
# Changes 1% of the tree, then restores the snapshot ID onto it in place,
# by each tool of ORDER.
restores_onto_changed() {
    for tool in $1; do
        change_one_percent "$SEED"; SEED=$((SEED + 1))
        case $tool in
        s)
            read -r t rss < <(measure "$STEWARD" --config "$WORK/steward.toml" backup restore "$ID" --yes --no-verify --json)
            S_ONTO+=("$t"); S_ORSS+=("$rss")
            ;;
        r)
            read -r t rss < <(measure restic -r "$RESTIC_REPO" --cache-dir "$WORK/restic-cache" restore latest --target /)
            R_ONTO+=("$t"); R_ORSS+=("$rss")
            ;;
        esac
    done
}
# Steward's restore into the bot's root emptied first, and restic's into
# an empty directory, in ORDER.
restores_into_empty() {
    for tool in $1; do
        case $tool in
        s)
            find "$BOT" -mindepth 1 -delete
            read -r t rss < <(measure "$STEWARD" --config "$WORK/steward.toml" backup restore "$ID" --yes --no-verify --json)
            S_EMPTY+=("$t"); S_ERSS+=("$rss")
            ;;
        r)
            rm -rf "$WORK/restic-out"
            read -r t rss < <(measure restic -r "$RESTIC_REPO" --cache-dir "$WORK/restic-cache" restore latest --target "$WORK/restic-out")
            R_EMPTY+=("$t"); R_ERSS+=("$rss")
            rm -rf "$WORK/restic-out"
            ;;
        esac
    done
}
latest_id() {
    "$STEWARD" --config "$WORK/steward.toml" backup list --json --limit 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["backups"][0]["id"])'
}

if [ "${ONLY:-}" = restore ]; then
    fresh
    s_backup >/dev/null; r_backup >/dev/null
    ID=$(latest_id)
    SEED=100
    for run in $(seq "$RUNS"); do
        echo "run $run/$RUNS"
        tools="s r"; [ -n "${STEWARD_BEFORE:-}" ] && tools="s b r"
        order=$tools; [ $((run % 2)) -eq 0 ] && order=$(echo "$tools" | rev)
        restores "$order"
        order="s r"; [ $((run % 2)) -eq 0 ] && order="r s"
        restores_onto_changed "$order"
        restores_into_empty "$order"
    done
    MIB=$((DATA_BYTES / 1024 / 1024))
    SR=$(m "${S_RESTORE[@]}"); RR=$(m "${R_RESTORE[@]}")
    echo
    echo "== restore of $MIB MiB in $FILES files, $(nproc) cores, medians of $RUNS runs =="
    printf '%-24s %8s s  %s MiB/s  (runs: %s)\n' "steward" "$SR" "$(python3 -c "print(f'{$MIB/$SR:.0f}')")" "${S_RESTORE[*]}"
    if [ -n "${STEWARD_BEFORE:-}" ]; then
        BR=$(m "${B_RESTORE[@]}")
        printf '%-24s %8s s  %s MiB/s  (runs: %s)\n' "steward (before)" "$BR" "$(python3 -c "print(f'{$MIB/$BR:.0f}')")" "${B_RESTORE[*]}"
    fi
    printf '%-24s %8s s  %s MiB/s  (runs: %s)\n' "restic" "$RR" "$(python3 -c "print(f'{$MIB/$RR:.0f}')")" "${R_RESTORE[*]}"
    printf '%-24s %s / %s (steward / restic)\n' "peak RSS, restore" "$(kib "$(top "${S_RRSS[@]}")")" "$(kib "$(top "${R_RRSS[@]}")")"
    SO=$(m "${S_ONTO[@]}"); RO=$(m "${R_ONTO[@]}")
    echo "== restore in place onto the tree with 1% of its files changed =="
    printf '%-24s %8s s  (runs: %s)\n' "steward" "$SO" "${S_ONTO[*]}"
    printf '%-24s %8s s  (runs: %s)\n' "restic --target /" "$RO" "${R_ONTO[*]}"
    printf '%-24s %s / %s (steward / restic)\n' "peak RSS, restore" "$(kib "$(top "${S_ORSS[@]}")")" "$(kib "$(top "${R_ORSS[@]}")")"
    SE=$(m "${S_EMPTY[@]}"); RE=$(m "${R_EMPTY[@]}")
    echo "== restore into an empty root (steward) / an empty directory (restic) =="
    printf '%-24s %8s s  %s MiB/s  (runs: %s)\n' "steward" "$SE" "$(python3 -c "print(f'{$MIB/$SE:.0f}')")" "${S_EMPTY[*]}"
    printf '%-24s %8s s  %s MiB/s  (runs: %s)\n' "restic" "$RE" "$(python3 -c "print(f'{$MIB/$RE:.0f}')")" "${R_EMPTY[*]}"
    printf '%-24s %s / %s (steward / restic)\n' "peak RSS, restore" "$(kib "$(top "${S_ERSS[@]}")")" "$(kib "$(top "${R_ERSS[@]}")")"
    exit 0
fi

SEED=1
for run in $(seq "$RUNS"); do
    echo "run $run/$RUNS"
    fresh
    # Alternate which tool goes first.
    if [ $((run % 2)) -eq 1 ]; then order="s r"; else order="r s"; fi
    for step in first same changed; do
        if [ "$step" = changed ]; then change_one_percent "$SEED"; SEED=$((SEED + 1)); fi
        for tool in $order; do
            if [ "$tool" = s ]; then
                read -r t rss < <(s_backup)
                case $step in first) S_FIRST+=("$t");; same) S_SAME+=("$t");; changed) S_CHANGED+=("$t");; esac
                S_RSS+=("$rss")
            else
                read -r t rss < <(r_backup)
                case $step in first) R_FIRST+=("$t");; same) R_SAME+=("$t");; changed) R_CHANGED+=("$t");; esac
                R_RSS+=("$rss")
            fi
        done
    done
    # Restore the latest snapshot: Steward in place (through its staging
    # and swap), restic into an empty directory.
    ID=$(latest_id)
    restores "$order"
done

# Ten backups with 1% changed before each (after the last run's three).
echo "size after 10 backups ..."
fresh
s_backup >/dev/null; r_backup >/dev/null
S_ONE=$(repo_size "$STEWARD_REPO"); R_ONE=$(repo_size "$RESTIC_REPO")
for i in $(seq 2 10); do
    change_one_percent "$((1000 + i))"
    s_backup >/dev/null; r_backup >/dev/null
done
S_TEN=$(repo_size "$STEWARD_REPO"); R_TEN=$(repo_size "$RESTIC_REPO")

MIB=$((DATA_BYTES / 1024 / 1024))
SF=$(m "${S_FIRST[@]}"); RF=$(m "${R_FIRST[@]}")
SS=$(m "${S_SAME[@]}"); RS=$(m "${R_SAME[@]}")
SC=$(m "${S_CHANGED[@]}"); RC=$(m "${R_CHANGED[@]}")
SR=$(m "${S_RESTORE[@]}"); RR=$(m "${R_RESTORE[@]}")
echo
echo "== $MIB MiB in $FILES files, $(nproc) cores, medians of $RUNS runs (steward / restic) =="
printf '%-40s %8s s  %8s s   %sx restic\n' "first backup" "$SF" "$RF" "$(ratio "$SF" "$RF")"
printf '%-40s %8s s  %8s s   %sx restic\n' "unchanged re-run" "$SS" "$RS" "$(ratio "$SS" "$RS")"
printf '%-40s %8s s  %8s s   %sx restic; %sx steward unchanged\n' "re-run after 1% changed" "$SC" "$RC" "$(ratio "$SC" "$RC")" "$(ratio "$SC" "$SS")"
printf '%-40s %8s MiB %6s MiB\n' "repository after 1 backup" "$(mib "$S_ONE")" "$(mib "$R_ONE")"
printf '%-40s %8s MiB %6s MiB   steward %sx its one-backup size\n' "repository after 10 (1% changed each)" "$(mib "$S_TEN")" "$(mib "$R_TEN")" "$(ratio "$S_TEN" "$S_ONE")"
printf '%-40s %8s s  %8s s   %s / %s MiB/s\n' "restore" "$SR" "$RR" "$(python3 -c "print(f'{$MIB/$SR:.0f}')")" "$(python3 -c "print(f'{$MIB/$RR:.0f}')")"
# The highest of every run (first backups, re-runs, restores): a bound.
printf '%-40s %s / %s\n' "peak RSS, backup (highest)" "$(kib "$(top "${S_RSS[@]}")")" "$(kib "$(top "${R_RSS[@]}")")"
printf '%-40s %s / %s\n' "peak RSS, restore (highest)" "$(kib "$(top "${S_RRSS[@]}")")" "$(kib "$(top "${R_RRSS[@]}")")"
