/**
 * The Veltrix game-client SDK: send events to a Veltrix edge over WebSocket and learn when Kafka
 * has them. Web-standard only (WebSocket, crypto, timers): it runs in browsers, Deno and Node 20+.
 *
 * - {@link VeltrixClient} batches events into frames, resolves each `send()` on the edge's ack,
 *   resends unacked events with the same ids after retryable rejects and on every reconnect, and
 *   reconnects with jittered exponential backoff.
 * - {@link MemoryOutboxStore} (default) and {@link WebStorageOutboxStore} keep the outbox; the
 *   latter lets unacked events survive a tab reload.
 * - {@link uuidv7} makes the default event ids.
 *
 * In Deno, pass npm `ws`'s WebSocket: Deno's own client does not set TCP_NODELAY.
 *
 * This file is the folder's API for code outside `src/`
 * (tools, benches, examples, applications), which imports it and no other file of the folder;
 * folders inside `src/` import the files they need directly, along the arrows that
 * `tests/architecture_test.ts` checks.
 *
 * @example
 * ```ts ignore
 * import WebSocket from "npm:ws";
 * import { VeltrixClient } from "./mod.ts";
 *
 * const client = new VeltrixClient({ url: "ws://127.0.0.1:8787/v1/ingest", token: "<jwt>", WebSocket });
 * const { id } = await client.send("treasure.collected", { chest: 7, gold: 40 });
 * await client.close();
 * ```
 *
 * @module
 */

export type { BackoffOptions } from "./backoff.ts";
export type { JsonValue } from "./outbox_store/json_value.ts";
export { MemoryOutboxStore } from "./outbox_store/memory_outbox_store.ts";
export type { OutboxEntry, OutboxStore } from "./outbox_store/outbox_store.ts";
export { uuidv7 } from "./uuidv7.ts";
export { VeltrixClient } from "./veltrix_client.ts";
export { type ClientErrorCode, isRetryableCode, VeltrixClientError } from "./veltrix_client_error.ts";
export type { VeltrixClientEvents } from "./veltrix_client_events.ts";
export type { SendOptions, VeltrixClientOptions } from "./veltrix_client_options.ts";
export type { VeltrixClientState } from "./veltrix_client_state.ts";
export type { VeltrixClientStats } from "./veltrix_client_stats.ts";
export { type StorageLike, WebStorageOutboxStore } from "./outbox_store/web_storage_outbox_store.ts";
export type { WebSocketConstructor, WebSocketLike } from "./websocket_like.ts";
