/**
 * Frame decode and reply encode, JSON and protobuf, for a frame of 20 treasure-hunt events.
 *
 * `deno bench src/core/client_frame_codec_bench.ts`
 *
 * @module
 */
import { create, fromJson, toBinary } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { ClientFrameSchema } from "../gen/veltrix/v1/event_pb.ts";
import {
  decodeBinaryClientFrame,
  decodeJsonClientFrame,
  encodeBinaryServerFrame,
  encodeJsonServerFrame,
} from "./client_frame_codec.ts";

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
const acks = events.map((e) => e.id);

Deno.bench("decode a JSON frame of 20 events", { group: "decode", baseline: true }, () => {
  decodeJsonClientFrame(json);
});
Deno.bench("decode a protobuf frame of 20 events", { group: "decode" }, () => {
  decodeBinaryClientFrame(binary);
});
Deno.bench("encode a JSON reply of 20 acks", { group: "encode", baseline: true }, () => {
  encodeJsonServerFrame({ acks });
});
Deno.bench("encode a protobuf reply of 20 acks", { group: "encode" }, () => {
  encodeBinaryServerFrame({ acks });
});
