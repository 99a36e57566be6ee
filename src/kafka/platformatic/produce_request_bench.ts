import { Buffer } from "node:buffer";
import { produceV11 } from "@platformatic/kafka";
import type { OutboundRecord } from "../../core/routing/record_sink.ts";
import { orderLikeClient, ProduceRequestEncoder, type TopicBatches } from "./produce_request.ts";
import { RecordEncoder } from "./record_encoder.ts";

/** Records shaped as the edge makes them: player key, protobuf value, the three headers; two records per event. */
function request(events: number): TopicBatches[] {
  const records: OutboundRecord[] = [];
  for (let i = 0; i < events; i++) {
    const headers = {
      "veltrix-event-id": crypto.randomUUID(),
      "veltrix-route-version": "7",
      "content-type": "application/x-protobuf; messageType=veltrix.v1.RoutedEvent",
    };
    const key = `player-${String(i % 100).padStart(11, "0")}`;
    const value = new Uint8Array(138).fill(i & 255);
    records.push({ topic: "game.treasure", key, value, headers }, { topic: "game.leaderboard", key, value, headers });
  }
  const messages = new RecordEncoder().encode(records);
  return orderLikeClient(["game.treasure", "game.leaderboard"].map((topic) => ({
    topic,
    partitions: [0, 1, 2, 3, 4, 5].map((partition) => ({
      partition,
      firstSequence: 0,
      messages: messages.filter((m, i) => m.topic === topic && i % 6 === partition),
    })),
  })));
}

for (const events of [8, 2_000]) {
  const topics = request(events);
  const encoder = new ProduceRequestEncoder();
  const identity = { producerId: 4242, producerEpoch: 0 };
  Deno.bench(`ProduceRequestEncoder: a request of ${events} events (two records each)`, { group: `${events}` }, () => {
    for (const t of topics) for (const p of t.partitions) p.bytes = undefined;
    encoder.encode(topics, -1, 30_000, identity, Date.now());
  });
  const sequences = { getWithDefault: () => 0 };
  Deno.bench(`the client's produceV11.createRequest: the same request`, { group: `${events}`, baseline: true }, () => {
    const messages = topics.flatMap((t) =>
      t.partitions.flatMap((p) => p.messages.map((m) => ({ ...m, partition: p.partition })))
    );
    const writer = produceV11.createRequest(
      -1,
      30_000,
      messages,
      { producerId: 4242n, producerEpoch: 0, sequences } as never,
    );
    Buffer.from(writer.buffer);
  });
}
