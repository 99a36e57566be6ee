//! The connection: handshake with the token as subprotocol, frames out, replies in, reconnects
//! with backoff, in-band token refresh. Synchronous: the game calls `poll` from its loop (or a
//! thread of its own).

use crate::backoff::{backoff_delay_ms, Jitter};
use crate::outbox::{Outbox, RejectOutcome};
use crate::wire::{decode_reply, encode_events, encode_refresh, token_expiry, WireEvent};
use serde_json::Value;
use std::io::ErrorKind;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

/// Gives a fresh token (a JWT) on every call: before each connection attempt and for a refresh.
pub type TokenSource = Box<dyn FnMut() -> Result<String, String>>;

/// How to reach the edge, and the client's bounds.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The edge's ingest URL, `ws://host:port/v1/ingest` (this build speaks plain `ws://`).
    pub url: String,
    /// First reconnect backoff cap, in ms (full jitter below it, doubling per failure).
    pub initial_backoff_ms: u64,
    /// Largest reconnect backoff cap, in ms.
    pub max_backoff_ms: u64,
    /// Most events in one frame.
    pub max_batch: usize,
    /// Most unanswered events held; past it `send` fails.
    pub max_outbox: usize,
    /// Refresh the token in band this many seconds before its `exp`.
    pub refresh_before_s: u64,
}

impl ClientOptions {
    /// The defaults for `url`: 250 ms to 10 s backoff, 100 events a frame, 10,000 held, refresh 60 s early.
    pub fn new(url: impl Into<String>) -> Self {
        ClientOptions {
            url: url.into(),
            initial_backoff_ms: 250,
            max_backoff_ms: 10_000,
            max_batch: 100,
            max_outbox: 10_000,
            refresh_before_s: 60,
        }
    }
}

/// Something `poll` saw happen.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A connection opened.
    Connected,
    /// The connection ended (the close code, if the edge sent one); unacked events go again.
    Disconnected(Option<u16>),
    /// An attempt failed (a refused upgrade, a socket that did not open, no token).
    AttemptFailed(String),
    /// Kafka has every record of the event.
    Acked(String),
    /// A permanent reject: the event was dropped.
    Rejected {
        id: String,
        code: String,
        message: String,
    },
    /// A retryable reject: the event is resent after the hint.
    Retrying {
        id: String,
        code: String,
        after_ms: u64,
    },
    /// The edge could not read a frame.
    FrameError { code: String, message: String },
    /// The edge took a token refresh; the new token expires then (unix seconds).
    Refreshed(u64),
}

/// Why `send` refused an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The outbox holds `max_outbox` events.
    OutboxFull,
    /// The type is empty or longer than 128 characters, or not `[a-z0-9._-]`.
    InvalidType,
}

/// A Veltrix client: keeps every event until the edge acks it, resends unacked events after a
/// reconnect with the same ids, honours `retryAfterMs`, backs off with jitter and refreshes its
/// token.
pub struct Client {
    options: ClientOptions,
    token_source: TokenSource,
    outbox: Outbox,
    socket: Option<WebSocket<TcpStream>>,
    failures: u32,
    next_attempt: Instant,
    opened_at: Instant,
    heard: bool,
    token_exp: Option<u64>,
    refreshing: bool,
    jitter: Jitter,
    counter: u64,
    reconnects: u32,
}

