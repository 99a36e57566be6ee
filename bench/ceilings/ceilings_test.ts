import assert from "node:assert/strict";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ClientFrameSchema, ServerFrameSchema } from "../../src/gen/veltrix/v1/event_pb.ts";
import { brokerAnswers } from "../../tools/kafka/kafka.ts";
import { measureMixRecordSizes } from "./edge_records.ts";
import { parseSummaryLine } from "./producer_performance.ts";

const here = new URL(".", import.meta.url).pathname;

/** Runs a ceiling script to its end; returns its exit code and its one stdout line, parsed. */
async function runCeiling(script: string, args: string[]): Promise<{ code: number; result: Record<string, unknown> }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${here}${script}`, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  const why = `stdout:\n${stdout}\nstderr:\n${new TextDecoder().decode(out.stderr).slice(-4000)}`;
  assert.equal(lines.length, 1, `expected exactly one stdout line; ${why}`);
  return { code: out.code, result: JSON.parse(lines[0]!) };
}

/** Runs a ceiling script to its end; returns its exit code only. */
async function runCeilingExit(script: string, args: string[]): Promise<{ code: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${here}${script}`, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).output();
  return { code: out.code };
}

async function assertBroker(): Promise<void> {
  assert.ok(await brokerAnswers(5_000), "no Kafka broker on 127.0.0.1:9092: run `deno task kafka up`");
}

function assertCeilingShape(result: Record<string, unknown>, name: string, percentiles: readonly string[]): void {
  assert.equal(result.name, name);
  for (const field of ["achievedRate", "sent", "acked", "recordSize", "durationMs"]) {
    assert.equal(typeof result[field], "number", `${field} is a number`);
  }
  assert.ok((result.sent as number) > 0);
  assert.equal(result.acked, result.sent);
  assert.ok((result.achievedRate as number) > 0);
  assert.ok((result.recordSize as number) > 0);
  const latency = result.latencyMs as Record<string, unknown>;
  for (const p of [...percentiles, "max"]) assert.equal(typeof latency[p], "number", `latencyMs.${p} is a number`);
}

Deno.test("parseSummaryLine() reads ProducerPerformance's final line and skips progress lines", () => {
  assert.deepEqual(
    parseSummaryLine(
      "50000 records sent, 31426.775613 records/sec (10.25 MB/sec), 224.73 ms avg latency, 551.00 ms max latency, " +
        "230 ms 50th, 426 ms 95th, 490 ms 99th, 501 ms 99.9th.",
    ),
    {
      records: 50000,
      recordsPerSec: 31426.775613,
      mbPerSec: 10.25,
      avgMs: 224.73,
      maxMs: 551,
      p50: 230,
      p95: 426,
      p99: 490,
      p999: 501,
    },
  );
  assert.equal(
    parseSummaryLine("7539 records sent, 7509.0 records/sec (2.45 MB/sec), 78.1 ms avg latency, 551.0 ms max latency."),
    undefined,
  );
});

Deno.test("measureMixRecordSizes() counts one record per target of the default map", () => {
  const sizes = measureMixRecordSizes(1_000);
  // treasure.collected (11% of the mix) goes to two topics; everything else to one.
  assert.equal(sizes.recordsPerEvent, 1.11);
  assert.ok(sizes.avgValueBytes > 0 && sizes.avgKeyBytes > 0 && sizes.avgHeaderBytes > 0);
  assert.ok(Math.abs(sizes.avgRecordBytes - (sizes.avgValueBytes + sizes.avgKeyBytes + sizes.avgHeaderBytes)) < 0.5);
});

Deno.test("producer_performance.ts prints one result line with every record acked", async () => {
  await assertBroker();
  const { code, result } = await runCeiling("producer_performance.ts", ["--records", "2000"]);
  assert.equal(code, 0);
  assertCeilingShape(result, "kafka-producer-perf", ["p50", "p95", "p99", "p999"]);
  assert.equal(result.sent, 2000);
});

