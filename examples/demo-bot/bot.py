#!/usr/bin/env python3
"""demo-bot: a small Discord bot that Steward keeps current (see README.md).

Owns reading its config, its SQLite database, the local health endpoint and the
Discord connection. It never changes its own code, dependencies or config file:
that is Steward's job. Offline (no DISCORD_TOKEN) it needs only the standard library.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import math
import os
import signal
import sqlite3
import sys
import threading
import tomllib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parent
log = logging.getLogger("demo-bot")

# The defaults of the template shipped with this version (config.template.toml).
# A config made from an older template may lack newer keys; these fill them.
DEFAULTS: dict[str, dict[str, object]] = {
    "bot": {
        "prefix": "!",
        "status_message": "Serving the community",
        "owner_ids": [],
        "heartbeat_seconds": 30,
        "health_port": 0,
    },
    "database": {"path": "data/bot.sqlite3", "wal": True, "busy_timeout_ms": 5000},
    "logging": {"level": "info", "file": "logs/bot.log", "format": "text"},
    "features": {"welcome_messages": True, "reminders": True, "slash_commands": True},
}
# Keys older templates had that this version ignores (reported, not rejected,
# so an un-merged config still starts).
RETIRED_KEYS = {("features", "legacy_prefix_commands")}
KIND_NAMES = {int: "an integer", str: "a string", bool: "true or false", list: "a list"}
LOG_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class ConfigError(Exception):
    """The config file is missing, unparsable, or holds a value of the wrong shape."""


class DataError(Exception):
    """A data file or the database cannot be read or created."""


@dataclass(frozen=True)
class Config:
    template_version: str | None
    prefix: str
    status_message: str
    owner_ids: list[str]
    heartbeat_seconds: int
    health_port: int
    db_path: Path
    wal: bool
    busy_timeout_ms: int
    log_level: int
    log_file: Path
    log_format: str
    welcome_messages: bool
    reminders: bool
    slash_commands: bool
    retired: list[str]


def read_version() -> str:
    try:
        version = (CODE_DIR / "VERSION").read_text(encoding="utf-8").strip()
    except OSError as e:
        raise DataError(f"cannot read the VERSION file next to bot.py: {e}") from e
    if not version:
        raise DataError(f"{CODE_DIR / 'VERSION'} is empty")
    return version


def _value(raw: dict, section: str, key: str, kind: type) -> object:
    table = raw.get(section, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[{section}] must be a table, found {type(table).__name__}")
    value = table.get(key, DEFAULTS[section][key])
    # bool is a subclass of int in Python; an int key must not accept true/false.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(
            f"{section}.{key} must be {KIND_NAMES[kind]}, found {type(value).__name__} ({value!r})"
        )
    return value


def load_config(path: Path, home: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file not found (copy config.template.toml to config/config.toml)") from None
    except OSError as e:
        raise ConfigError(f"cannot read: {e}") from e
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"not valid TOML: {e}") from e

    template_version = raw.get("template_version")
    if template_version is not None and not isinstance(template_version, str):
        raise ConfigError("template_version must be a string such as \"1.3.0\"")

    owner_ids = _value(raw, "bot", "owner_ids", list)
    if not all(isinstance(o, str) and o.isdigit() for o in owner_ids):
        raise ConfigError("bot.owner_ids must be a list of Discord user ids written as strings of digits")
    heartbeat = _value(raw, "bot", "heartbeat_seconds", int)
    if heartbeat < 1:
        raise ConfigError(f"bot.heartbeat_seconds must be at least 1, found {heartbeat}")
    port = _value(raw, "bot", "health_port", int)
    if not 0 <= port <= 65535:
        raise ConfigError(f"bot.health_port must be 0 (off) or a port 1-65535, found {port}")
    busy = _value(raw, "database", "busy_timeout_ms", int)
    if busy < 0:
        raise ConfigError(f"database.busy_timeout_ms must not be negative, found {busy}")
    level = _value(raw, "logging", "level", str)
    if level not in LOG_LEVELS:
        raise ConfigError(f"logging.level must be one of {', '.join(LOG_LEVELS)}, found {level!r}")
    log_format = _value(raw, "logging", "format", str)
    if log_format not in ("text", "json"):
        raise ConfigError(f"logging.format must be \"text\" or \"json\", found {log_format!r}")

    known = {(s, k) for s, keys in DEFAULTS.items() for k in keys}
    retired = sorted(
        f"{s}.{k}"
        for s, table in raw.items()
        if isinstance(table, dict)
        for k in table
        if (s, k) in RETIRED_KEYS and (s, k) not in known
    )
    return Config(
        template_version=template_version,
        prefix=_value(raw, "bot", "prefix", str),
        status_message=_value(raw, "bot", "status_message", str),
        owner_ids=owner_ids,
        heartbeat_seconds=heartbeat,
        health_port=port,
        db_path=home / _value(raw, "database", "path", str),
        wal=_value(raw, "database", "wal", bool),
        busy_timeout_ms=busy,
        log_level=LOG_LEVELS[level],
        log_file=home / _value(raw, "logging", "file", str),
        log_format=log_format,
        welcome_messages=_value(raw, "features", "welcome_messages", bool),
        reminders=_value(raw, "features", "reminders", bool),
        slash_commands=_value(raw, "features", "slash_commands", bool),
        retired=retired,
    )


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {"at": self.formatTime(record), "level": record.levelname.lower(), "message": record.getMessage()}
        )


def setup_logging(cfg: Config) -> None:
    formatter: logging.Formatter = (
        JsonFormatter() if cfg.log_format == "json" else logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    )
    cfg.log_file.parent.mkdir(parents=True, exist_ok=True)
    # stderr, so stdout carries only the ready line the supervisor watches for.
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr), logging.FileHandler(cfg.log_file, encoding="utf-8")]
    for handler in handlers:
        handler.setFormatter(formatter)
        log.addHandler(handler)
    log.setLevel(cfg.log_level)


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def create_database(path: Path, seed: Path) -> None:
    try:
        script = seed.read_text(encoding="utf-8")
    except OSError as e:
        raise DataError(f"database {path} is missing and its seed {seed} cannot be read: {e}") from e
    path.parent.mkdir(parents=True, exist_ok=True)
    # Build under another name and rename, so a crash never leaves a half-made database.
    tmp = path.with_name(path.name + ".creating")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(script)
        conn.commit()
    except sqlite3.Error as e:
        raise DataError(f"seed {seed} failed: {e}") from e
    finally:
        conn.close()
    os.replace(tmp, path)
    log.info("created database %s from %s", path, seed)


def open_database(cfg: Config, home: Path) -> sqlite3.Connection:
    if not cfg.db_path.exists():
        create_database(cfg.db_path, home / "data" / "seed.sql")
    try:
        # isolation_level=None: every statement commits on its own, so a heartbeat
        # is on disk as soon as it is written.
        conn = sqlite3.connect(cfg.db_path, timeout=cfg.busy_timeout_ms / 1000, isolation_level=None)
        mode = conn.execute(f"PRAGMA journal_mode={'WAL' if cfg.wal else 'DELETE'}").fetchone()[0]
        schema = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as e:
        raise DataError(f"cannot open database {cfg.db_path}: {e}") from e
    if schema != 1:
        raise DataError(f"database {cfg.db_path} has schema version {schema}; this bot knows version 1")
    log.info("database %s open (journal_mode=%s)", cfg.db_path, mode)
    return conn


def load_json(path: Path, top_key: str) -> object:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as e:
        raise DataError(f"cannot read {path}: {e}") from e
    if not isinstance(doc, dict) or doc.get("schema") != 1 or top_key not in doc:
        raise DataError(f"{path} is not a schema 1 file with a {top_key!r} entry")
    return doc[top_key]


def load_data(cfg: Config, home: Path) -> None:
    guilds = load_json(home / "data" / "guild_settings.json", "guilds")
    if not isinstance(guilds, (dict, type(None))):
        raise DataError("data/guild_settings.json: 'guilds' must be an object keyed by guild id")
    log.info("guild settings: %d guilds", len(guilds or {}))
    if not cfg.reminders:
        log.info("reminders are turned off in the config")
        return
    reminders = load_json(home / "data" / "reminders.json", "reminders")
    if not isinstance(reminders, (list, type(None))):
        raise DataError("data/reminders.json: 'reminders' must be a list")
    overdue = 0
    for r in reminders or []:
        try:
            due = dt.datetime.fromisoformat(r["due"].replace("Z", "+00:00"))
        except (TypeError, KeyError, ValueError, AttributeError) as e:
            raise DataError(f"data/reminders.json: reminder {r!r} has no valid 'due' time ({e})") from e
        overdue += due <= dt.datetime.now(dt.timezone.utc)
    log.info("reminders: %d loaded, %d overdue", len(reminders or []), overdue)


def template_note(cfg: Config) -> None:
    """Says when the operator's config was made from an older template than the one shipped."""
    try:
        shipped = tomllib.loads((CODE_DIR / "config.template.toml").read_text(encoding="utf-8")).get("template_version")
    except (OSError, tomllib.TOMLDecodeError):
        return
    if shipped and cfg.template_version and cfg.template_version != shipped:
        log.info("config was made from template %s; this version ships template %s", cfg.template_version, shipped)
    for key in cfg.retired:
        log.warning("config key %s is no longer used by this version and is ignored", key)


