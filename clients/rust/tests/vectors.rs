//! The protocol's test vectors (`conformance/vectors/` in the Veltrix repository) against this
//! client's frames and reply handling: every event frame of a vector, re-encoded from its events,
//! is the same JSON; every expected reply, fed to the outbox, acks what it acks, drops what a
//! permanent code rejects and keeps what a retryable code rejects until its hint.

use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use veltrix_client::outbox::{Outbox, RejectOutcome};
use veltrix_client::wire::{decode_reply, encode_events, encode_refresh, is_retryable, WireEvent};

fn vectors() -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect()
}

/// The events of a frame this client can send (id, type, data only), or None.
fn plain_events(frame: &Value) -> Option<Vec<WireEvent>> {
    if frame.as_object()?.keys().any(|key| key != "events") {
        return None;
    }
    let events = frame.get("events")?.as_array()?;
    events
        .iter()
        .map(|event| {
            let object = event.as_object()?;
            if object
                .keys()
                .any(|key| !["id", "type", "data"].contains(&key.as_str()))
            {
                return None;
            }
            Some(WireEvent {
                id: object.get("id")?.as_str()?.to_string(),
                event_type: object.get("type")?.as_str()?.to_string(),
                data: object.get("data").cloned(),
            })
        })
        .collect()
}

#[test]
fn every_vector_frame_of_plain_events_encodes_to_the_same_json() {
    let mut checked = 0;
    for vector in vectors() {
        for step in vector["steps"].as_array().unwrap() {
            let Some(text) = step["frame"]["json"].as_str() else {
                continue;
            };
            let Ok(frame) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            let Some(events) = plain_events(&frame) else {
                continue;
            };
            let refs: Vec<&WireEvent> = events.iter().collect();
            let ours: Value = serde_json::from_str(&encode_events(&refs)).unwrap();
            assert_eq!(ours, frame, "{}", vector["name"]);
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} frames checked");
}

#[test]
fn every_vector_refresh_frame_of_a_token_alone_encodes_to_the_same_json() {
    let mut checked = 0;
    for vector in vectors() {
        for step in vector["steps"].as_array().unwrap() {
            let Some(text) = step["frame"]["json"].as_str() else {
                continue;
            };
            let Ok(frame) = serde_json::from_str::<Value>(text) else {
                continue;
            };
            let Some(object) = frame.as_object() else {
                continue;
            };
            let Some(token) = object.get("token").and_then(Value::as_str) else {
                continue;
            };
            if object.len() != 1 {
                continue;
            }
            let ours: Value = serde_json::from_str(&encode_refresh(token)).unwrap();
            assert_eq!(ours, frame, "{}", vector["name"]);
            checked += 1;
        }
    }
    assert!(checked >= 1, "{checked} refresh frames checked");
}

#[test]
fn every_expected_reply_acks_drops_or_keeps_events_as_its_codes_say() {
    let mut checked = 0;
    for vector in vectors() {
        for step in vector["steps"].as_array().unwrap() {
            let expect = &step["expect"];
            let acks = expect["acks"].as_array().cloned().unwrap_or_default();
            let rejects = expect["rejects"].as_array().cloned().unwrap_or_default();
            if acks.is_empty() && rejects.is_empty() {
                continue;
            }
            let now = Instant::now();
            let mut outbox = Outbox::default();
            for id in acks.iter().chain(rejects.iter().map(|r| &r["id"])) {
                outbox.push(WireEvent {
                    id: id.as_str().unwrap().into(),
                    event_type: "vector.moved".into(),
                    data: None,
                });
            }
            outbox.take_due(now, usize::MAX);
            let reply_rejects: Vec<Value> = rejects
                .iter()
                .map(|r| {
                    let hint = r
                        .get("retryAfterMs")
                        .or(r.get("retryAfterMsAtLeast"))
                        .cloned()
                        .unwrap_or(json!(0));
                    json!({ "id": r["id"], "code": r["code"], "message": "", "retryAfterMs": hint })
                })
                .collect();
            let reply =
                decode_reply(&json!({ "acks": acks, "rejects": reply_rejects }).to_string())
                    .unwrap();
            for id in &reply.acks {
                assert!(outbox.ack(id), "{}: ack of {id}", vector["name"]);
            }
            for reject in &reply.rejects {
                let hint = reject.retry_after_ms.map(Duration::from_millis);
                let outcome = outbox.reject(
                    &reject.id,
                    &reject.code,
                    hint,
                    Duration::from_millis(250),
                    now,
                );
                let want = if is_retryable(&reject.code) {
                    RejectOutcome::Retry
                } else {
                    RejectOutcome::Dropped
                };
                assert_eq!(outcome, want, "{}: {}", vector["name"], reject.code);
            }
            let kept = rejects
                .iter()
                .filter(|r| is_retryable(r["code"].as_str().unwrap()))
                .count();
            assert_eq!(outbox.len(), kept, "{}", vector["name"]);
            checked += 1;
        }
    }
    assert!(checked >= 10, "{checked} replies checked");
}
