import assert from "node:assert/strict";
import { MemoryStorage } from "./outbox_store/testing/memory_storage.ts";
import { MemoryOutboxStore } from "./outbox_store/memory_outbox_store.ts";
import type { OutboxEntry, OutboxStore } from "./outbox_store/outbox_store.ts";
import { VeltrixClient, type VeltrixClientOptions, type VeltrixClientState } from "./veltrix_client.ts";
import { VeltrixClientError } from "./veltrix_client_error.ts";
import { WebStorageOutboxStore } from "./outbox_store/web_storage_outbox_store.ts";
import type { WebSocketConstructor, WebSocketLike } from "./websocket_like.ts";

// ---------------------------------------------------------------------------------------------
// A controllable in-memory edge: every WebSocket the client makes is a FakeSocket registered with
// the FakeEdge, which records frames and lets a test ack, reject, refuse and drop connections.
// Tests await conditions (`edge.until`), re-checked after every socket event and client event.
// ---------------------------------------------------------------------------------------------

interface WireEvent {
  id: string;
  type: string;
  data?: unknown;
}

interface Frame {
  socket: FakeSocket;
  events: WireEvent[];
}

class FakeSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: unknown) => unknown) | null = null;
  onmessage: ((event: { data: unknown }) => unknown) | null = null;
  onclose: ((event: { code: number }) => unknown) | null = null;
  onerror: ((event: unknown) => unknown) | null = null;
  /** The code the client closed with, if it did. */
  closedWith: number | undefined;
  /** The token the client opened with, from the subprotocol list or the query string. */
  readonly token: string | null;
  /** Tokens sent in-band (refresh frames), in order. */
  readonly refreshes: string[] = [];

  constructor(readonly edge: FakeEdge, readonly url: string, readonly protocols: string[] = []) {
    const bearer = protocols.find((protocol) => protocol.startsWith("veltrix.bearer."));
    this.token = bearer?.slice("veltrix.bearer.".length) ?? new URL(url).searchParams.get("token");
    edge.sockets.push(this);
    edge.connectedAt.push(performance.now());
    const refuse = edge.refuse > 0;
    if (refuse) edge.refuse--;
    setTimeout(() => {
      if (this.readyState !== 0) return;
      if (refuse) {
        // What a browser shows for an HTTP 401 or 503 before the upgrade: an error, then a close.
        this.readyState = 3;
        this.onerror?.({});
        this.onclose?.({ code: 1006 });
      } else {
        this.readyState = 1;
        this.onopen?.({});
      }
      edge.changed();
    }, 0);
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new Error("socket is not open");
    const parsed = JSON.parse(text);
    if (typeof parsed.token === "string") {
      this.refreshes.push(parsed.token);
      this.edge.changed();
      if (parsed.events === undefined) return;
    }
    const frame: Frame = { socket: this, events: parsed.events };
    this.edge.frames.push(frame);
    if (this.edge.autoAck) queueMicrotask(() => this.ack(...frame.events.map((event) => event.id)));
    this.edge.changed();
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.closedWith = code;
    setTimeout(() => {
      this.readyState = 3;
      this.onclose?.({ code });
      this.edge.changed();
    }, 0);
  }

  // The edge's side.

  reply(frame: unknown): void {
    if (this.readyState !== 1) return;
    this.onmessage?.({ data: JSON.stringify(frame) });
    this.edge.changed();
  }

  ack(...ids: string[]): void {
    this.reply({ acks: ids });
  }

  reject(id: string, code: string, retryAfterMs?: number): void {
    this.reply({ rejects: [{ id, code, message: `${code} for ${id}`, ...(retryAfterMs ? { retryAfterMs } : {}) }] });
  }

  /** The edge ends the connection with `code` (1006 for a lost connection, 1001 for a shutdown). */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
    this.edge.changed();
  }
}

