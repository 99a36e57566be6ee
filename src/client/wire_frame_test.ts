import assert from "node:assert/strict";
import { decodeReplyFrame, encodeEventFrame, encodeWireEvent } from "./wire_frame.ts";

Deno.test("encodeWireEvent() writes id, type and data, and leaves data out when there is none", () => {
  assert.equal(
    encodeWireEvent({ id: "e-1", type: "t", data: { a: [1, null] } }),
    '{"id":"e-1","type":"t","data":{"a":[1,null]}}',
  );
  assert.equal(encodeWireEvent({ id: "e-1", type: "t", firstSentAt: 5 }), '{"id":"e-1","type":"t"}');
  assert.equal(encodeWireEvent({ id: "e-1", type: "t", data: null }), '{"id":"e-1","type":"t","data":null}');
});

Deno.test("encodeWireEvent() throws for data JSON cannot hold", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  // deno-lint-ignore no-explicit-any
  assert.throws(() => encodeWireEvent({ id: "e", type: "t", data: cycle as any }), TypeError);
});

Deno.test("encodeEventFrame() makes one JSON frame the edge reads", () => {
  const frame = encodeEventFrame([encodeWireEvent({ id: "a", type: "t" }), encodeWireEvent({ id: "b", type: "u" })]);
  assert.deepEqual(JSON.parse(frame), { events: [{ id: "a", type: "t" }, { id: "b", type: "u" }] });
});

Deno.test("decodeReplyFrame() reads acks, rejects and errors, possibly together", () => {
  assert.deepEqual(decodeReplyFrame('{"acks":["a","b"]}'), { acks: ["a", "b"], rejects: [] });
  assert.deepEqual(
    decodeReplyFrame(
      '{"acks":["a"],"rejects":[{"id":"b","code":"OVERLOADED","message":"busy","retryAfterMs":250},' +
        '{"id":"c","code":"NO_ROUTE","message":"none"}]}',
    ),
    {
      acks: ["a"],
      rejects: [
        { id: "b", code: "OVERLOADED", message: "busy", retryAfterMs: 250 },
        { id: "c", code: "NO_ROUTE", message: "none" },
      ],
    },
  );
  assert.deepEqual(decodeReplyFrame('{"error":{"code":"INVALID_FRAME","message":"not JSON"}}'), {
    acks: [],
    rejects: [],
    error: { code: "INVALID_FRAME", message: "not JSON" },
  });
});

Deno.test("decodeReplyFrame() skips entries of the wrong shape and throws for a frame that is not an object", () => {
  assert.deepEqual(
    decodeReplyFrame('{"acks":["a",7,null],"rejects":[{"id":"x"},5,{"id":"y","code":"NO_ROUTE","retryAfterMs":-1}]}'),
    { acks: ["a"], rejects: [{ id: "y", code: "NO_ROUTE", message: "NO_ROUTE" }] },
  );
  assert.throws(() => decodeReplyFrame("not json"), TypeError);
  assert.throws(() => decodeReplyFrame("[1]"), TypeError);
});

Deno.test("encodeWireEvent() writes traceparent and tracestate when the event has them", () => {
  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  assert.equal(
    encodeWireEvent({ id: "e-1", type: "t", traceparent, tracestate: "rojo=1" }),
    `{"id":"e-1","type":"t","traceparent":"${traceparent}","tracestate":"rojo=1"}`,
  );
  assert.equal(
    encodeWireEvent({ id: "e-1", type: "t", data: 1, traceparent }),
    `{"id":"e-1","type":"t","data":1,"traceparent":"${traceparent}"}`,
  );
});
