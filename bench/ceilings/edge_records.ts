/**
 * Kafka records exactly as the edge builds them for the treasure-hunt mix
 * (`bench/treasure_hunt_mix.ts`), through the edge's own `buildRecords`: the protobuf
 * `RoutedEvent` value, the player key and the `veltrix-event-id`, `veltrix-route-version` and `content-type` headers. Ids, players
 * and the edge id are shaped like the load benchmark's (`<run>-<worker>-<conn>-<seq>`,
 * `bench-<run>-p<conn>`, `bench-edge-<8 hex>`), so the sizes match what the edge really writes.
 *
 * Run it to print the average record size of the mix under the embedded default route map:
 *
 * ```sh
 * deno run --allow-all bench/ceilings/edge_records.ts [--events 10000] [--players 100]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { JsonValue } from "@bufbuild/protobuf";
import { Format, KeyStrategy } from "../../src/gen/veltrix/v1/route_map_pb.ts";
import {
  buildRecords,
  compileRouteMapOrThrow,
  defaultRouteMap,
  type EventStamp,
  type IncomingEvent,
  type OutboundRecord,
  type Resolution,
  type RouteTable,
} from "../../src/core/mod.ts";
import { mixEntry } from "../treasure_hunt_mix.ts";

/** Names that go into ids, keys and stamps. */
export interface RecordNaming {
  /** Prefix of every event id and player name. */
  readonly run: string;
  /** Distinct players (record keys); event `n` belongs to player `n % players`. @default 100 */
  readonly players: number;
  /** Stamped on every value, as the edge's `VELTRIX_EDGE_ID`. */
  readonly edgeId: string;
  /** Route map version stamped on every record. @default "1" */
  readonly routeVersion?: string;
}

/** A naming with a fresh 8-hex run id and edge id, like the load benchmark's. */
export function benchNaming(players = 100): RecordNaming {
  const hex = () => crypto.randomUUID().replaceAll("-", "").slice(0, 8);
  return { run: hex(), players, edgeId: `bench-edge-${hex()}`, routeVersion: "1" };
}

/** The `n`-th event of the mix, its id and the stamp the edge would give it now. */
export function mixEvent(n: number, naming: RecordNaming, receivedAtMs = Date.now()): {
  event: IncomingEvent;
  stamp: EventStamp;
} {
  const player = n % naming.players;
  const seq = Math.floor(n / naming.players);
  const entry = mixEntry(n);
  return {
    event: { id: `${naming.run}-0-${player}-${seq}`, type: entry.type, data: entry.data(n) as JsonValue },
    stamp: {
      player: `bench-${naming.run}-p${player}`,
      receivedAtMs,
      edgeId: naming.edgeId,
      routeVersion: naming.routeVersion ?? "1",
    },
  };
}

/** The resolution of a one-target route to `topic`: keyed by player, protobuf, like the default map's. */
export function singleTopicResolution(topic: string): Resolution {
  return {
    targets: [{ topic, key: KeyStrategy.PLAYER, format: Format.PROTOBUF }],
    deadLettered: false,
    needsProtobuf: true,
    needsJson: false,
  };
}

const encoder = new TextEncoder();

/** Bytes of one record as Kafka carries them: key + value + every header's name and value. */
export function recordPayloadBytes(record: OutboundRecord): { key: number; value: number; headers: number } {
  const value = typeof record.value === "string" ? encoder.encode(record.value).length : record.value.byteLength;
  const key = record.key === null ? 0 : encoder.encode(record.key).length;
  let headers = 0;
  for (const [name, text] of Object.entries(record.headers)) {
    headers += encoder.encode(name).length + encoder.encode(text).length;
  }
  return { key, value, headers };
}

/** Average sizes of the records the edge writes for the mix. */
export interface MixRecordSizes {
  readonly events: number;
  readonly records: number;
  readonly recordsPerEvent: number;
  readonly avgValueBytes: number;
  readonly avgKeyBytes: number;
  readonly avgHeaderBytes: number;
  /** value + headers, per record. */
  readonly avgValueAndHeaderBytes: number;
  /** key + value + headers, per record: what `ProducerPerformance --record-size` stands in for. */
  readonly avgRecordBytes: number;
}

/**
 * Builds the records of the first `events` events of the mix, routed by `table` (the embedded
 * default map unless given), and averages their sizes per record.
 */
export function measureMixRecordSizes(
  events = 10_000,
  naming: RecordNaming = benchNaming(),
  table: RouteTable = compileRouteMapOrThrow(defaultRouteMap()),
): MixRecordSizes {
  let records = 0, value = 0, key = 0, headers = 0;
  for (let n = 0; n < events; n++) {
    const { event, stamp } = mixEvent(n, { ...naming, routeVersion: table.versionText });
    for (const record of buildRecords(event, table.resolve(event.type), stamp).records) {
      const size = recordPayloadBytes(record);
      records++;
      value += size.value;
      key += size.key;
      headers += size.headers;
    }
  }
  const per = (total: number) => Math.round((total / records) * 10) / 10;
  return {
    events,
    records,
    recordsPerEvent: Math.round((records / events) * 1000) / 1000,
    avgValueBytes: per(value),
    avgKeyBytes: per(key),
    avgHeaderBytes: per(headers),
    avgValueAndHeaderBytes: per(value + headers),
    avgRecordBytes: per(value + key + headers),
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { events: { type: "string", default: "10000" }, players: { type: "string", default: "100" } },
  });
  console.log(JSON.stringify(measureMixRecordSizes(Number(values.events), benchNaming(Number(values.players)))));
}