class FakeEdge {
  readonly sockets: FakeSocket[] = [];
  readonly frames: Frame[] = [];
  /** performance.now() of each connection attempt. */
  readonly connectedAt: number[] = [];
  /** How many of the next connection attempts fail before the upgrade. */
  refuse = 0;
  /** Ack every frame as it arrives. */
  autoAck = false;
  readonly WebSocket: WebSocketConstructor;
  readonly #waiters = new Set<() => void>();

  constructor() {
    const connect = (url: string, protocols?: string[]) => new FakeSocket(this, url, protocols);
    this.WebSocket = function (url: string, protocols?: string[]) {
      return connect(url, protocols);
    } as unknown as WebSocketConstructor;
  }

  /** A client wired to this edge; its events also wake `until`. */
  client(options: Partial<VeltrixClientOptions> = {}): VeltrixClient {
    let n = 0;
    const client = new VeltrixClient({
      url: "ws://edge.test/v1/ingest",
      token: "jwt",
      WebSocket: this.WebSocket,
      idFactory: () => `e-${++n}`,
      ...options,
    });
    for (const event of ["state", "ack", "reject", "recovered", "error"] as const) {
      client.on(event, () => this.changed());
    }
    return client;
  }

  get lastSocket(): FakeSocket {
    return this.sockets.at(-1)!;
  }

  changed(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Resolves with `check()` once it is truthy, checked now and after every change. */
  until<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 3000): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (!value) return false;
        this.#waiters.delete(attempt);
        clearTimeout(timer);
        resolve(value);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(attempt);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      if (!attempt()) this.#waiters.add(attempt);
    });
  }

  untilOpen(client: VeltrixClient, connections = 1): Promise<FakeSocket> {
    return this.until(
      () => client.state === "open" && this.sockets.length >= connections && this.lastSocket,
      `connection ${connections} open`,
    );
  }

  untilFrames(count: number): Promise<Frame> {
    return this.until(() => this.frames.length >= count && this.frames[count - 1], `${count} frames`);
  }
}

/** How late a timer may fire on a busy machine before a delay bound counts as broken. */
const TIMER_SLACK_MS = 50;

/** Settles a promise into a value a test can inspect, so a rejection is never unhandled. */
function outcome<T>(promise: Promise<T>): Promise<{ value?: T; error?: VeltrixClientError }> {
  return promise.then((value) => ({ value }), (error) => ({ error }));
}

function ids(frame: Frame): string[] {
  return frame.events.map((event) => event.id);
}

function recordStates(client: VeltrixClient): VeltrixClientState[] {
  const states: VeltrixClientState[] = [client.state];
  client.on("state", (state) => states.push(state));
  return states;
}

// ---------------------------------------------------------------------------------------------

Deno.test("send() puts events made within batchWindowMs in one frame, in order", async () => {
  const edge = new FakeEdge();
  const client = edge.client({ batchWindowMs: 20 });
  try {
    await edge.untilOpen(client);
    const sends = [
      client.send("player.moved", { x: 1 }),
      client.send("treasure.collected", { chest: 7, gold: 40 }),
      client.send("player.skipped"),
    ];
    const frame = await edge.untilFrames(1);
    assert.deepEqual(frame.events, [
      { id: "e-1", type: "player.moved", data: { x: 1 } },
      { id: "e-2", type: "treasure.collected", data: { chest: 7, gold: 40 } },
      { id: "e-3", type: "player.skipped" },
    ]);
    frame.socket.ack("e-1", "e-2", "e-3");
    assert.deepEqual(await Promise.all(sends), [{ id: "e-1" }, { id: "e-2" }, { id: "e-3" }]);
    assert.equal(edge.frames.length, 1);

    const later = client.send("player.moved");
    assert.deepEqual(ids(await edge.untilFrames(2)), ["e-4"], "a later event goes in a frame of its own");
    edge.lastSocket.ack("e-4");
    await later;
  } finally {
    await client.close();
  }
});