impl Client {
    /// A client for `options.url`; it connects on the first `poll`.
    pub fn new(options: ClientOptions, token_source: TokenSource) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let now = Instant::now();
        Client {
            options,
            token_source,
            outbox: Outbox::default(),
            socket: None,
            failures: 0,
            next_attempt: now,
            opened_at: now,
            heard: false,
            token_exp: None,
            refreshing: false,
            jitter: Jitter::new(seed ^ u64::from(std::process::id())),
            counter: 0,
            reconnects: 0,
        }
    }

    /// Queues an event; it goes out on the next `poll`. Returns its id.
    pub fn send(&mut self, event_type: &str, data: Option<Value>) -> Result<String, SendError> {
        let valid = !event_type.is_empty()
            && event_type.len() <= 128
            && event_type
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if !valid {
            return Err(SendError::InvalidType);
        }
        if self.outbox.len() >= self.options.max_outbox {
            return Err(SendError::OutboxFull);
        }
        self.counter += 1;
        let id = format!("{:016x}-{:x}", self.jitter.next_u64(), self.counter);
        self.outbox.push(WireEvent {
            id: id.clone(),
            event_type: event_type.into(),
            data,
        });
        Ok(id)
    }

    /// Events not yet acked or dropped.
    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// Connections that ended (each is followed by a reconnect).
    pub fn reconnects(&self) -> u32 {
        self.reconnects
    }

    /// True while a connection is open.
    pub fn is_connected(&self) -> bool {
        self.socket.is_some()
    }

    /// Does the work due now and waits up to `wait` for the edge: connects when the backoff
    /// allows, refreshes the token when it is near expiry, sends due events, reads replies.
    pub fn poll(&mut self, wait: Duration) -> Vec<Outcome> {
        let mut outcomes = Vec::new();
        let now = Instant::now();
        if self.socket.is_none() {
            if now < self.next_attempt {
                std::thread::sleep(wait.min(self.next_attempt - now));
                return outcomes;
            }
            self.connect(&mut outcomes);
            if self.socket.is_none() {
                return outcomes;
            }
        }
        self.refresh_if_due(&mut outcomes);
        self.send_due(&mut outcomes);
        self.read(wait, &mut outcomes);
        outcomes
    }

    /// Closes the connection (1000). Unanswered events stay in the outbox.
    pub fn close(&mut self) {
        if let Some(mut socket) = self.socket.take() {
            let _ = socket.close(None);
            let _ = socket.flush();
            let deadline = Instant::now() + Duration::from_millis(500);
            while Instant::now() < deadline {
                match socket.read() {
                    Err(tungstenite::Error::Io(e))
                        if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(_) => break,
                    Ok(_) => {}
                }
            }
        }
    }

    fn connect(&mut self, outcomes: &mut Vec<Outcome>) {
        match self.open() {
            Ok((socket, token)) => {
                self.socket = Some(socket);
                self.opened_at = Instant::now();
                self.heard = false;
                self.token_exp = token_expiry(&token);
                self.refreshing = false;
                outcomes.push(Outcome::Connected);
            }
            Err(reason) => {
                self.schedule_retry();
                outcomes.push(Outcome::AttemptFailed(reason));
            }
        }
    }

    fn open(&mut self) -> Result<(WebSocket<TcpStream>, String), String> {
        let token = (self.token_source)()?;
        let mut request = self
            .options
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| e.to_string())?;
        let protocols = format!("veltrix.v1, veltrix.bearer.{token}");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(&protocols).map_err(|e| e.to_string())?,
        );
        let uri = request.uri();
        if uri.scheme_str() != Some("ws") {
            return Err(format!(
                "{}: this build speaks ws:// only",
                self.options.url
            ));
        }
        let host = uri.host().ok_or("no host in the URL")?.to_string();
        let port = uri.port_u16().unwrap_or(80);
        let address = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| e.to_string())?
            .next()
            .ok_or("the host does not resolve")?;
        let stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        let (socket, _) = tungstenite::client(request, stream).map_err(|e| match e {
            tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response)) => {
                format!("upgrade refused: HTTP {}", response.status().as_u16())
            }
            other => other.to_string(),
        })?;
        Ok((socket, token))
    }

    /// The next attempt waits a jittered, doubling delay.
    fn schedule_retry(&mut self) {
        self.failures += 1;
        let delay = backoff_delay_ms(
            self.failures,
            self.options.initial_backoff_ms,
            self.options.max_backoff_ms,
            &mut self.jitter,
        );
        self.next_attempt = Instant::now() + Duration::from_millis(delay);
    }

    fn disconnected(&mut self, code: Option<u16>, outcomes: &mut Vec<Outcome>) {
        self.socket = None;
        self.outbox.disconnected();
        // A connection that was answered, or stayed open a second, resets the backoff.
        if self.heard || self.opened_at.elapsed() >= Duration::from_secs(1) {
            self.failures = 0;
        }
        self.reconnects += 1;
        self.schedule_retry();
        outcomes.push(Outcome::Disconnected(code));
    }

    fn refresh_if_due(&mut self, outcomes: &mut Vec<Outcome>) {
        let Some(exp) = self.token_exp else { return };
        let now_s = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if self.refreshing || now_s + self.options.refresh_before_s < exp {
            return;
        }
        self.refreshing = true;
        match (self.token_source)() {
            Ok(token) => self.write(Message::text(encode_refresh(&token)), outcomes),
            Err(reason) => {
                outcomes.push(Outcome::AttemptFailed(format!("token refresh: {reason}")))
            }
        }
    }

    fn send_due(&mut self, outcomes: &mut Vec<Outcome>) {
        loop {
            let due = self.outbox.take_due(Instant::now(), self.options.max_batch);
            if due.is_empty() || self.socket.is_none() {
                return;
            }
            let refs: Vec<&WireEvent> = due.iter().collect();
            self.write(Message::text(encode_events(&refs)), outcomes);
        }
    }

    fn write(&mut self, message: Message, outcomes: &mut Vec<Outcome>) {
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        if socket.send(message).is_err() {
            self.disconnected(None, outcomes);
        }
    }

    fn read(&mut self, wait: Duration, outcomes: &mut Vec<Outcome>) {
        let now = Instant::now();
        let until_retry = self
            .outbox
            .next_retry()
            .map(|at| at.saturating_duration_since(now));
        let timeout = until_retry
            .map_or(wait, |d| d.min(wait))
            .max(Duration::from_millis(1));
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        let _ = socket.get_mut().set_read_timeout(Some(timeout));
        match socket.read() {
            Ok(Message::Text(text)) => self.handle_reply(text.as_str(), outcomes),
            Ok(Message::Close(frame)) => {
                let code = frame.map(|f| u16::from(f.code));
                if let Some(socket) = self.socket.as_mut() {
                    let _ = socket.flush();
                }
                self.disconnected(code, outcomes);
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => self.disconnected(None, outcomes),
        }
    }

    fn handle_reply(&mut self, text: &str, outcomes: &mut Vec<Outcome>) {
        let Some(reply) = decode_reply(text) else {
            outcomes.push(Outcome::FrameError {
                code: "UNREADABLE_REPLY".into(),
                message: text.chars().take(200).collect(),
            });
            return;
        };
        self.heard = true;
        for id in reply.acks {
            if self.outbox.ack(&id) {
                outcomes.push(Outcome::Acked(id));
            }
        }
        let now = Instant::now();
        for reject in reply.rejects {
            let fallback = Duration::from_millis(self.options.initial_backoff_ms);
            let hint = reject.retry_after_ms.map(Duration::from_millis);
            match self
                .outbox
                .reject(&reject.id, &reject.code, hint, fallback, now)
            {
                RejectOutcome::Retry => outcomes.push(Outcome::Retrying {
                    id: reject.id,
                    code: reject.code,
                    after_ms: hint.unwrap_or(fallback).as_millis() as u64,
                }),
                RejectOutcome::Dropped => outcomes.push(Outcome::Rejected {
                    id: reject.id,
                    code: reject.code,
                    message: reject.message,
                }),
                RejectOutcome::Unknown => {}
            }
        }
        if let Some((code, message)) = reply.error {
            outcomes.push(Outcome::FrameError { code, message });
        }
        if let Some(exp) = reply.session_expires_at {
            self.token_exp = Some(exp);
            self.refreshing = false;
            outcomes.push(Outcome::Refreshed(exp));
        }
    }
}

/// The close codes of docs/protocol.md#close-codes, by name, for logs.
pub fn close_reason(code: u16) -> &'static str {
    match CloseCode::from(code) {
        CloseCode::Normal => "IDLE_TIMEOUT or a normal close",
        CloseCode::Away => "SHUTTING_DOWN",
        CloseCode::Policy => "RATE_LIMITED",
        CloseCode::Size => "FRAME_TOO_LARGE",
        _ if code == 4001 => "TOKEN_EXPIRED",
        _ if code == 4003 => "UNAUTHORIZED",
        _ => "connection lost",
    }
}
