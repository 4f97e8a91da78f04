// demo-bot's dashboard: a read-only web page and JSON API over the bot's VERSION,
// its health endpoint and its data files. It never writes to the bot's files.
'use strict';

const fs = require('fs');
const path = require('path');
const chalk = require('chalk');
const express = require('express');

const home = path.resolve(process.env.DEMO_BOT_HOME || path.join(__dirname, '..'));
require('dotenv').config({ path: path.join(home, '.env') });

const port = Number(process.env.DASHBOARD_PORT || 8080);
// The bot serves /health only when its config sets bot.health_port; without a URL
// the dashboard says "unknown" rather than guessing.
const healthUrl = process.env.BOT_HEALTH_URL || null;

function readJson(rel, key) {
  const file = path.join(home, rel);
  if (!fs.existsSync(file)) return null;
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (doc.schema !== 1 || !(key in doc)) {
    throw new Error(`${rel} is not a schema 1 file with a "${key}" entry`);
  }
  return doc[key];
}

async function health() {
  if (!healthUrl) return { state: 'unknown', detail: 'BOT_HEALTH_URL is not set' };
  try {
    const res = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
    const body = (await res.text()).trim();
    return { state: res.ok ? 'up' : 'down', detail: `${res.status} ${body}` };
  } catch (err) {
    return { state: 'down', detail: err.cause ? err.cause.message : err.message };
  }
}

async function status() {
  const guilds = readJson('data/guild_settings.json', 'guilds') || {};
  const reminders = readJson('data/reminders.json', 'reminders') || [];
  const now = Date.now();
  return {
    version: fs.readFileSync(path.join(home, 'VERSION'), 'utf8').trim(),
    health: await health(),
    guilds: Object.entries(guilds).map(([id, g]) => ({ id, name: g.name, prefix: g.prefix })),
    reminders: reminders.map((r) => ({ id: r.id, due: r.due, text: r.text, overdue: Date.parse(r.due) <= now })),
  };
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const app = express();

app.get('/api/status', async (req, res, next) => {
  try {
    res.json(await status());
  } catch (err) {
    next(err);
  }
});

app.get('/', async (req, res, next) => {
  try {
    const s = await status();
    const rows = (items, cells) => items.map((i) => `<tr>${cells(i).map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('');
    res.type('html').send(`<!doctype html><meta charset="utf-8"><title>demo-bot ${escape(s.version)}</title>
<h1>demo-bot ${escape(s.version)}</h1>
<p>Health: <b>${escape(s.health.state)}</b> (${escape(s.health.detail)})</p>
<h2>Guilds</h2><table>${rows(s.guilds, (g) => [g.id, g.name, g.prefix ?? 'default'])}</table>
<h2>Reminders</h2><table>${rows(s.reminders, (r) => [r.id, r.due, r.text, r.overdue ? 'overdue' : ''])}</table>`);
  } catch (err) {
    next(err);
  }
});

app.use((err, req, res, next) => {
  console.error(chalk.red(`dashboard: ${err.message}`));
  res.status(500).json({ error: err.message });
});

app.listen(port, '127.0.0.1', () => {
  console.log(chalk.green(`demo-bot dashboard on http://127.0.0.1:${port}/`) + chalk.gray(` (home ${home})`));
});