Deno.test("send() splits at maxBatchEvents, sending full frames without waiting for the window", async () => {
  const edge = new FakeEdge();
  const client = edge.client({ batchWindowMs: 50, maxBatchEvents: 2 });
  try {
    await edge.untilOpen(client);
    const sends = [1, 2, 3, 4, 5].map(() => client.send("player.moved"));
    assert.deepEqual(edge.frames.map(ids), [["e-1", "e-2"], ["e-3", "e-4"]], "full frames go out at once");
    assert.deepEqual(ids(await edge.untilFrames(3)), ["e-5"], "the rest goes when the window ends");
    edge.lastSocket.ack("e-1", "e-2", "e-3", "e-4", "e-5");
    await Promise.all(sends);
    assert.equal(client.stats.sent, 5);
  } finally {
    await client.close();
  }
});

Deno.test("an ack resolves send() with the id and removes the event from the outbox and the store", async () => {
  const edge = new FakeEdge();
  const store = new MemoryOutboxStore();
  const client = edge.client({ store });
  const acked: string[] = [];
  client.on("ack", (id) => acked.push(id));
  try {
    const sent = client.send("treasure.collected", { gold: 1 });
    assert.equal(client.outboxDepth, 1);
    assert.equal(store.size, 1);
    const frame = await edge.untilFrames(1);
    frame.socket.ack("e-1");
    assert.deepEqual(await sent, { id: "e-1" });
    assert.equal(client.outboxDepth, 0);
    assert.equal(store.size, 0);
    assert.deepEqual(acked, ["e-1"]);
    assert.deepEqual(client.stats, { sent: 1, acked: 1, rejected: 0, resent: 0, reconnects: 0 });
    frame.socket.ack("e-1");
    assert.equal(client.stats.acked, 1, "a second ack for the same id changes nothing");
  } finally {
    await client.close();
  }
});

Deno.test("a permanent reject rejects send() with its code and drops the event", async () => {
  const edge = new FakeEdge();
  const client = edge.client();
  const rejected: [string, string][] = [];
  client.on("reject", (id, error) => rejected.push([id, error.code]));
  try {
    const bad = outcome(client.send("lobby.ping"));
    const good = client.send("player.moved");
    const frame = await edge.untilFrames(1);
    frame.socket.reply({
      acks: ["e-2"],
      rejects: [{ id: "e-1", code: "NO_ROUTE", message: "no route matches type lobby.ping" }],
    });
    const { error } = await bad;
    assert.ok(error instanceof VeltrixClientError);
    assert.equal(error.code, "NO_ROUTE");
    assert.equal(error.id, "e-1");
    assert.equal(error.retryable, false);
    assert.match(error.message, /no route/);
    assert.deepEqual(await good, { id: "e-2" });
    assert.deepEqual(rejected, [["e-1", "NO_ROUTE"]]);
    assert.equal(client.outboxDepth, 0);
    assert.deepEqual(client.stats, { sent: 2, acked: 1, rejected: 1, resent: 0, reconnects: 0 });
  } finally {
    await client.close();
  }
});

Deno.test("a retryable reject resends the same event, same id, after retryAfterMs", async () => {
  const edge = new FakeEdge();
  const client = edge.client();
  try {
    const sent = client.send("treasure.collected", { chest: 3 });
    const first = await edge.untilFrames(1);
    const rejectedAt = performance.now();
    first.socket.reject("e-1", "OVERLOADED", 40);
    const second = await edge.untilFrames(2);
    const waited = performance.now() - rejectedAt;
    assert.ok(waited >= 39, `resent after ${waited} ms`);
    assert.deepEqual(second.events, first.events);
    second.socket.ack("e-1");
    assert.deepEqual(await sent, { id: "e-1" });
    assert.deepEqual(client.stats, { sent: 1, acked: 1, rejected: 0, resent: 1, reconnects: 0 });
  } finally {
    await client.close();
  }
});

