/**
 * The rules the conformance edge judges a client by, as a pure function of what it saw. The edge
 * (`conformance_edge.ts`) records {@link Observations} while it plays its script; {@link judge}
 * turns them into one {@link Verdict} per rule. A rule the client never had the chance to show
 * (it stopped talking, or the run timed out first) fails as "not shown".
 *
 * @module
 */

/** The retry hint the script's OVERLOADED rejects carry, in ms. */
export const SCRIPT_RETRY_AFTER_MS = 1500;
/** Refused attempts in a row at the start of the script (one 401, then 503s). */
export const SCRIPT_REFUSALS = 5;
/** The least total wait over the refused attempts that counts as backing off, in ms. */
export const MIN_BACKOFF_TOTAL_MS = 250;
/** How much earlier than the hint a resend may come and still count (timer granularity), in ms. */
const RETRY_SLACK_MS = 5;

/** One upgrade request. Times are ms on one monotonic clock. */
export interface Attempt {
  readonly at: number;
  /** The token it presented, if any. */
  readonly token?: string;
  /** How: `subprotocol`, `header`, `query`, or `none`. */
  readonly auth: string;
  /** 401 or 503 when the edge refused it, `open` when it upgraded. */
  readonly outcome: 401 | 503 | "open";
  /** The accepted connection's number (1, 2, ...) when it upgraded. */
  readonly connection?: number;
}

/** A close the script made, with the events it held unacked at that moment. */
export interface ScriptedClose {
  readonly connection: number;
  readonly code: number;
  readonly at: number;
  readonly unacked: readonly string[];
}

/** Everything the conformance edge saw of one client. */
export interface Observations {
  readonly attempts: readonly Attempt[];
  /** Every event the client sent, in order. */
  readonly received: readonly { readonly connection: number; readonly id: string; readonly at: number }[];
  /** When the edge first acked each id. */
  readonly acked: ReadonlyMap<string, number>;
  readonly closes: readonly ScriptedClose[];
  /** OVERLOADED rejects the script sent. */
  readonly overloaded: readonly { readonly id: string; readonly at: number; readonly retryAfterMs: number }[];
  /** In-band token refreshes: whether each carried a token the edge issued and nobody had presented. */
  readonly refreshes: readonly { readonly connection: number; readonly fresh: boolean }[];
  /** Tokens the edge handed out, in order. */
  readonly issued: readonly string[];
}

/** The judgement of one rule. */
export interface Verdict {
  readonly rule: string;
  readonly pass: boolean;
  /** What was seen, in a few words. */
  readonly detail: string;
}

/** The rules, in the order they are printed. */
export const RULES = [
  "resent all unacked with the same ids",
  "honoured retryAfterMs",
  "never resent acked",
  "backed off",
  "refreshed the token",
  "refreshed in band before expiry",
] as const;

/** One verdict per rule in {@link RULES}. */
export function judge(seen: Observations): Verdict[] {
  return [
    resentUnacked(seen),
    honouredRetryAfter(seen),
    neverResentAcked(seen),
    backedOff(seen),
    refreshedToken(seen),
    refreshedInBand(seen),
  ];
}

const NAMES: Record<number, string> = { 1011: "the drop", 4001: "TOKEN_EXPIRED" };

function resentUnacked(seen: Observations): Verdict {
  const rule = RULES[0];
  if (seen.closes.length < 2) {
    return { rule, pass: false, detail: `not shown: ${seen.closes.length} of 2 scripted closes` };
  }
  const parts: string[] = [];
  for (const close of seen.closes) {
    const name = NAMES[close.code] ?? `close ${close.code}`;
    const next = seen.received.filter((r) => r.connection === close.connection + 1).map((r) => r.id);
    if (!seen.attempts.some((a) => a.connection === close.connection + 1)) {
      return { rule, pass: false, detail: `not shown: no connection after ${name}` };
    }
    const missing = close.unacked.filter((id) => !next.includes(id));
    if (missing.length > 0) {
      return {
        rule,
        pass: false,
        detail: `${missing.length} of ${close.unacked.length} unacked not resent after ${name} (e.g. ${missing[0]})`,
      };
    }
    parts.push(`${close.unacked.length} after ${name}`);
  }
  return { rule, pass: true, detail: parts.join(", ") };
}

function honouredRetryAfter(seen: Observations): Verdict {
  const rule = RULES[1];
  if (seen.overloaded.length === 0) return { rule, pass: false, detail: "not shown: no OVERLOADED reject was sent" };
  const delays: number[] = [];
  for (const reject of seen.overloaded) {
    const resend = seen.received.find((r) => r.id === reject.id && r.at > reject.at);
    if (!resend) return { rule, pass: false, detail: `not shown: ${reject.id} was never resent after OVERLOADED` };
    const delay = resend.at - reject.at;
    if (delay < reject.retryAfterMs - RETRY_SLACK_MS) {
      return {
        rule,
        pass: false,
        detail: `${reject.id} resent ${Math.round(delay)} ms after OVERLOADED (hint ${reject.retryAfterMs})`,
      };
    }
    delays.push(Math.round(delay));
  }
  const hint = seen.overloaded[0]!.retryAfterMs;
  return {
    rule,
    pass: true,
    detail: `${delays.length} resent ${Math.min(...delays)}-${Math.max(...delays)} ms after OVERLOADED (hint ${hint})`,
  };
}

