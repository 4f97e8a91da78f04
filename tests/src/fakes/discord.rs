//! A fake Discord on 127.0.0.1: the REST API under `/api/v10/...` (gateway
//! URL, application info, command registration, interaction callbacks,
//! webhook followups and `@original` edits, channel messages), recording
//! every request, and a gateway websocket (HELLO, IDENTIFY -> READY,
//! heartbeats -> ACK) into which a test injects INTERACTION_CREATE events
//! shaped as serenity 0.12.5 requires. It never reaches the network.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Frame;

/// The application the fake pretends Steward is.
pub const APP_ID: u64 = 900_000_000_000_000_001;
/// The bot user.
pub const BOT_ID: u64 = 900_000_000_000_000_002;
/// The application's owner (the Discord account that made the bot).
pub const OWNER_ID: u64 = 100_000_000_000_000_001;
pub const GUILD_ID: u64 = 700_000_000_000_000_001;
pub const CHANNEL_ID: u64 = 710_000_000_000_000_001;
/// Direct message channels are this plus the user's id modulo a million.
pub const DM_CHANNEL_BASE: u64 = 720_000_000_000_000_000;
/// What `member.permissions` says for a member with Administrator.
pub const ADMINISTRATOR: u64 = 1 << 3;
/// Ordinary member permissions (view channel, send messages, use commands).
pub const EVERYONE: u64 = (1 << 10) | (1 << 11) | (1 << 31);

/// One REST request as Steward sent it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Without the query.
    pub path: String,
    pub query: String,
    /// The JSON body (`Null` when empty or not JSON).
    pub body: Value,
    /// The body as sent (multipart uploads, which `body` cannot show).
    pub raw: Vec<u8>,
}

/// A guild member who sends interactions.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: u64,
    pub name: String,
    pub roles: Vec<u64>,
    pub permissions: u64,
}

impl Member {
    pub fn new(id: u64, name: &str) -> Member {
        Member {
            id,
            name: name.to_string(),
            roles: Vec::new(),
            permissions: EVERYONE,
        }
    }

    /// The application's owner, as a plain member of the guild.
    pub fn owner() -> Member {
        Member::new(OWNER_ID, "owner")
    }

    pub fn roles(mut self, roles: &[u64]) -> Member {
        self.roles = roles.to_vec();
        self
    }

    pub fn permissions(mut self, bits: u64) -> Member {
        self.permissions = bits;
        self
    }

    fn user_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": null,
        })
    }

    fn member_json(&self) -> Value {
        json!({
            "user": self.user_json(),
            "nick": null,
            "avatar": null,
            "roles": self.roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
            "joined_at": "2024-01-01T00:00:00.000000+00:00",
            "premium_since": null,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "pending": false,
            "permissions": self.permissions.to_string(),
            "communication_disabled_until": null,
        })
    }
}

/// A slash command option as Discord sends it.
#[derive(Debug, Clone)]
pub struct Opt {
    name: String,
    kind: u8,
    value: Value,
    focused: bool,
}

impl Opt {
    pub fn integer(name: &str, value: i64) -> Opt {
        Opt {
            name: name.into(),
            kind: 4,
            value: json!(value),
            focused: false,
        }
    }
    pub fn boolean(name: &str, value: bool) -> Opt {
        Opt {
            name: name.into(),
            kind: 5,
            value: json!(value),
            focused: false,
        }
    }
    pub fn string(name: &str, value: &str) -> Opt {
        Opt {
            name: name.into(),
            kind: 3,
            value: json!(value),
            focused: false,
        }
    }
    /// The option being typed in an autocomplete interaction.
    pub fn focused(mut self) -> Opt {
        self.focused = true;
        self
    }

    fn json(&self) -> Value {
        let mut v = json!({"name": self.name, "type": self.kind, "value": self.value});
        if self.focused {
            v["focused"] = json!(true);
        }
        v
    }
}

#[derive(Default)]
struct Shared {
    requests: Vec<Request>,
    /// Registered commands by name (the last PUT wins).
    commands: BTreeMap<String, Value>,
    identified: bool,
    heartbeats: usize,
    /// How long an edit that shows buttons waits for its answer: see
    /// [`FakeDiscord::answer_button_edits_after`].
    button_edit_delay: Duration,
    /// How long a channel message that shows buttons waits for its answer:
    /// see [`FakeDiscord::answer_button_messages_after`].
    button_message_delay: Duration,
}