Deno.test("a retryable reject without a hint resends after the backoff", async () => {
  const edge = new FakeEdge();
  const client = edge.client({ reconnect: { initialDelayMs: 10, maxDelayMs: 10 } });
  try {
    const sent = client.send("player.moved");
    let frame = await edge.untilFrames(1);
    for (const code of ["KAFKA_WRITE_FAILED", "NOT_READY", "SHUTTING_DOWN", "INTERNAL"]) {
      frame.socket.reply({ rejects: [{ id: "e-1", code, message: code }] });
      frame = await edge.untilFrames(edge.frames.length + 1);
      assert.deepEqual(ids(frame), ["e-1"], `resent after ${code}`);
    }
    edge.lastSocket.ack("e-1");
    await sent;
    assert.equal(client.stats.resent, 4);
  } finally {
    await client.close();
  }
});

Deno.test("after a lost connection the client reconnects with growing jittered backoff and resends every unacked event, oldest first", async () => {
  const edge = new FakeEdge();
  const caps = [20, 40, 80, 80];
  const client = edge.client({ reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });
  const states = recordStates(client);
  const failures: string[] = [];
  client.on("error", (error) => failures.push(error.code));
  try {
    const first = [client.send("player.moved", { n: 1 }), client.send("player.moved", { n: 2 })];
    const sentFrame = await edge.untilFrames(1);
    const third = client.send("treasure.collected");
    await edge.untilFrames(2);
    sentFrame.socket.ack("e-2");
    await first[1];

    edge.refuse = 3; // three attempts fail before the upgrade, the fourth gets through
    const droppedAt = performance.now();
    sentFrame.socket.drop(1006);
    assert.equal(client.state, "reconnecting");
    const during = client.send("player.skipped");

    const resent = await edge.untilFrames(3);
    assert.equal(edge.sockets.length, 5);
    assert.deepEqual(
      resent.events,
      [
        { id: "e-1", type: "player.moved", data: { n: 1 } },
        { id: "e-3", type: "treasure.collected" },
        { id: "e-4", type: "player.skipped" },
      ],
      "unacked events first, oldest first, with their ids, then the one sent while reconnecting",
    );
    const gaps = edge.connectedAt.slice(1).map((at, i) => at - (i === 0 ? droppedAt : edge.connectedAt[i]!));
    gaps.forEach((gap, i) =>
      assert.ok(gap <= caps[i]! + TIMER_SLACK_MS, `attempt ${i + 1} came ${gap} ms after, cap ${caps[i]}`)
    );
    assert.deepEqual(failures, ["CONNECT_FAILED", "CONNECT_FAILED", "CONNECT_FAILED"]);

    resent.socket.ack("e-1", "e-3", "e-4");
    await Promise.all([first[0], third, during]);
    assert.deepEqual(states, ["connecting", "open", "reconnecting", "open"]);
    assert.deepEqual(client.stats, { sent: 4, acked: 4, rejected: 0, resent: 2, reconnects: 1 });
  } finally {
    await client.close();
  }
});

Deno.test("a first connection that fails to open counts as a failed attempt and backs off", async () => {
  const edge = new FakeEdge();
  edge.refuse = 2;
  const client = edge.client({ reconnect: { initialDelayMs: 15, maxDelayMs: 1000 } });
  const states = recordStates(client);
  try {
    const sent = client.send("player.moved");
    const frame = await edge.untilFrames(1);
    assert.equal(edge.sockets.length, 3);
    assert.ok(
      edge.connectedAt[2]! - edge.connectedAt[1]! <= 30 + TIMER_SLACK_MS,
      "the second retry waits at most 2 × 15 ms",
    );
    assert.deepEqual(states, ["connecting", "reconnecting", "open"]);
    frame.socket.ack("e-1");
    await sent;
    assert.equal(client.stats.sent, 1);
    assert.equal(client.stats.resent, 0, "an event is only sent once a connection is open");
  } finally {
    await client.close();
  }
});