class Bot:
    """The running bot's state shared by the heartbeat, the health endpoint and Discord."""

    def __init__(self, cfg: Config, version: str, db: sqlite3.Connection, mode: str) -> None:
        self.cfg, self.version, self.db = cfg, version, db
        self.ready = threading.Event()
        self.lock = threading.Lock()
        self.start_id = db.execute(
            "INSERT INTO starts (version, pid, mode, started_at) VALUES (?, ?, ?, ?)",
            (version, os.getpid(), mode, now()),
        ).lastrowid

    def announce_ready(self) -> None:
        self.ready.set()
        print(f"demo-bot ready version={self.version}", flush=True)
        # Steward's blue-green handoff ([bot] handoff = "ready-file"): this
        # process was started beside the old one, which drains once this
        # file exists.
        ready_file = os.environ.get("STEWARD_READY_FILE")
        if ready_file:
            Path(ready_file).write_text(str(os.getpid()))

    def heartbeat(self) -> None:
        with self.lock:
            self.db.execute("INSERT INTO heartbeats (start_id, at) VALUES (?, ?)", (self.start_id, now()))
        log.debug("heartbeat")

    def record_command(self, command: str, guild_id: str | None, user_id: str) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO command_uses (command, guild_id, user_id, used_at) VALUES (?, ?, ?, ?)",
                (command, guild_id, user_id, now()),
            )

    def stopped(self) -> None:
        with self.lock:
            self.db.execute("UPDATE starts SET stopped_at = ? WHERE id = ?", (now(), self.start_id))
            self.db.close()