struct Inner {
    shared: Mutex<Shared>,
    changed: Condvar,
    /// Senders into the connected gateway sessions.
    sessions: Mutex<Vec<mpsc::UnboundedSender<String>>>,
    ids: AtomicU64,
    seq: AtomicU64,
    gateway: SocketAddr,
}

impl Inner {
    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::SeqCst)
    }

    fn update(&self, f: impl FnOnce(&mut Shared)) {
        f(&mut self.shared.lock().unwrap());
        self.changed.notify_all();
    }
}

/// A running fake. Dropping it stops both servers.
pub struct FakeDiscord {
    rest: SocketAddr,
    inner: Arc<Inner>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeDiscord {
    pub fn start() -> FakeDiscord {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("fake Discord runtime");
            runtime.block_on(async move {
                let rest = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let gateway = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let inner = Arc::new(Inner {
                    shared: Mutex::new(Shared::default()),
                    changed: Condvar::new(),
                    sessions: Mutex::new(Vec::new()),
                    ids: AtomicU64::new(800_000_000_000_000_000),
                    seq: AtomicU64::new(1),
                    gateway: gateway.local_addr().unwrap(),
                });
                ready_tx
                    .send((rest.local_addr().unwrap(), inner.clone()))
                    .unwrap();
                let gateway_inner = inner.clone();
                tokio::spawn(async move {
                    while let Ok((stream, _)) = gateway.accept().await {
                        tokio::spawn(session(stream, gateway_inner.clone()));
                    }
                });
                let router = Router::new().fallback(rest_api).with_state(inner);
                axum::serve(rest, router)
                    .with_graceful_shutdown(async {
                        let _ = stop.await;
                    })
                    .await
                    .expect("fake Discord REST");
            });
        });
        let (rest, inner) = ready_rx.recv().expect("the fake Discord did not start");
        FakeDiscord {
            rest,
            inner,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// For `discord.api_base`.
    pub fn api_base(&self) -> String {
        format!("http://{}", self.rest)
    }

    /// Every REST request so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.inner.shared.lock().unwrap().requests.clone()
    }

    /// The commands as last registered, by name.
    pub fn commands(&self) -> BTreeMap<String, Value> {
        self.inner.shared.lock().unwrap().commands.clone()
    }