Deno.test("a close with 1001 (edge shutting down) reconnects promptly, within initialDelayMs, whatever the backoff had grown to", async () => {
  const edge = new FakeEdge();
  edge.refuse = 3;
  const client = edge.client({ reconnect: { initialDelayMs: 20, maxDelayMs: 10_000 } });
  try {
    const socket = await edge.untilOpen(client, 4);
    const sent = client.send("player.moved");
    await edge.untilFrames(1);
    socket.reply({ rejects: [{ id: "e-1", code: "SHUTTING_DOWN", message: "draining", retryAfterMs: 5000 }] });
    const closedAt = performance.now();
    socket.drop(1001);
    const resent = await edge.untilFrames(2);
    const gap = edge.connectedAt[4]! - closedAt;
    assert.ok(gap <= 20 + TIMER_SLACK_MS, `reconnected after ${gap} ms`);
    assert.deepEqual(ids(resent), ["e-1"], "the reconnect resends at once, not after the old edge's hint");
    resent.socket.ack("e-1");
    await sent;
  } finally {
    await client.close();
  }
});

Deno.test("the reconnect backoff starts over after a connection that heard back from the edge", async () => {
  const edge = new FakeEdge();
  edge.refuse = 4;
  const client = edge.client({ reconnect: { initialDelayMs: 10, maxDelayMs: 10_000 } });
  try {
    const socket = await edge.untilOpen(client, 5);
    const sent = client.send("player.moved");
    (await edge.untilFrames(1)).socket.ack("e-1");
    await sent;
    const droppedAt = performance.now();
    socket.drop(1006);
    await edge.untilOpen(client, 6);
    const gap = edge.connectedAt[5]! - droppedAt;
    assert.ok(gap <= 10 + TIMER_SLACK_MS, `reconnected after ${gap} ms`);
  } finally {
    await client.close();
  }
});

Deno.test("a token function is called again for each connection, and its token goes in the subprotocol list", async () => {
  const edge = new FakeEdge();
  let calls = 0;
  const client = edge.client({
    url: "ws://edge.test/v1/ingest?region=eu",
    token: () => Promise.resolve(`jwt-${++calls}`),
    reconnect: { initialDelayMs: 5, maxDelayMs: 5 },
  });
  try {
    (await edge.untilOpen(client)).drop(1006);
    await edge.untilOpen(client, 2);
    assert.equal(calls, 2);
    assert.deepEqual(edge.sockets.map((socket) => socket.token), ["jwt-1", "jwt-2"]);
    assert.deepEqual(edge.lastSocket.protocols, ["veltrix.v1", "veltrix.bearer.jwt-2"]);
    assert.equal(new URL(edge.lastSocket.url).searchParams.get("region"), "eu");
    assert.equal(new URL(edge.lastSocket.url).searchParams.has("token"), false, "no token in the URL");
    assert.equal(client.stats.reconnects, 1);
  } finally {
    await client.close();
  }
});

Deno.test("tokenIn: query puts the token in ?token= and offers no subprotocol (old edges)", async () => {
  const edge = new FakeEdge();
  const client = edge.client({ token: "jwt-q", tokenIn: "query" });
  try {
    const socket = await edge.untilOpen(client);
    assert.equal(new URL(socket.url).searchParams.get("token"), "jwt-q");
    assert.deepEqual(socket.protocols, []);
  } finally {
    await client.close();
  }
});

/** An unsigned JWT-shaped token for `sub`, expiring at `exp` (the client never verifies). */
function jwtExpiringAt(sub: string, exp: number): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
  return `${part({ alg: "HS256" })}.${part({ sub, exp })}.sig`;
}

Deno.test("a token function is asked for a fresh token before expiry, sent in-band, and again after each session reply", async () => {
  const edge = new FakeEdge();
  let calls = 0;
  // Each token lives about 1.2 s: the refresh comes a second before its exp.
  const client = edge.client({ token: () => jwtExpiringAt("p", (calls++, Date.now() / 1000 + 1.2)) });
  try {
    const socket = await edge.untilOpen(client);
    await edge.until(() => socket.refreshes.length === 1, "a refresh");
    assert.equal(edge.sockets.length, 1, "refreshed on the same connection");
    socket.reply({ session: { expiresAt: Date.now() / 1000 + 1.2 } });
    await edge.until(() => socket.refreshes.length === 2, "a second refresh after the session reply");
    assert.equal(calls, 3);
  } finally {
    await client.close();
  }
});