def serve_health(bot: Bot) -> ThreadingHTTPServer | None:
    if bot.cfg.health_port == 0:
        return None

    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path != "/health":
                self._answer(404, "not found")
            elif bot.ready.is_set():
                self._answer(200, f"ok {bot.version}")
            else:
                self._answer(503, f"starting {bot.version}")

        def _answer(self, status: int, body: str) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt: str, *args: object) -> None:
            log.debug("health: " + fmt, *args)

    try:
        server = ThreadingHTTPServer(("127.0.0.1", bot.cfg.health_port), Health)
    except OSError as e:
        raise DataError(f"cannot serve the health endpoint on 127.0.0.1:{bot.cfg.health_port}: {e}") from e
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    log.info("health endpoint on http://127.0.0.1:%d/health", bot.cfg.health_port)
    return server


def run_offline(bot: Bot) -> None:
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    bot.announce_ready()
    while not stop.wait(bot.cfg.heartbeat_seconds):
        bot.heartbeat()


def run_discord(bot: Bot, token: str) -> None:
    import discord
    from discord import app_commands

    class DemoBot(discord.Client):
        def __init__(self) -> None:
            super().__init__(intents=discord.Intents.default(), activity=discord.Game(name=bot.cfg.status_message))
            self.tree = app_commands.CommandTree(self)

        async def setup_hook(self) -> None:
            if bot.cfg.slash_commands:
                synced = await self.tree.sync()
                log.info("registered %d slash commands", len(synced))
            # Kept on the client: the event loop holds tasks only weakly.
            self.heartbeat_task = asyncio.create_task(self.heartbeats())

        async def heartbeats(self) -> None:
            while not self.is_closed():
                await asyncio.sleep(bot.cfg.heartbeat_seconds)
                bot.heartbeat()

        async def on_ready(self) -> None:
            log.info("connected to Discord as %s in %d guilds", self.user, len(self.guilds))
            if not bot.ready.is_set():
                bot.announce_ready()

    client = DemoBot()
    if bot.cfg.slash_commands:

        @client.tree.command(name="ping", description="Check that demo-bot is up")
        async def ping(interaction: discord.Interaction) -> None:
            bot.record_command("ping", str(interaction.guild_id) if interaction.guild_id else None, str(interaction.user.id))
            # latency is NaN until the first gateway heartbeat has been answered.
            latency = f"{client.latency * 1000:.0f} ms" if math.isfinite(client.latency) else "not measured yet"
            await interaction.response.send_message(f"pong - demo-bot {bot.version}, gateway latency {latency}")

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def on_signal(sig: signal.Signals) -> None:
            log.info("received %s, stopping", sig.name)
            closing.append(loop.create_task(client.close()))

        closing: list[asyncio.Task] = []
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, on_signal, sig)
        async with client:
            await client.start(token)

    try:
        asyncio.run(main())
    except discord.LoginFailure as e:
        raise DataError(f"Discord refused DISCORD_TOKEN: {e}") from e
    except OSError as e:  # aiohttp's connection errors are OSErrors
        raise DataError(f"cannot reach Discord: {e}") from e


