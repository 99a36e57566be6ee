//! The JSON frames of the Veltrix client protocol v1 (docs/protocol.md#frames).

use serde_json::{json, Map, Value};

/// One event as it goes in a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct WireEvent {
    pub id: String,
    pub event_type: String,
    pub data: Option<Value>,
}

/// `{"events":[{"id":..,"type":..,"data":..}]}`
pub fn encode_events(events: &[&WireEvent]) -> String {
    let list: Vec<Value> = events
        .iter()
        .map(|event| {
            let mut object = Map::new();
            object.insert("id".into(), Value::String(event.id.clone()));
            object.insert("type".into(), Value::String(event.event_type.clone()));
            if let Some(data) = &event.data {
                object.insert("data".into(), data.clone());
            }
            Value::Object(object)
        })
        .collect();
    json!({ "events": list }).to_string()
}

/// `{"token":"<jwt>"}`: an in-band token refresh.
pub fn encode_refresh(token: &str) -> String {
    json!({ "token": token }).to_string()
}

/// One reject of a reply.
#[derive(Debug, Clone, PartialEq)]
pub struct WireReject {
    pub id: String,
    pub code: String,
    pub message: String,
    pub retry_after_ms: Option<u64>,
}

/// What one reply frame says; unknown keys are ignored.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    pub acks: Vec<String>,
    pub rejects: Vec<WireReject>,
    /// A frame error: (code, message).
    pub error: Option<(String, String)>,
    /// A `session` reply: the refreshed token's `exp`, in unix seconds.
    pub session_expires_at: Option<u64>,
}

/// Reads a reply text frame; None when it is not a JSON object.
pub fn decode_reply(text: &str) -> Option<Reply> {
    let value: Value = serde_json::from_str(text).ok()?;
    let object = value.as_object()?;
    let text_of =
        |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let acks = object
        .get("acks")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|id| id.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let rejects = object
        .get("rejects")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|r| WireReject {
                    id: text_of(r, "id"),
                    code: text_of(r, "code"),
                    message: text_of(r, "message"),
                    retry_after_ms: r
                        .get("retryAfterMs")
                        .and_then(Value::as_u64)
                        .filter(|ms| *ms > 0),
                })
                .collect()
        })
        .unwrap_or_default();
    let error = object
        .get("error")
        .map(|e| (text_of(e, "code"), text_of(e, "message")));
    let session_expires_at = object
        .get("session")
        .and_then(|s| s.get("expiresAt"))
        .and_then(Value::as_u64);
    Some(Reply {
        acks,
        rejects,
        error,
        session_expires_at,
    })
}

/// Codes after which resending the same event later can succeed (docs/errors.md, "Retry?").
pub fn is_retryable(code: &str) -> bool {
    matches!(
        code,
        "OVERLOADED"
            | "RATE_LIMITED"
            | "KAFKA_WRITE_FAILED"
            | "SHUTTING_DOWN"
            | "NOT_READY"
            | "INTERNAL"
            | "TOKEN_EXPIRED"
    )
}

/// The `exp` claim of a JWT, read without verifying it (only to know when to refresh).
pub fn token_expiry(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("exp").and_then(Value::as_u64)
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_with_acks_rejects_an_error_and_a_session_is_read_whole() {
        let reply = decode_reply(
            r#"{"acks":["a"],"rejects":[{"id":"b","code":"OVERLOADED","message":"m","retryAfterMs":250}],
               "error":{"code":"INVALID_FRAME","message":"x"},"session":{"expiresAt":4102444800},"later":1}"#,
        )
        .unwrap();
        assert_eq!(reply.acks, vec!["a"]);
        assert_eq!(reply.rejects[0].retry_after_ms, Some(250));
        assert_eq!(reply.error, Some(("INVALID_FRAME".into(), "x".into())));
        assert_eq!(reply.session_expires_at, Some(4102444800));
        assert!(decode_reply("[1]").is_none());
    }

    #[test]
    fn the_expiry_of_a_jwt_is_read_from_its_payload() {
        // {"sub":"p","exp":4102444800}
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwIiwiZXhwIjo0MTAyNDQ0ODAwfQ.sig";
        assert_eq!(token_expiry(token), Some(4102444800));
        assert_eq!(token_expiry("not a token"), None);
    }

    #[test]
    fn retryable_codes_are_the_ones_the_error_table_marks() {
        assert!(is_retryable("OVERLOADED"));
        assert!(is_retryable("RATE_LIMITED"));
        assert!(!is_retryable("INVALID_EVENT"));
        assert!(!is_retryable("NO_ROUTE"));
    }
}
