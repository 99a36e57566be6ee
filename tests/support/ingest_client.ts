import { create, fromBinary, fromJson, type JsonValue, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema, ServerFrameSchema } from "../../src/gen/veltrix/v1/event_pb.ts";

/** An event as a test sends it. */
export interface TestEvent {
  id: string;
  type: string;
  data?: JsonValue;
}

/** A reply frame, decoded from either encoding into the JSON shape. */
export interface Reply {
  acks?: string[];
  rejects?: { id: string; code: string; message: string; retryAfterMs?: number }[];
  error?: { code: string; message: string };
  session?: { expiresAt: number };
}

/**
 * A minimal game client for tests: sends JSON or protobuf frames and records every reply, so a
 * test can wait for the acks or rejects it expects.
 */
export class IngestClient {
  readonly replies: Reply[] = [];
  readonly acked = new Map<string, number>();
  readonly rejected = new Map<string, { code: string; message: string }>();
  /** Resolves with the close code and reason once the connection has closed, from either side. */
  readonly closed: Promise<{ readonly code: number; readonly reason: string }>;
  readonly #socket: WebSocket;
  #waiters: (() => void)[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => resolve({ code: event.code, reason: event.reason }), { once: true });
    });
    socket.binaryType = "arraybuffer";
    socket.onmessage = (message: MessageEvent<string | ArrayBuffer>) => {
      const reply: Reply = typeof message.data === "string"
        ? JSON.parse(message.data)
        : decodeBinaryReply(new Uint8Array(message.data));
      this.replies.push(reply);
      const now = performance.now();
      for (const id of reply.acks ?? []) this.acked.set(id, now);
      for (const reject of reply.rejects ?? []) this.rejected.set(reject.id, reject);
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    };
  }

  /** Opens a connection to `url` with `token` in the query string. */
  static connect(url: string, token: string): Promise<IngestClient> {
    const socket = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(new IngestClient(socket));
      socket.onerror = (event) => reject(new Error(`connect failed: ${(event as ErrorEvent).message ?? "error"}`));
    });
  }

  /** Sends events as one JSON text frame. */
  sendJson(events: TestEvent[]): void {
    this.#socket.send(JSON.stringify({ events }));
  }

  /** Sends events as one protobuf binary frame. */
  sendBinary(events: TestEvent[]): void {
    const frame = create(ClientFrameSchema, {
      events: events.map((e) => ({
        id: e.id,
        type: e.type,
        data: e.data === undefined ? undefined : fromJson(ValueSchema, e.data),
      })),
    });
    this.#socket.send(toBinary(ClientFrameSchema, frame));
  }

  /** Sends raw text or bytes as they are. */
  sendRaw(data: string | Uint8Array): void {
    this.#socket.send(data);
  }

  /** Resolves once `done()` holds after some reply, or rejects after `timeoutMs`. */
  async waitFor(done: () => boolean, timeoutMs = 15_000, what = "replies"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Resolves once every id in `ids` is acked. */
  waitForAcks(ids: readonly string[], timeoutMs?: number): Promise<void> {
    return this.waitFor(() => ids.every((id) => this.acked.has(id)), timeoutMs, `acks of ${ids.length} events`);
  }

  /** Closes the connection and waits until it is closed. */
  close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.onclose = () => resolve();
      this.#socket.close();
    });
  }
}

/** A binary `ServerFrame` reply in the JSON reply shape. */
export function decodeBinaryReply(bytes: Uint8Array): Reply {
  const frame = fromBinary(ServerFrameSchema, bytes);
  const reply: Reply = {};
  if (frame.acks.length > 0) reply.acks = frame.acks;
  if (frame.rejects.length > 0) {
    reply.rejects = frame.rejects.map((r) => ({
      id: r.id,
      code: r.code,
      message: r.message,
      retryAfterMs: r.retryAfterMs,
    }));
  }
  if (frame.error) reply.error = { code: frame.error.code, message: frame.error.message };
  if (frame.session) reply.session = { expiresAt: frame.session.expiresAt };
  return reply;
}