def discord_available(token: str | None) -> bool:
    if not token:
        log.info("DISCORD_TOKEN is not set: running offline")
        return False
    try:
        import discord  # noqa: F401
    except ImportError:
        log.warning("DISCORD_TOKEN is set but discord.py is not installed (pip install -r requirements.txt): running offline")
        return False
    log.info("DISCORD_TOKEN is set: connecting to Discord")
    return True


def load_dotenv_if_installed(home: Path) -> None:
    try:
        from dotenv import load_dotenv
    except ImportError:
        return
    load_dotenv(home / ".env")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="demo-bot, a small Discord bot managed by Steward")
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("DEMO_BOT_HOME", CODE_DIR)),
                        help="directory holding config/, data/ and logs/ (default: $DEMO_BOT_HOME or bot.py's directory)")
    parser.add_argument("--config", type=Path, help="config file (default: HOME/config/config.toml)")
    parser.add_argument("--check-config", action="store_true", help="validate the config and exit")
    args = parser.parse_args(argv)
    home = args.home.resolve()
    config_path = args.config or home / "config" / "config.toml"

    try:
        cfg = load_config(config_path, home)
    except ConfigError as e:
        print(f"demo-bot: config error in {config_path}: {e}", file=sys.stderr)
        return 2
    if args.check_config:
        print(f"demo-bot: {config_path} is valid")
        return 0

    try:
        version = read_version()
        setup_logging(cfg)
        log.info("demo-bot %s starting (home %s)", version, home)
        template_note(cfg)
        load_data(cfg, home)
        db = open_database(cfg, home)
        load_dotenv_if_installed(home)
        token = os.environ.get("DISCORD_TOKEN")
        online = discord_available(token)
        bot = Bot(cfg, version, db, "discord" if online else "offline")
        server = None
        try:
            server = serve_health(bot)
            if online:
                run_discord(bot, token)
            else:
                run_offline(bot)
        finally:
            if server:
                server.shutdown()
                server.server_close()
            bot.stopped()
    except (DataError, OSError, sqlite3.Error) as e:
        # Into the log file for the record; on stderr once, in the same form as config errors.
        for handler in [h for h in log.handlers if not isinstance(h, logging.FileHandler)]:
            log.removeHandler(handler)
        log.error("%s", e)
        print(f"demo-bot: {e}", file=sys.stderr)
        return 1
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
