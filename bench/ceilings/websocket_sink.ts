/**
 * Ceiling 3 of the load benchmark: a bare WebSocket sink, the edge without Kafka, auth or routing.
 * It serves `GET <path>` on `Deno.serve` and upgrades through the edge's own
 * `upgradeToWebSocket` (`Deno.upgradeWebSocket`, as the edge does), takes any `?token=` (or none),
 * reads each frame with the edge's decoders (`decodeJsonClientFrame` for text frames,
 * `decodeBinaryClientFrame` for binary ones) and acks every readable event at once through the
 * edge's `ReplyChannel`, so replies have the edge's shape and coalescing: `{"acks":[ids]}` (plus
 * `rejects` for events the edge would reject while reading, or `{"error":…}` for a frame it cannot
 * read), one reply per frame.
 *
 * On start it prints `{"ready":true,"port":N,"pid":P}` on stdout. On SIGTERM (or SIGINT) it prints
 * `{"name":"websocket-sink","frames":n,"events":n,...}` and exits 0. The load generator measures
 * latency against it.
 *
 * Options: `--port` [0, any free port], `--host` [127.0.0.1], `--path` [/v1/ingest].
 *
 * ```sh
 * deno run --allow-all bench/ceilings/websocket_sink.ts --port 0
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  decodeBinaryClientFrame,
  type DecodedClientFrame,
  decodeJsonClientFrame,
  VeltrixError,
} from "../../src/core/mod.ts";
import { ReplyChannel } from "../../src/edge/ingest/reply_channel.ts";
import { upgradeToWebSocket } from "../../src/edge/http/websocket_upgrade.ts";
import { emit, intOption, log } from "./_ceiling_common.ts";

const SCRIPT = "websocket_sink";

/** What the sink has seen. */
export interface SinkCounts {
  connections: number;
  frames: number;
  /** Events acked. */
  events: number;
  rejects: number;
  frameErrors: number;
}

/** The sink's request handler: upgrades `path` and acks every readable event at once. */
export function sinkHandler(path: string, counts: SinkCounts): (request: Request) => Response {
  return (request) => {
    if (new URL(request.url).pathname !== path) return new Response("not found", { status: 404 });
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("upgrade required", { status: 426 });
    }
    return upgradeToWebSocket(request, (socket) => {
      counts.connections++;
      const json = new ReplyChannel(socket, false);
      const binary = new ReplyChannel(socket, true);
      return {
        onMessage(data) {
          counts.frames++;
          const channel = typeof data === "string" ? json : binary;
          let frame: DecodedClientFrame;
          try {
            frame = typeof data === "string"
              ? decodeJsonClientFrame(data)
              : decodeBinaryClientFrame(new Uint8Array(data));
          } catch (error) {
            counts.frameErrors++;
            channel.sendError(VeltrixError.from(error, "INVALID_FRAME"));
            return;
          }
          for (const reject of frame.rejects) channel.reject(reject);
          for (const event of frame.events) channel.delivered(event.id);
          counts.rejects += frame.rejects.length;
          counts.events += frame.events.length;
        },
      };
    });
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      path: { type: "string", default: "/v1/ingest" },
    },
  });
  const counts: SinkCounts = { connections: 0, frames: 0, events: 0, rejects: 0, frameErrors: 0 };
  const started = performance.now();
  const server = Deno.serve(
    { hostname: values.host, port: intOption("port", values.port, 0), onListen: () => {} },
    sinkHandler(values.path, counts),
  );
  const stop = () => {
    emit({
      name: "websocket-sink",
      frames: counts.frames,
      events: counts.events,
      rejects: counts.rejects,
      frameErrors: counts.frameErrors,
      connections: counts.connections,
      uptimeMs: Math.round(performance.now() - started),
    });
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
  log(SCRIPT, `listening on ws://${values.host}:${server.addr.port}${values.path}`);
  emit({ ready: true, port: server.addr.port, pid: Deno.pid });
}

if (import.meta.main) {
  try {
    main();
  } catch (error) {
    log(SCRIPT, (error as Error).stack ?? String(error));
    Deno.exit(1);
  }
}
