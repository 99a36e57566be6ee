/**
 * Frame decode and reply encode, JSON and protobuf, for a frame of 20 treasure-hunt events and
 * the replies to it: the codec as it runs (hand-written protobuf reader and writer), with JSON as
 * the baseline and the protobuf-es path it replaced (`fromBinary` + `toJson`, `create` +
 * `toBinary`) alongside.
 *
 * `deno bench src/core/frames/client_frame_codec_bench.ts`
 *
 * @module
 */
import { create, fromJson, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema } from "../../gen/veltrix/v1/event_pb.ts";
import {
  decodeBinaryClientFrameWithProtobufEs,
  encodeBinaryServerFrameWithProtobufEs,
} from "./testing/protobuf_es_codec.ts";
import {
  decodeBinaryClientFrame,
  decodeJsonClientFrame,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
} from "./client_frame_codec.ts";
import type { ServerReply } from "./frame_types.ts";

const events = Array.from({ length: 20 }, (_, i) => ({
  id: `01890a5d-ac96-774b-bcce-b302099a${String(i).padStart(4, "0")}`,
  type: i % 3 === 0 ? "treasure.collected" : "player.moved",
  data: { x: i * 7, y: i * 11, zone: i % 9, chest: `chest-${i}` },
}));
const json = JSON.stringify({ events });
const binary = toBinary(
  ClientFrameSchema,
  create(ClientFrameSchema, { events: events.map((e) => ({ ...e, data: fromJson(ValueSchema, e.data) })) }),
);
const acks: ServerReply = { acks: events.map((e) => e.id) };
const oneAck: ServerReply = { acks: [events[0]!.id] };
const mixed: ServerReply = {
  acks: events.slice(0, 10).map((e) => e.id),
  rejects: events.slice(10).map((e) => ({
    id: e.id,
    code: "RATE_LIMITED",
    message: "sending faster than the rate limit",
    retryAfterMs: 250,
  })),
};

Deno.bench("decode a JSON frame of 20 events", { group: "decode", baseline: true }, () => {
  decodeJsonClientFrame(json);
});
Deno.bench("decode a protobuf frame of 20 events (hand-written)", { group: "decode" }, () => {
  decodeBinaryClientFrame(binary);
});
Deno.bench("decode a protobuf frame of 20 events (protobuf-es)", { group: "decode" }, () => {
  decodeBinaryClientFrameWithProtobufEs(binary);
});

Deno.bench("encode a JSON reply of 20 acks", { group: "encode 20 acks", baseline: true }, () => {
  encodeJsonServerFrame(acks);
});
Deno.bench("encode a protobuf reply of 20 acks (hand-written)", { group: "encode 20 acks" }, () => {
  encodeBinaryServerFrame(acks);
});
Deno.bench("encode a protobuf reply of 20 acks (protobuf-es)", { group: "encode 20 acks" }, () => {
  encodeBinaryServerFrameWithProtobufEs(acks);
});

Deno.bench("encode a JSON reply of 1 ack", { group: "encode 1 ack", baseline: true }, () => {
  encodeJsonServerFrame(oneAck);
});
Deno.bench("encode a protobuf reply of 1 ack (hand-written)", { group: "encode 1 ack" }, () => {
  encodeBinaryServerFrame(oneAck);
});
Deno.bench("encode a protobuf reply of 1 ack (protobuf-es)", { group: "encode 1 ack" }, () => {
  encodeBinaryServerFrameWithProtobufEs(oneAck);
});

Deno.bench("encode a JSON reply of 10 acks and 10 rejects", { group: "encode rejects", baseline: true }, () => {
  encodeJsonServerFrame(mixed);
});
Deno.bench("encode a protobuf reply of 10 acks and 10 rejects (hand-written)", { group: "encode rejects" }, () => {
  encodeBinaryServerFrame(mixed);
});
Deno.bench("encode a protobuf reply of 10 acks and 10 rejects (protobuf-es)", { group: "encode rejects" }, () => {
  encodeBinaryServerFrameWithProtobufEs(mixed);
});