Deno.test("a close with TOKEN_EXPIRED (4001) reconnects promptly with a fresh token and resends unacked events", async () => {
  const edge = new FakeEdge();
  let calls = 0;
  const client = edge.client({
    token: () => `jwt-${++calls}`,
    reconnect: { initialDelayMs: 5, maxDelayMs: 60_000 },
  });
  try {
    const first = await edge.untilOpen(client);
    const sent = outcome(client.send("a.b"));
    await edge.untilFrames(1);
    first.drop(4001);
    const second = await edge.untilOpen(client, 2);
    assert.equal(second.token, "jwt-2");
    const resent = await edge.untilFrames(2);
    assert.deepEqual(ids(resent), ["e-1"]);
    second.ack("e-1");
    assert.deepEqual((await sent).value, { id: "e-1" });
  } finally {
    await client.close();
  }
});

Deno.test("a token function that throws is a failed attempt: reported as TOKEN_FAILED, then tried again", async () => {
  const edge = new FakeEdge();
  let calls = 0;
  const client = edge.client({
    token: () => {
      if (++calls === 1) throw new Error("token service down");
      return "jwt";
    },
    reconnect: { initialDelayMs: 5, maxDelayMs: 5 },
  });
  const errors: string[] = [];
  client.on("error", (error) => errors.push(error.code));
  try {
    await edge.untilOpen(client);
    assert.deepEqual(errors, ["TOKEN_FAILED"]);
    assert.equal(edge.sockets.length, 1);
  } finally {
    await client.close();
  }
});

Deno.test("send() rejects with OUTBOX_FULL once maxOutbox events are unacked, and takes events again after an ack", async () => {
  const edge = new FakeEdge();
  const client = edge.client({ maxOutbox: 2 });
  try {
    const sends = [client.send("player.moved"), client.send("player.moved")];
    const full = await outcome(client.send("player.moved"));
    assert.equal(full.error?.code, "OUTBOX_FULL");
    assert.equal(full.error?.retryable, true);
    assert.equal(client.outboxDepth, 2);
    (await edge.untilFrames(1)).socket.ack("e-1");
    await sends[0];
    const next = client.send("player.moved");
    assert.equal(client.outboxDepth, 2);
    (await edge.untilFrames(2)).socket.ack("e-2", "e-3");
    await Promise.all([sends[1], next]);
  } finally {
    await client.close();
  }
});

Deno.test("send() rejects with INVALID_EVENT, sending nothing, for an unusable id or data JSON cannot hold", async () => {
  const edge = new FakeEdge();
  const factory = ["", "x".repeat(65), "dup", "dup"];
  const client = edge.client({ idFactory: () => factory.shift() ?? "ok" });
  try {
    assert.equal((await outcome(client.send("t"))).error?.code, "INVALID_EVENT");
    assert.equal((await outcome(client.send("t"))).error?.code, "INVALID_EVENT");
    const dup = client.send("t");
    assert.equal((await outcome(client.send("t"))).error?.code, "INVALID_EVENT");
    const big = await outcome(client.send("t", { n: 1n } as never));
    assert.equal(big.error?.code, "INVALID_EVENT");
    assert.equal(client.outboxDepth, 1);
    (await edge.untilFrames(1)).socket.ack("dup");
    await dup;
  } finally {
    await client.close();
  }
});