for (const client of ["platformatic", "kafkajs"]) {
  Deno.test(`client_producer.ts --client ${client} sends a fixed count through the edge's batcher, one batch in flight`, async () => {
    await assertBroker();
    const { code, result } = await runCeiling("client_producer.ts", [
      "--client",
      client,
      "--records",
      "2000",
      "--batch-max-events",
      "500",
    ]);
    assert.equal(code, 0);
    assertCeilingShape(result, `${client}-producer`, ["p50", "p90", "p99", "p999"]);
    assert.equal(result.client, client);
    assert.equal(result.sent, 2000);
    assert.equal(result.inflight, 1);
    assert.ok((result.batches as number) >= 4);
    assert.ok((result.cpuUsPerRecord as number) > 0, "CPU per record is measured");
  });
}

for (const client of ["platformatic", "kafkajs"]) {
  Deno.test(`client_producer.ts --client ${client} runs for a duration with several batches in flight`, async () => {
    await assertBroker();
    const { code, result } = await runCeiling("client_producer.ts", [
      "--client",
      client,
      "--duration-s",
      "1",
      "--inflight",
      "2",
    ]);
    assert.equal(code, 0);
    assertCeilingShape(result, `${client}-producer`, ["p50", "p90", "p99", "p999"]);
    assert.equal(result.inflight, 2);
  });
}

Deno.test("client_producer.ts refuses a client the edge does not know", async () => {
  const { code } = await runCeilingExit("client_producer.ts", ["--client", "rdkafka", "--records", "1"]);
  assert.equal(code, 1);
});

Deno.test("websocket_sink.ts acks like the edge and reports its counts on SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${here}websocket_sink.ts`, "--port", "0"],
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
    while (!buffered.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stdout ended; got ${JSON.stringify(buffered)}`);
      buffered += value;
    }
    const at = buffered.indexOf("\n");
    const line = buffered.slice(0, at);
    buffered = buffered.slice(at + 1);
    return line;
  };
  try {
    const ready = JSON.parse(await nextLine());
    assert.equal(ready.ready, true);
    assert.equal(ready.pid, child.pid);
    assert.ok(ready.port > 0);

    const socket = new WebSocket(`ws://127.0.0.1:${ready.port}/v1/ingest?token=anything`);
    socket.binaryType = "arraybuffer";
    const replies: (string | ArrayBuffer)[] = [];
    let wake: (() => void) | undefined;
    socket.onmessage = (event) => {
      replies.push(event.data);
      wake?.();
    };
    const nextReply = async () => {
      while (replies.length === 0) await new Promise<void>((resolve) => wake = resolve);
      return replies.shift()!;
    };
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });

    socket.send(JSON.stringify({
      events: [
        { id: "e-1", type: "treasure.collected", data: { chest: 7, gold: 40 } },
        { id: "e-2", type: "Bad Type" },
        { id: "e-3", type: "player.moved" },
      ],
    }));
    const first = JSON.parse(await nextReply() as string);
    assert.deepEqual(first.acks, ["e-1", "e-3"]);
    assert.equal(first.rejects.length, 1);
    assert.equal(first.rejects[0].id, "e-2");
    assert.equal(first.rejects[0].code, "INVALID_EVENT");

    socket.send(
      toBinary(ClientFrameSchema, create(ClientFrameSchema, { events: [{ id: "b-1", type: "player.moved" }] })),
    );
    const second = fromBinary(ServerFrameSchema, new Uint8Array(await nextReply() as ArrayBuffer));
    assert.deepEqual(second.acks, ["b-1"]);

    socket.send("not json");
    assert.equal(JSON.parse(await nextReply() as string).error.code, "INVALID_FRAME");

    const closed = new Promise((resolve) => socket.onclose = resolve);
    socket.close();
    await closed;

    child.kill("SIGTERM");
    const summary = JSON.parse(await nextLine());
    assert.deepEqual(
      { name: summary.name, frames: summary.frames, events: summary.events },
      { name: "websocket-sink", frames: 3, events: 3 },
    );
    assert.equal((await child.status).code, 0);
  } finally {
    await reader.cancel().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
    await child.status;
  }
});
