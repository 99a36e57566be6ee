//! A small synchronous client for the Veltrix client protocol v1 (`docs/protocol.md` in the
//! Veltrix repository), written from the specification and the test vectors alone. It sends JSON
//! frames over a WebSocket (`tungstenite`), keeps every event in an outbox until the edge acks it,
//! resends unacked events after a reconnect with the same ids, honours `retryAfterMs`, reconnects
//! with jittered exponential backoff, and refreshes its token (a fresh one per connection, and in
//! band before `exp`).
//!
//! ```no_run
//! use veltrix_client::{Client, ClientOptions, Outcome};
//! use std::time::Duration;
//!
//! let token = || Ok::<_, String>("<jwt from your game backend>".to_string());
//! let mut client = Client::new(ClientOptions::new("ws://127.0.0.1:8787/v1/ingest"), Box::new(token));
//! client.send("treasure.collected", Some(serde_json::json!({ "chest": 7, "gold": 40 }))).unwrap();
//! while client.outbox_len() > 0 {
//!     for outcome in client.poll(Duration::from_millis(50)) {
//!         if let Outcome::Acked(id) = outcome {
//!             println!("in Kafka: {id}");
//!         }
//!     }
//! }
//! client.close();
//! ```

pub mod backoff;
pub mod client;
pub mod outbox;
pub mod wire;

pub use client::{close_reason, Client, ClientOptions, Outcome, SendError, TokenSource};