function neverResentAcked(seen: Observations): Verdict {
  const rule = RULES[2];
  const again = seen.received.filter((r) => (seen.acked.get(r.id) ?? Infinity) < r.at);
  if (again.length > 0) {
    const ids = new Set(again.map((r) => r.id));
    return { rule, pass: false, detail: `${ids.size} acked ids came again (e.g. ${again[0]!.id})` };
  }
  const firstAck = Math.min(...seen.acked.values());
  const reconnectedAfterAcks = seen.attempts.some((a) => a.outcome === "open" && a.at > firstAck);
  if (!reconnectedAfterAcks) return { rule, pass: false, detail: "not shown: no reconnect after an ack" };
  return { rule, pass: true, detail: `0 of ${seen.acked.size} acked ids came again` };
}

function backedOff(seen: Observations): Verdict {
  const rule = RULES[3];
  const attempts = seen.attempts;
  const refused = attempts.slice(0, SCRIPT_REFUSALS);
  if (attempts.length <= SCRIPT_REFUSALS || refused.some((a) => a.outcome === "open")) {
    return { rule, pass: false, detail: `not shown: ${Math.min(attempts.length, SCRIPT_REFUSALS)} refused attempts` };
  }
  const waited = attempts[SCRIPT_REFUSALS]!.at - attempts[0]!.at;
  const pass = waited >= MIN_BACKOFF_TOTAL_MS;
  return {
    rule,
    pass,
    detail: `${SCRIPT_REFUSALS} refused attempts, then waited ${Math.round(waited)} ms in total` +
      (pass ? "" : ` (at least ${MIN_BACKOFF_TOTAL_MS} expected)`),
  };
}

function refreshedToken(seen: Observations): Verdict {
  const rule = RULES[4];
  const issued = new Set(seen.issued);
  const unknown = seen.attempts.find((a) => a.token !== undefined && !issued.has(a.token));
  if (unknown) return { rule, pass: false, detail: "presented a token the edge never issued" };
  const staleRefresh = seen.refreshes.find((r) => !r.fresh);
  if (staleRefresh) return { rule, pass: false, detail: "refreshed in band with a stale token" };
  const [first, second] = seen.attempts;
  if (!first || !second) return { rule, pass: false, detail: "not shown: no attempt after the refused token" };
  if (second.token === undefined || second.token === first.token) {
    return { rule, pass: false, detail: "presented the refused token again" };
  }
  const expiry = seen.closes.find((c) => c.code === 4001);
  const after = expiry && seen.attempts.find((a) => a.connection === expiry.connection + 1);
  if (!expiry || !after) return { rule, pass: false, detail: "not shown: no connection after TOKEN_EXPIRED" };
  const before = seen.attempts.filter((a) => a.at < after.at).map((a) => a.token);
  if (after.token === undefined || before.includes(after.token)) {
    return { rule, pass: false, detail: "presented an expired token again after TOKEN_EXPIRED" };
  }
  return { rule, pass: true, detail: "a new token after the 401 and after TOKEN_EXPIRED" };
}

function refreshedInBand(seen: Observations): Verdict {
  const rule = RULES[5];
  const expiry = seen.closes.find((c) => c.code === 4001);
  const connection = expiry && expiry.connection + 1;
  if (!connection || !seen.attempts.some((a) => a.connection === connection)) {
    return { rule, pass: false, detail: "not shown: no connection with a short-lived token" };
  }
  if (seen.closes.some((c) => c.connection === connection && c.code === 4001)) {
    return { rule, pass: false, detail: "the short-lived token ran out without a refresh (TOKEN_EXPIRED again)" };
  }
  const refresh = seen.refreshes.find((r) => r.connection === connection && r.fresh);
  if (!refresh) return { rule, pass: false, detail: "not shown: no in-band refresh of the short-lived token" };
  return { rule, pass: true, detail: "sent a fresh token in band before the short-lived one ran out" };
}

/** The verdicts as printed: one line per rule, then a summary line. */
export function formatVerdicts(verdicts: readonly Verdict[]): string {
  const width = Math.max(...verdicts.map((v) => v.rule.length));
  const lines = verdicts.map((v) => `${v.pass ? "PASS" : "FAIL"}  ${v.rule.padEnd(width)}  ${v.detail}`);
  const passed = verdicts.filter((v) => v.pass).length;
  lines.push(`${passed} of ${verdicts.length} rules pass`);
  return lines.join("\n");
}
