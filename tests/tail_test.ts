/**
 * `deno task tail` on the real broker, run with the task's own permissions: it prints each event
 * as one line, applies its filters, prints JSON for piping, stops cleanly on Ctrl-C, and says
 * clearly when a topic is unknown or Kafka does not answer.
 */
import assert from "node:assert/strict";
import {
  encodeRoutedEventBinary,
  encodeRoutedEventJson,
  type IncomingEvent,
  JSON_CONTENT_TYPE,
  PROTOBUF_CONTENT_TYPE,
} from "../src/core/mod.ts";
import { createTestTopics, freshTopic, testAdapter } from "./support/kafka_ready.ts";
import { testBrokers } from "./support/kafka_target.ts";

const root = new URL("../", import.meta.url).pathname;

/** The `deno run ...` arguments of the tail task, as deno.json declares them. */
async function tailTaskArgs(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const [deno, ...args] = (config.tasks.tail as string).split(/\s+/);
  assert.equal(deno, "deno");
  return args;
}

/** Starts the tail and collects its stdout lines until `stop()` sends SIGINT. */
async function startTail(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...await tailTaskArgs(), ...args],
    cwd: root,
    env: { KAFKA_BROKERS: testBrokers() },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const pump = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      for (let newline; (newline = buffered.indexOf("\n")) !== -1;) {
        lines.push(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    }
  })();
  const stderr = new Response(child.stderr).text();
  return {
    lines,
    async waitForLines(count: number, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (lines.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`tail printed ${lines.length} of ${count} lines: ${lines.join("\n")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      child.kill("SIGINT");
      const status = await child.status;
      await pump;
      return { code: status.code, stderr: await stderr };
    },
    async exit() {
      const status = await child.status;
      await pump;
      return { code: status.code, stderr: await stderr };
    },
  };
}

Deno.test("deno task tail prints one line per event, filters by type and player, and stops cleanly on Ctrl-C", async () => {
  const topic = freshTopic("tail-test");
  const run = crypto.randomUUID().slice(0, 8);
  const adapter = await testAdapter("tail-test");
  try {
    await createTestTopics(adapter, [{ topic, partitions: 1, replicationFactor: 1 }]);
    const stamp = (player: string) => ({ player, receivedAtMs: Date.now(), edgeId: "edge-t", routeVersion: "7" });
    const events: (IncomingEvent & { player: string })[] = [
      { id: `${run}-1`, type: "treasure.collected", data: { gold: 5 }, player: "alice" },
      { id: `${run}-2`, type: "player.moved", data: { x: 1 }, player: "alice" },
      { id: `${run}-3`, type: "treasure.opened", data: undefined, player: "bob" },
    ];
    await adapter.produce([
      ...events.slice(0, 2).map((e) => ({
        topic,
        key: e.player,
        value: encodeRoutedEventBinary(e, stamp(e.player)),
        headers: { "veltrix-event-id": e.id, "content-type": PROTOBUF_CONTENT_TYPE },
      })),
      {
        topic,
        key: "bob",
        value: encodeRoutedEventJson(events[2]!, stamp("bob")),
        headers: { "veltrix-event-id": events[2]!.id, "content-type": JSON_CONTENT_TYPE },
      },
      { topic, key: null, value: "not ours", headers: {} },
    ], 30_000);

    const all = await startTail([topic, "--from-beginning"]);
    await all.waitForLines(4);
    const ended = await all.stop();
    assert.equal(ended.code, 0, ended.stderr);
    assert.match(
      all.lines[0]!,
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} ${topic} 0/0 treasure\\.collected alice ${run}-1 v7 edge-t \\{"gold":5\\}$`,
      ),
    );
    assert.match(all.lines[2]!, new RegExp(`${topic} 0/2 treasure\\.opened bob ${run}-3 v7 edge-t$`));
    assert.equal(all.lines[3], `${topic} 0/3 not a Veltrix record: no content-type header`);
    assert.ok(!all.lines.join("").includes("\x1b["), "no colour when stdout is not a terminal");
    console.log(["deno task tail " + topic + " --from-beginning", ...all.lines].join("\n"));

    const filtered = await startTail([topic, "--since", "10m", "--type", "treasure.*", "--player", "bob", "--json"]);
    await filtered.waitForLines(1);
    assert.equal((await filtered.stop()).code, 0);
    assert.equal(filtered.lines.length, 1, filtered.lines.join("\n"));
    assert.deepEqual(JSON.parse(filtered.lines[0]!), {
      time: JSON.parse(filtered.lines[0]!).time,
      topic,
      partition: 0,
      offset: "2",
      type: "treasure.opened",
      player: "bob",
      id: `${run}-3`,
      routeVersion: "7",
      edge: "edge-t",
      format: "json",
    });
  } finally {
    await adapter.close();
  }
});

Deno.test("deno task tail names unknown topics and an unreachable Kafka, and exits 1", async () => {
  const unknown = await startTail([`no-such-topic-${crypto.randomUUID().slice(0, 8)}`]);
  const a = await unknown.exit();
  assert.equal(a.code, 1);
  assert.match(a.stderr, /^tail: unknown topic: no-such-topic-/);

  const unreachable = await startTail(["--brokers", "127.0.0.1:9"]);
  const b = await unreachable.exit();
  assert.equal(b.code, 1);
  assert.match(b.stderr, /tail: Kafka at 127\.0\.0\.1:9 does not answer/);

  const usage = await startTail(["--since", "soon"]);
  const c = await usage.exit();
  assert.equal(c.code, 2);
  assert.match(c.stderr, /"soon" is not a duration[\s\S]*usage: deno task tail/);
});