Deno.test("close() flushes at once, waits for the outbox to drain, then closes the socket", async () => {
  const edge = new FakeEdge();
  const client = edge.client({ batchWindowMs: 10_000 });
  const states = recordStates(client);
  const socket = await edge.untilOpen(client);
  const sends = [client.send("player.moved"), client.send("treasure.collected")];
  const closing = client.close();
  assert.equal(client.state, "closing");
  assert.equal((await outcome(client.send("player.moved"))).error?.code, "CLOSED");
  const frame = await edge.untilFrames(1);
  assert.deepEqual(ids(frame), ["e-1", "e-2"]);
  socket.ack("e-1", "e-2");
  assert.deepEqual(await closing, { unacked: [] });
  assert.deepEqual(await Promise.all(sends), [{ id: "e-1" }, { id: "e-2" }]);
  assert.equal(client.state, "closed");
  assert.equal(socket.closedWith, 1000);
  assert.deepEqual(states, ["connecting", "open", "closing", "closed"]);
  assert.equal(client.close(), closing, "close() again returns the same promise");
});

Deno.test("close() keeps reconnecting while it flushes", async () => {
  const edge = new FakeEdge();
  edge.autoAck = true;
  const client = edge.client({ reconnect: { initialDelayMs: 5, maxDelayMs: 5 } });
  const socket = await edge.untilOpen(client);
  edge.autoAck = false;
  const sent = client.send("player.moved");
  await edge.untilFrames(1);
  edge.autoAck = true;
  const closing = client.close();
  socket.drop(1006);
  assert.deepEqual(await closing, { unacked: [] });
  await sent;
  assert.equal(client.state, "closed");
});

Deno.test("close() returns what is still unacked after flushTimeoutMs, rejects their sends with CLOSED, and keeps them in the store", async () => {
  const edge = new FakeEdge();
  const store = new MemoryOutboxStore();
  const client = edge.client({ store });
  const sends = [outcome(client.send("player.moved", { x: 1 })), outcome(client.send("treasure.collected"))];
  await edge.untilFrames(1);
  const { unacked } = await client.close({ flushTimeoutMs: 30 });
  assert.deepEqual(unacked.map(({ id, type, data }) => ({ id, type, data })), [
    { id: "e-1", type: "player.moved", data: { x: 1 } },
    { id: "e-2", type: "treasure.collected", data: undefined },
  ]);
  assert.ok(unacked.every((entry) => typeof entry.firstSentAt === "number"));
  for (const { error } of await Promise.all(sends)) {
    assert.equal(error?.code, "CLOSED");
    assert.equal(error?.retryable, true);
  }
  assert.equal(client.outboxDepth, 0);
  assert.deepEqual(store.load().map((entry) => entry.id), ["e-1", "e-2"]);
  assert.equal(client.state, "closed");
});

Deno.test("WebStorageOutboxStore: after a reload a new client resends the stored events (same ids) and reports their acks", async () => {
  const storage = new MemoryStorage();
  const edge = new FakeEdge();
  // The page before the reload: two events go out, no ack comes back, and the page goes away.
  const before = edge.client({ store: new WebStorageOutboxStore(storage), idFactory: () => crypto.randomUUID() });
  void outcome(before.send("player.moved", { x: 1 }));
  void outcome(before.send("treasure.collected", { gold: 5 }));
  const lost = await edge.untilFrames(1);
  assert.equal(storage.length, 2);

  const after = edge.client({ store: new WebStorageOutboxStore(storage) });
  const recovered: OutboxEntry[][] = [];
  const acked: string[] = [];
  after.on("recovered", (entries) => recovered.push(entries));
  after.on("ack", (id) => acked.push(id));
  try {
    const fresh = after.send("player.skipped");
    const resent = await edge.untilFrames(2);
    assert.equal(resent.socket, edge.lastSocket);
    assert.deepEqual(resent.events, [...lost.events, { id: "e-1", type: "player.skipped" }]);
    assert.deepEqual(recovered.map((entries) => entries.map((entry) => entry.id)), [ids(lost)]);
    assert.equal(after.outboxDepth, 3);
    resent.socket.ack(...ids(resent));
    await fresh;
    assert.deepEqual(acked, ids(resent));
    assert.equal(after.outboxDepth, 0);
    assert.equal(storage.length, 0);
    assert.deepEqual(after.stats, { sent: 1, acked: 3, rejected: 0, resent: 2, reconnects: 0 });
  } finally {
    await after.close();
  }
});

