//! Runs this client through the conformance workload of `deno task conformance-edge`:
//! `veltrix-conformance INGEST_URL TOKEN_URL` sends 20 events of type `conformance.ping`, keeps
//! each until it is acked, and closes once all are. Tokens come from `GET TOKEN_URL`, a fresh one
//! for every connection attempt and every refresh. Exits 0 once every event is acked, 1 otherwise.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use veltrix_client::{close_reason, Client, ClientOptions, Outcome};

const EVENTS: usize = 20;

/// `GET url` over HTTP/1.0; the body when the status is 200.
fn http_get(url: &str) -> Result<String, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("token URL must be http://")?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let mut stream = TcpStream::connect(authority).map_err(|e| format!("token: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {authority}\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| format!("token: {e}"))?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or("token: no HTTP body")?;
    if !head.lines().next().unwrap_or("").contains(" 200 ") {
        return Err(format!("token: {}", head.lines().next().unwrap_or("")));
    }
    Ok(body.trim().to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(ingest), Some(token_url)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: veltrix-conformance INGEST_URL TOKEN_URL");
        std::process::exit(2);
    };
    let token_url = token_url.clone();
    let mut client = Client::new(
        ClientOptions::new(ingest.as_str()),
        Box::new(move || http_get(&token_url)),
    );
    for n in 0..EVENTS {
        client
            .send("conformance.ping", Some(serde_json::json!({ "n": n })))
            .expect("queue an event");
    }
    let deadline = Instant::now() + Duration::from_secs(90);
    let (mut acked, mut rejected) = (0, 0);
    while client.outbox_len() > 0 && Instant::now() < deadline {
        for outcome in client.poll(Duration::from_millis(50)) {
            match outcome {
                Outcome::Acked(_) => acked += 1,
                Outcome::Rejected { id, code, .. } => {
                    rejected += 1;
                    eprintln!("veltrix-conformance: {id} rejected for good: {code}");
                }
                Outcome::Disconnected(code) => eprintln!(
                    "veltrix-conformance: disconnected ({}), {} unacked to resend",
                    code.map_or("no close frame".into(), |c| format!(
                        "{c} {}",
                        close_reason(c)
                    )),
                    client.outbox_len()
                ),
                Outcome::AttemptFailed(reason) => {
                    eprintln!("veltrix-conformance: attempt failed: {reason}")
                }
                Outcome::Retrying { id, code, after_ms } => {
                    eprintln!("veltrix-conformance: {id} {code}, resending in {after_ms} ms")
                }
                _ => {}
            }
        }
    }
    client.close();
    println!(
        "veltrix-conformance: {acked} acked, {rejected} rejected, {} reconnects",
        client.reconnects()
    );
    std::process::exit(if acked == EVENTS { 0 } else { 1 });
}
