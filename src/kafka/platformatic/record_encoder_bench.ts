import type { OutboundRecord } from "../../core/routing/record_sink.ts";
import { RecordEncoder } from "./record_encoder.ts";

/** 2,000 records shaped as the edge makes them: player key, protobuf value, the three headers. */
const records: OutboundRecord[] = Array.from({ length: 2_000 }, (_, i) => ({
  topic: "game.player-activity",
  key: `player-${String(i % 100).padStart(11, "0")}`,
  value: new Uint8Array(138).fill(i & 255),
  headers: {
    "veltrix-event-id": crypto.randomUUID(),
    "veltrix-route-version": "7",
    "content-type": "application/x-protobuf; messageType=veltrix.v1.RoutedEvent",
  },
}));
const encoder = new RecordEncoder();

Deno.bench("RecordEncoder.encode() of a 2,000-record batch", () => {
  encoder.encode(records);
});
