import assert from "node:assert/strict";
import { formatVerdicts, judge, type Observations, RULES } from "./conformance_rules.ts";

/** What a conforming client leaves behind: 4 events, one acked before a drop, one OVERLOADED, one expiry. */
function conforming(): Observations {
  const attempts = [
    { at: 0, token: "t1", auth: "subprotocol", outcome: 401 as const },
    { at: 100, token: "t2", auth: "subprotocol", outcome: 503 as const },
    { at: 300, token: "t3", auth: "subprotocol", outcome: 503 as const },
    { at: 700, token: "t4", auth: "subprotocol", outcome: 503 as const },
    { at: 1500, token: "t5", auth: "subprotocol", outcome: 503 as const },
    { at: 3000, token: "t6", auth: "subprotocol", outcome: "open" as const, connection: 1 },
    { at: 3200, token: "t7", auth: "subprotocol", outcome: "open" as const, connection: 2 },
    { at: 5000, token: "t8", auth: "subprotocol", outcome: "open" as const, connection: 3 },
  ];
  return {
    attempts,
    received: [
      ...["a", "b", "c", "d"].map((id) => ({ connection: 1, id, at: 3010 })),
      ...["b", "c", "d"].map((id) => ({ connection: 2, id, at: 3210 })),
      { connection: 2, id: "c", at: 4800 },
      { connection: 3, id: "d", at: 5010 },
    ],
    acked: new Map([["a", 3020], ["b", 3220], ["c", 4810], ["d", 5020]]),
    closes: [
      { connection: 1, code: 1011, at: 3021, unacked: ["b", "c", "d"] },
      { connection: 2, code: 4001, at: 4811, unacked: ["d"] },
    ],
    overloaded: [{ id: "c", at: 3220, retryAfterMs: 1500 }],
    refreshes: [{ connection: 3, fresh: true }],
    issued: ["t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"],
  };
}

Deno.test("judge() passes a client that follows every rule", () => {
  const verdicts = judge(conforming());
  assert.deepEqual(verdicts.map((v) => v.rule), [...RULES]);
  assert.deepEqual(verdicts.filter((v) => !v.pass), []);
  assert.match(
    formatVerdicts(verdicts),
    /^PASS {2}resent all unacked with the same ids {2}3 after the drop, 1 after TOKEN_EXPIRED$/m,
  );
  assert.match(formatVerdicts(verdicts), /^6 of 6 rules pass$/m);
});

function failing(seen: Observations): Record<string, string> {
  return Object.fromEntries(judge(seen).filter((v) => !v.pass).map((v) => [v.rule, v.detail]));
}

Deno.test("judge() fails a client that forgets its outbox on reconnect", () => {
  const seen = conforming();
  const received = seen.received.filter((r) => r.connection === 1);
  assert.deepEqual(failing({ ...seen, received }), {
    "resent all unacked with the same ids": "3 of 3 unacked not resent after the drop (e.g. b)",
    "honoured retryAfterMs": "not shown: c was never resent after OVERLOADED",
  });
});

Deno.test("judge() fails a resend sooner than retryAfterMs, and one of an acked event", () => {
  const seen = conforming();
  const early = seen.received.map((r) => r.id === "c" && r.at === 4800 ? { ...r, at: 3500 } : r);
  assert.deepEqual(failing({ ...seen, received: early }), {
    "honoured retryAfterMs": "c resent 280 ms after OVERLOADED (hint 1500)",
  });
  const again = [...seen.received, { connection: 3, id: "a", at: 5011 }];
  assert.deepEqual(failing({ ...seen, received: again }), {
    "never resent acked": "1 acked ids came again (e.g. a)",
  });
});

Deno.test("judge() fails a client that reconnects without backing off or with a used token", () => {
  const seen = conforming();
  const hasty = seen.attempts.map((a, i) => i < 6 ? { ...a, at: i * 10 } : a);
  assert.deepEqual(failing({ ...seen, attempts: hasty }), {
    "backed off": "5 refused attempts, then waited 50 ms in total (at least 250 expected)",
  });
  const sameAfter401 = seen.attempts.map((a, i) => i === 1 ? { ...a, token: "t1" } : a);
  assert.deepEqual(failing({ ...seen, attempts: sameAfter401 }), {
    "refreshed the token": "presented the refused token again",
  });
  const sameAfterExpiry = seen.attempts.map((a, i) => i === 7 ? { ...a, token: "t7" } : a);
  assert.deepEqual(failing({ ...seen, attempts: sameAfterExpiry }), {
    "refreshed the token": "presented an expired token again after TOKEN_EXPIRED",
  });
  assert.deepEqual(failing({ ...seen, refreshes: [{ connection: 3, fresh: false }] }), {
    "refreshed the token": "refreshed in band with a stale token",
    "refreshed in band before expiry": "not shown: no in-band refresh of the short-lived token",
  });
});

Deno.test("judge() fails a client that lets a short-lived token run out instead of refreshing it in band", () => {
  const seen = conforming();
  const closes = [...seen.closes, { connection: 3, code: 4001, at: 9000, unacked: [] }];
  const attempts = [...seen.attempts, {
    at: 9100,
    token: "t9",
    auth: "subprotocol",
    outcome: "open" as const,
    connection: 4,
  }];
  assert.deepEqual(failing({ ...seen, refreshes: [], closes, attempts }), {
    "refreshed in band before expiry": "the short-lived token ran out without a refresh (TOKEN_EXPIRED again)",
  });
});

Deno.test("judge() fails every rule as not shown when the client stops talking", () => {
  const empty: Observations = {
    attempts: [],
    received: [],
    acked: new Map(),
    closes: [],
    overloaded: [],
    refreshes: [],
    issued: [],
  };
  const verdicts = judge(empty);
  assert.equal(verdicts.length, 6);
  for (const verdict of verdicts) assert.match(verdict.detail, /^not shown/, verdict.rule);
  assert.ok(verdicts.every((v) => !v.pass));
});
