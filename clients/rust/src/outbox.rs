//! The outbox: every event from `send` until the edge acks it or rejects it for good. Pure: the
//! caller passes the clock, so the rules of docs/protocol.md#what-a-conforming-client-must-do are
//! tested here without a socket.

use crate::wire::{is_retryable, WireEvent};
use std::time::{Duration, Instant};

/// Where one event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// Not on the current connection yet: goes out with the next frame.
    Pending,
    /// Sent on the current connection, not answered yet.
    Sent,
    /// Rejected with a retryable code: goes out again at this instant, not before.
    WaitUntil(Instant),
}

/// What a reject did to the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectOutcome {
    /// Retryable: kept, and resent after the hint.
    Retry,
    /// Permanent: removed from the outbox.
    Dropped,
    /// Not in the outbox (already answered, or never sent).
    Unknown,
}

/// The events not yet answered, oldest first.
#[derive(Debug, Default)]
pub struct Outbox {
    entries: Vec<(WireEvent, EntryState)>,
}

impl Outbox {
    /// Adds an event; it goes out with the next frame.
    pub fn push(&mut self, event: WireEvent) {
        self.entries.push((event, EntryState::Pending));
    }

    /// How many events are not yet answered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when every event is answered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Up to `max` events due at `now` (pending, or whose retry time has come), oldest first,
    /// marked as sent.
    pub fn take_due(&mut self, now: Instant, max: usize) -> Vec<WireEvent> {
        let mut due = Vec::new();
        for (event, state) in &mut self.entries {
            if due.len() >= max {
                break;
            }
            let ready = match *state {
                EntryState::Pending => true,
                EntryState::WaitUntil(at) => at <= now,
                EntryState::Sent => false,
            };
            if ready {
                *state = EntryState::Sent;
                due.push(event.clone());
            }
        }
        due
    }

    /// An ack: the event is done. False when the id is not in the outbox (a duplicate ack).
    pub fn ack(&mut self, id: &str) -> bool {
        let before = self.entries.len();
        self.entries.retain(|(event, _)| event.id != id);
        self.entries.len() != before
    }

    /// A reject: a retryable code keeps the event until `now + retry_after` (or `fallback`
    /// without a hint); any other code drops it.
    pub fn reject(
        &mut self,
        id: &str,
        code: &str,
        retry_after: Option<Duration>,
        fallback: Duration,
        now: Instant,
    ) -> RejectOutcome {
        let Some(index) = self.entries.iter().position(|(event, _)| event.id == id) else {
            return RejectOutcome::Unknown;
        };
        if is_retryable(code) {
            self.entries[index].1 = EntryState::WaitUntil(now + retry_after.unwrap_or(fallback));
            RejectOutcome::Retry
        } else {
            self.entries.remove(index);
            RejectOutcome::Dropped
        }
    }

    /// The connection is gone: everything sent on it and not answered goes again on the next one.
    /// Events waiting for a retry hint keep waiting for it.
    pub fn disconnected(&mut self) {
        for (_, state) in &mut self.entries {
            if *state == EntryState::Sent {
                *state = EntryState::Pending;
            }
        }
    }

    /// The earliest retry time still ahead, if any.
    pub fn next_retry(&self) -> Option<Instant> {
        self.entries
            .iter()
            .filter_map(|(_, state)| match state {
                EntryState::WaitUntil(at) => Some(*at),
                _ => None,
            })
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> WireEvent {
        WireEvent {
            id: id.into(),
            event_type: "conformance.ping".into(),
            data: None,
        }
    }

    fn ids(events: &[WireEvent]) -> Vec<&str> {
        events.iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn every_unacked_event_goes_again_after_a_reconnect_with_its_id_and_acked_ones_never_do() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        for id in ["a", "b", "c"] {
            outbox.push(event(id));
        }
        assert_eq!(ids(&outbox.take_due(now, 10)), ["a", "b", "c"]);
        assert!(
            outbox.take_due(now, 10).is_empty(),
            "sent events wait for their answer"
        );
        assert!(outbox.ack("a"));
        assert!(!outbox.ack("a"), "a duplicate ack changes nothing");
        outbox.disconnected();
        assert_eq!(ids(&outbox.take_due(now, 10)), ["b", "c"]);
    }

    #[test]
    fn a_retryable_reject_waits_for_its_hint_even_across_a_reconnect() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        outbox.push(event("a"));
        outbox.take_due(now, 10);
        let hint = Some(Duration::from_millis(1500));
        assert_eq!(
            outbox.reject("a", "OVERLOADED", hint, Duration::ZERO, now),
            RejectOutcome::Retry
        );
        assert!(outbox
            .take_due(now + Duration::from_millis(1499), 10)
            .is_empty());
        outbox.disconnected();
        assert!(outbox
            .take_due(now + Duration::from_millis(1499), 10)
            .is_empty());
        assert_eq!(outbox.next_retry(), Some(now + Duration::from_millis(1500)));
        assert_eq!(
            ids(&outbox.take_due(now + Duration::from_millis(1500), 10)),
            ["a"]
        );
    }

    #[test]
    fn a_permanent_reject_drops_the_event() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        outbox.push(event("a"));
        outbox.take_due(now, 10);
        assert_eq!(
            outbox.reject("a", "NO_ROUTE", None, Duration::ZERO, now),
            RejectOutcome::Dropped
        );
        assert!(outbox.is_empty());
        assert_eq!(
            outbox.reject("a", "NO_ROUTE", None, Duration::ZERO, now),
            RejectOutcome::Unknown
        );
    }

    #[test]
    fn frames_hold_at_most_the_batch_size_oldest_first() {
        let now = Instant::now();
        let mut outbox = Outbox::default();
        for n in 0..5 {
            outbox.push(event(&n.to_string()));
        }
        assert_eq!(ids(&outbox.take_due(now, 2)), ["0", "1"]);
        assert_eq!(ids(&outbox.take_due(now, 2)), ["2", "3"]);
    }
}
