-- demo-bot's database schema. bot.py runs this file once, when the database
-- file does not exist yet; later schema changes go in numbered migrations.
PRAGMA user_version = 1;

CREATE TABLE starts (
    id          INTEGER PRIMARY KEY,
    version     TEXT    NOT NULL,
    pid         INTEGER NOT NULL,
    mode        TEXT    NOT NULL CHECK (mode IN ('offline', 'discord')),
    started_at  TEXT    NOT NULL,
    stopped_at  TEXT
);

CREATE TABLE heartbeats (
    id        INTEGER PRIMARY KEY,
    start_id  INTEGER NOT NULL REFERENCES starts(id),
    at        TEXT    NOT NULL
);
CREATE INDEX heartbeats_by_start ON heartbeats(start_id);

CREATE TABLE command_uses (
    id          INTEGER PRIMARY KEY,
    command     TEXT    NOT NULL,
    guild_id    TEXT,
    user_id     TEXT    NOT NULL,
    used_at     TEXT    NOT NULL
);