    /// Waits until `done` holds for the recorded state, or panics after
    /// `timeout` with what was recorded.
    fn wait(&self, timeout: Duration, what: &str, done: impl Fn(&Shared) -> bool) {
        let deadline = Instant::now() + timeout;
        let mut shared = self.inner.shared.lock().unwrap();
        while !done(&shared) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let requests = format!("{:#?}", shared.requests);
                // Unlocked first: a lock poisoned by this panic would make
                // the fake's own threads panic too, burying this message.
                drop(shared);
                panic!("timed out waiting for {what}; requests so far:\n{requests}");
            }
            shared = self.inner.changed.wait_timeout(shared, left).unwrap().0;
        }
    }

    /// Waits for a gateway session to identify and for the commands to be
    /// registered: from then on Steward answers interactions.
    pub fn wait_until_ready(&self, timeout: Duration) {
        self.wait(timeout, "IDENTIFY and command registration", |s| {
            s.identified && !s.commands.is_empty()
        });
    }

    /// Waits for the first request after `after` (an index into
    /// `requests()`) that `matches`, and returns it.
    pub fn wait_for(
        &self,
        after: usize,
        timeout: Duration,
        what: &str,
        matches: impl Fn(&Request) -> bool,
    ) -> Request {
        self.wait(timeout, what, |s| {
            s.requests.iter().skip(after).any(&matches)
        });
        let shared = self.inner.shared.lock().unwrap();
        shared
            .requests
            .iter()
            .skip(after)
            .find(|r| matches(r))
            .cloned()
            .unwrap()
    }

    /// From now on an edit that shows buttons is recorded at once but
    /// answered only after `delay`, as a busy Discord may: the message is
    /// already on screen, and a press can reach the bot through the gateway
    /// before the answer to its edit does.
    pub fn answer_button_edits_after(&self, delay: Duration) {
        self.inner.update(|s| s.button_edit_delay = delay);
    }

    /// From now on a channel message that shows buttons (a grant notice) is
    /// recorded at once but answered only after `delay`: the bot is still
    /// waiting for the answer when a test that saw the message acts on it.
    pub fn answer_button_messages_after(&self, delay: Duration) {
        self.inner.update(|s| s.button_message_delay = delay);
    }

    /// Whether a gateway session is connected and identified.
    pub fn identified(&self) -> bool {
        self.inner.shared.lock().unwrap().identified
    }

    /// Sends a slash command invocation from `member` in the test guild;
    /// returns the interaction's token (which names its reply's URLs).
    pub fn slash_command(&self, name: &str, member: &Member, options: &[Opt]) -> String {
        self.command_interaction(2, name, member, options, "en-US")
    }

    /// Like `slash_command`, from a user whose Discord speaks `locale`
    /// (the guild's stays en-US).
    pub fn slash_command_in(
        &self,
        locale: &str,
        name: &str,
        member: &Member,
        options: &[Opt],
    ) -> String {
        self.command_interaction(2, name, member, options, locale)
    }

    /// Sends an autocomplete interaction (one option `focused`).
    pub fn autocomplete(&self, name: &str, member: &Member, options: &[Opt]) -> String {
        self.command_interaction(4, name, member, options, "en-US")
    }

    fn command_interaction(
        &self,
        kind: u8,
        name: &str,
        member: &Member,
        options: &[Opt],
        locale: &str,
    ) -> String {
        let id = self.inner.next_id();
        let token = format!("token-{id}");
        let command_id = self
            .commands()
            .get(name)
            .and_then(|c| c["id"].as_str().map(str::to_string))
            .unwrap_or_else(|| self.inner.next_id().to_string());
        let mut interaction = base_interaction(id, &token, kind, member);
        interaction["locale"] = json!(locale);
        interaction["data"] = json!({
            "id": command_id,
            "name": name,
            "type": 1,
            "options": options.iter().map(Opt::json).collect::<Vec<_>>(),
            "guild_id": GUILD_ID.to_string(),
        });
        self.dispatch("INTERACTION_CREATE", interaction);
        token
    }

    /// Presses the button `custom_id` as `member` (Steward matches presses
    /// by custom id, which names the prompt); returns the press's own token.
    pub fn press_button(&self, custom_id: &str, member: &Member) -> String {
        self.press_button_in("en-US", custom_id, member)
    }

    /// Like `press_button`, from a user whose Discord speaks `locale`.
    pub fn press_button_in(&self, locale: &str, custom_id: &str, member: &Member) -> String {
        let id = self.inner.next_id();
        let token = format!("token-{id}");
        let mut interaction = base_interaction(id, &token, 3, member);
        interaction["locale"] = json!(locale);
        interaction["data"] = json!({"custom_id": custom_id, "component_type": 2});
        interaction["message"] = message_json(self.inner.next_id(), &json!({}));
        self.dispatch("INTERACTION_CREATE", interaction);
        token
    }

    fn dispatch(&self, event: &str, data: Value) {
        let frame = json!({
            "op": 0,
            "t": event,
            "s": self.inner.seq.fetch_add(1, Ordering::SeqCst),
            "d": data,
        })
        .to_string();
        let sessions = self.inner.sessions.lock().unwrap();
        assert!(
            !sessions.is_empty(),
            "no gateway session to send {event} to"
        );
        for s in sessions.iter() {
            let _ = s.send(frame.clone());
        }
    }
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        drop(self.thread.take());
    }
}

fn base_interaction(id: u64, token: &str, kind: u8, member: &Member) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "token": token,
        "version": 1,
        "guild_id": GUILD_ID.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "member": member.member_json(),
        "app_permissions": EVERYONE.to_string(),
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID.to_string()},
        "context": 0,
        "attachment_size_limit": 10_485_760,
    })
}

