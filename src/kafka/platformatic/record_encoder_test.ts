import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { OutboundRecord } from "../../core/routing/record_sink.ts";
import { RecordEncoder } from "./record_encoder.ts";

const headers = (id: string) => ({ "veltrix-event-id": id, "veltrix-route-version": "7", "content-type": "x" });
const text = (bytes: Uint8Array | undefined) => bytes === undefined ? undefined : new TextDecoder().decode(bytes);

Deno.test("RecordEncoder.encode() gives Buffers for key, value and headers, in order", () => {
  const records: OutboundRecord[] = [
    { topic: "a", key: "player-1", value: new Uint8Array([1, 2, 3]), headers: headers("e-1") },
    { topic: "b", key: null, value: "é €", headers: headers("e-2") },
  ];
  const [first, second] = new RecordEncoder().encode(records);
  assert.ok(Buffer.isBuffer(first!.key) && Buffer.isBuffer(first!.value));
  assert.deepEqual([first!.topic, text(first!.key), [...first!.value]], ["a", "player-1", [1, 2, 3]]);
  assert.deepEqual([second!.topic, second!.key, text(second!.value)], ["b", undefined, "é €"]);
  for (const [name, value] of first!.headers) assert.ok(Buffer.isBuffer(name) && Buffer.isBuffer(value));
  assert.deepEqual(
    [...second!.headers].map(([name, value]) => [text(name), text(value)]),
    Object.entries(headers("e-2")),
  );
});

Deno.test("RecordEncoder.encode() views a byte value's memory instead of copying it", () => {
  const memory = new Uint8Array([9, 8, 7, 6, 5]);
  const value = memory.subarray(1, 4);
  const [message] = new RecordEncoder().encode([{ topic: "t", key: "k", value, headers: {} }]);
  assert.equal(message!.value.buffer, memory.buffer);
  assert.deepEqual([message!.value.byteOffset, message!.value.byteLength], [1, 3]);
});

Deno.test("RecordEncoder.encode() encodes header names once, and reuses a repeated header value", () => {
  const encoder = new RecordEncoder();
  const [one] = encoder.encode([{ topic: "t", key: "k", value: "v", headers: headers("e-1") }]);
  const [two] = encoder.encode([{ topic: "t", key: "k", value: "v", headers: headers("e-2") }]);
  const names = (m: typeof one) => [...m!.headers.keys()];
  names(one).forEach((name, i) => assert.equal(name, names(two)[i], "the same Buffer for each header name"));
  const values = (m: typeof one) => [...m!.headers.values()];
  assert.notEqual(values(one)[0], values(two)[0], "event ids differ");
  assert.equal(values(one)[1], values(two)[1], "the route version's bytes are reused");
  assert.equal(values(one)[2], values(two)[2], "the content type's bytes are reused");
});

Deno.test("RecordEncoder.encode() shares one header Map and one value among the records of an event", () => {
  const shared = headers("e-1"), value = new Uint8Array([1]);
  const [a, b] = new RecordEncoder().encode([
    { topic: "a", key: "p", value, headers: shared },
    { topic: "b", key: "p", value, headers: shared },
  ]);
  assert.equal(a!.headers, b!.headers);
  assert.equal(a!.value, b!.value);
  assert.equal(a!.key, b!.key);
});

Deno.test("RecordEncoder.encode() throws a TypeError on a malformed record, before any client sees it", () => {
  const encoder = new RecordEncoder();
  const bad = (record: Record<string, unknown>) => () =>
    encoder.encode([{ topic: "t", key: "k", value: "v", headers: {}, ...record } as unknown as OutboundRecord]);
  assert.throws(bad({ value: 42 }), TypeError);
  assert.throws(bad({ key: 7 }), TypeError);
  assert.throws(bad({ topic: "" }), TypeError);
  assert.throws(bad({ headers: { h: 1 } }), TypeError);
  assert.throws(bad({ headers: null }), TypeError);
});