Deno.test("recovered events report a permanent reject through the reject event", async () => {
  const store = new MemoryOutboxStore();
  store.put({ id: "old", type: "Bad Type" });
  const edge = new FakeEdge();
  const client = edge.client({ store });
  const rejected: [string, string][] = [];
  client.on("reject", (id, error) => rejected.push([id, error.code]));
  try {
    (await edge.untilFrames(1)).socket.reject("old", "INVALID_EVENT");
    assert.deepEqual(rejected, [["old", "INVALID_EVENT"]]);
    assert.equal(store.size, 0);
  } finally {
    await client.close();
  }
});

Deno.test("an async store: recovered events go before events sent while it loads, and puts land before deletes", async () => {
  const log: string[] = [];
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
  const inner = new MemoryOutboxStore();
  inner.put({ id: "old", type: "player.moved" });
  const store: OutboxStore = {
    async load() {
      await tick();
      return inner.load();
    },
    async put(entry) {
      await tick();
      log.push(`put ${entry.id}`);
      inner.put(entry);
    },
    delete(id) {
      log.push(`delete ${id}`);
      inner.delete(id);
      return Promise.resolve();
    },
  };
  const edge = new FakeEdge();
  edge.autoAck = true;
  const client = edge.client({ store });
  try {
    const sent = client.send("player.moved");
    const frame = await edge.untilFrames(1);
    assert.deepEqual(ids(frame), ["old", "e-1"]);
    await sent;
  } finally {
    await client.close();
  }
  assert.deepEqual(log, ["put e-1", "delete old", "delete e-1"]);
  assert.equal(inner.size, 0);
});

Deno.test("a store that throws is reported as STORE_FAILED and the event is still delivered", async () => {
  const storage = new MemoryStorage();
  storage.failWrites = new Error("QuotaExceededError");
  const edge = new FakeEdge();
  const client = edge.client({ store: new WebStorageOutboxStore(storage) });
  const errors: string[] = [];
  client.on("error", (error) => errors.push(error.code));
  try {
    const sent = client.send("player.moved");
    (await edge.untilFrames(1)).socket.ack("e-1");
    await sent;
    assert.deepEqual(errors, ["STORE_FAILED"]);
  } finally {
    await client.close();
  }
});

Deno.test("a frame the edge could not read is reported as an error event and its events are resent", async () => {
  const edge = new FakeEdge();
  const client = edge.client({ reconnect: { initialDelayMs: 5, maxDelayMs: 5 } });
  const errors: string[] = [];
  client.on("error", (error) => errors.push(error.code));
  try {
    const sent = client.send("player.moved");
    const frame = await edge.untilFrames(1);
    frame.socket.reply({ error: { code: "INVALID_FRAME", message: "frame is not valid JSON" } });
    assert.deepEqual(ids(await edge.untilFrames(2)), ["e-1"]);
    edge.lastSocket.ack("e-1");
    await sent;
    assert.deepEqual(errors, ["INVALID_FRAME"]);
    edge.lastSocket.onmessage?.({ data: "not json" });
    assert.deepEqual(errors, ["INVALID_FRAME", "INVALID_REPLY"]);
  } finally {
    await client.close();
  }
});

Deno.test("new VeltrixClient() throws at once for a URL that does not parse or a bad bound", () => {
  const edge = new FakeEdge();
  assert.throws(() => new VeltrixClient({ url: "not a url", token: "t", WebSocket: edge.WebSocket }), TypeError);
  assert.throws(
    () => new VeltrixClient({ url: "ws://x", token: "t", WebSocket: edge.WebSocket, maxBatchEvents: 0 }),
    RangeError,
  );
  assert.equal(edge.sockets.length, 0);
});