fn bot_user() -> Value {
    json!({
        "id": BOT_ID.to_string(),
        "username": "steward",
        "discriminator": "0",
        "global_name": null,
        "avatar": null,
        "bot": true,
    })
}

/// A message object as Discord returns it for a sent or edited message.
fn message_json(id: u64, body: &Value) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "author": bot_user(),
        "content": body.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": body.get("flags").cloned().unwrap_or(json!(0)),
        "application_id": APP_ID.to_string(),
    })
}

fn application() -> Value {
    json!({
        "id": APP_ID.to_string(),
        "name": "Steward test",
        "icon": null,
        "description": "",
        "bot_public": false,
        "bot_require_code_grant": false,
        "owner": {
            "id": OWNER_ID.to_string(),
            "username": "owner",
            "discriminator": "0",
            "avatar": null,
        },
        "verify_key": "00",
        "team": null,
        "flags": 0,
    })
}

/// Waits `delay` before answering a message or edit that shows buttons,
/// so the bot is still waiting for the answer when a test acts on it.
async fn answer_buttons_after(body: &Value, delay: Duration) {
    let shows_buttons = body["components"].as_array().is_some_and(|c| !c.is_empty());
    if shows_buttons && !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
}

async fn rest_api(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let raw = body.to_vec();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    inner.update(|s| {
        s.requests.push(Request {
            method: method.to_string(),
            path: path.clone(),
            query: uri.query().unwrap_or("").to_string(),
            body: body.clone(),
            raw: raw.clone(),
        })
    });
    let Some(rest) = path.strip_prefix("/api/v10/") else {
        return not_found();
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let app = APP_ID.to_string();
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway"]) => {
            axum::Json(json!({"url": format!("ws://{}", inner.gateway)})).into_response()
        }
        ("GET", ["gateway", "bot"]) => axum::Json(json!({
            "url": format!("ws://{}", inner.gateway),
            "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1},
        }))
        .into_response(),
        ("GET", ["oauth2", "applications", "@me"]) => axum::Json(application()).into_response(),
        ("GET", ["users", "@me"]) => axum::Json(bot_user()).into_response(),
        ("PUT", ["applications", a, "commands"]) if *a == app => {
            register(&inner, &body, None).into_response()
        }
        ("PUT", ["applications", a, "guilds", guild, "commands"]) if *a == app => {
            register(&inner, &body, Some(guild)).into_response()
        }
        ("POST", ["interactions", _, _, "callback"]) => match embed_problem(&body["data"]) {
            Some(problem) => invalid_form_body(&problem),
            None => StatusCode::NO_CONTENT.into_response(),
        },
        ("PATCH", ["webhooks", _, _, "messages", _]) => match embed_problem(&body) {
            Some(problem) => invalid_form_body(&problem),
            None => {
                let delay = inner.shared.lock().unwrap().button_edit_delay;
                answer_buttons_after(&body, delay).await;
                axum::Json(message_json(inner.next_id(), &body)).into_response()
            }
        },
        ("DELETE", ["webhooks", _, _, "messages", _]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["webhooks", _, _]) => match embed_problem(&body) {
            Some(problem) => invalid_form_body(&problem),
            None => axum::Json(message_json(inner.next_id(), &body)).into_response(),
        },
        ("POST", ["channels", _, "messages"]) => {
            let delay = inner.shared.lock().unwrap().button_message_delay;
            answer_buttons_after(&body, delay).await;
            axum::Json(message_json(inner.next_id(), &body)).into_response()
        }
        // A direct message channel with the user asked for; its id is
        // `DM_CHANNEL_BASE` plus the user's, so a test knows where it posts.
        ("POST", ["users", "@me", "channels"]) => {
            let user: u64 = body["recipient_id"]
                .as_str()
                .and_then(|u| u.parse().ok())
                .unwrap_or(0);
            axum::Json(json!({
                "id": (DM_CHANNEL_BASE + user % 1_000_000).to_string(),
                "type": 1,
                "last_message_id": null,
                "recipients": [{
                    "id": user.to_string(),
                    "username": "owner",
                    "discriminator": "0",
                    "avatar": null,
                }],
            }))
            .into_response()
        }
        _ => not_found(),
    }
}

/// What Discord would refuse in a message's embeds: its documented limits
/// (title 256, description 4096, 25 fields of name 256 and value 1024,
/// footer 2048, 6000 characters in all).
fn embed_problem(message: &Value) -> Option<String> {
    let len = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    for (i, embed) in message["embeds"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        let mut total = len(&embed["title"])
            + len(&embed["description"])
            + len(&embed["footer"]["text"])
            + len(&embed["author"]["name"]);
        let checks = [
            ("title", len(&embed["title"]), 256),
            ("description", len(&embed["description"]), 4096),
            ("footer.text", len(&embed["footer"]["text"]), 2048),
            ("fields", fields.len(), 25),
        ];
        for (what, n, max) in checks {
            if n > max {
                return Some(format!(
                    "embeds.{i}.{what}: Must be {max} or fewer in length."
                ));
            }
        }
        for (j, field) in fields.iter().enumerate() {
            let (name, value) = (len(&field["name"]), len(&field["value"]));
            if name > 256 || value > 1024 {
                return Some(format!(
                    "embeds.{i}.fields.{j}: Must be 256 (name) and 1024 (value) or fewer in length."
                ));
            }
            total += name + value;
        }
        if total > 6000 {
            return Some(format!(
                "embeds.{i}: Embed size exceeds maximum size of 6000"
            ));
        }
    }
    None
}

fn invalid_form_body(problem: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({"message": format!("Invalid Form Body ({problem})"), "code": 50035})),
    )
        .into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"message": "404: Not Found", "code": 0})),
    )
        .into_response()
}

/// Answers a bulk overwrite as Discord does: the commands with ids.
fn register(inner: &Inner, body: &Value, guild: Option<&str>) -> axum::Json<Value> {
    let mut answer = Vec::new();
    for command in body.as_array().cloned().unwrap_or_default() {
        let mut c = command.clone();
        c["id"] = json!(inner.next_id().to_string());
        c["application_id"] = json!(APP_ID.to_string());
        c["version"] = json!(inner.next_id().to_string());
        if c.get("type").is_none() {
            c["type"] = json!(1);
        }
        if let Some(g) = guild {
            c["guild_id"] = json!(g);
        }
        answer.push(c);
    }
    inner.update(|s| {
        s.commands = answer
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap_or_default().to_string(),
                    c.clone(),
                )
            })
            .collect();
    });
    axum::Json(Value::Array(answer))
}

/// One gateway connection: HELLO, then READY for IDENTIFY, ACK for every
/// heartbeat, and whatever the test dispatches.
async fn session(stream: tokio::net::TcpStream, inner: Arc<Inner>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41_250}}).to_string();
    if sink.send(Frame::text(hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            outgoing = rx.recv() => match outgoing {
                Some(text) => {
                    if sink.send(Frame::text(text)).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            incoming = source.next() => {
                let text = match incoming {
                    Some(Ok(Frame::Text(text))) => text,
                    Some(Ok(Frame::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                let Ok(frame) = serde_json::from_str::<Value>(&text) else { continue };
                match frame["op"].as_u64() {
                    Some(1) => {
                        inner.update(|s| s.heartbeats += 1);
                        let ack = json!({"op": 11}).to_string();
                        if sink.send(Frame::text(ack)).await.is_err() {
                            break;
                        }
                    }
                    Some(2) => {
                        let ready = json!({
                            "op": 0,
                            "t": "READY",
                            "s": inner.seq.fetch_add(1, Ordering::SeqCst),
                            "d": {
                                "v": 10,
                                "user": bot_user(),
                                "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
                                "session_id": "fake-session",
                                "resume_gateway_url": format!("ws://{}", inner.gateway),
                                "application": {"id": APP_ID.to_string(), "flags": 0},
                            },
                        })
                        .to_string();
                        if sink.send(Frame::text(ready)).await.is_err() {
                            break;
                        }
                        inner.sessions.lock().unwrap().push(tx.clone());
                        inner.update(|s| s.identified = true);
                    }
                    _ => {}
                }
            }
        }
    }
    inner
        .sessions
        .lock()
        .unwrap()
        .retain(|s| !s.same_channel(&tx));
    inner.update(|s| s.identified = !inner.sessions.lock().unwrap().is_empty());
}
