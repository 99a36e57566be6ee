/**
 * Replays every test vector of `conformance/vectors/` against real edge processes and the real
 * broker, in both encodings where the vector has both: each frame on a connection of the vector's
 * player, the replies merged and compared with what the vector expects, and the Kafka records it
 * names read back with kcat. A change of the edge's answers breaks this test, so the vectors
 * cannot drift from the code.
 */
import assert from "node:assert/strict";
import WebSocket from "ws";
import { readTopic } from "./support/kcat_reader.ts";
import {
  expectationMet,
  expectationProblems,
  fromHex,
  loadProfiles,
  loadVectors,
  type ObservedReply,
  type TestVector,
} from "../tools/conformance/vectors.ts";
import { type EdgeProcess, startEdgeProcess } from "./support/edge_process.ts";
import { decodeBinaryReply } from "./support/ingest_client.ts";
import { testBrokers } from "./support/kafka_target.ts";
import { makeSigningKey, signedBytes, signRouteMap } from "../src/core/updates/testing/route_signing.ts";
import { playerToken, TEST_JWT_SECRET } from "./support/tokens.ts";

type Encoding = "json" | "protobuf";

/** Plays `vector` in `encoding` on a new connection; resolves with the problems found (none: it matches). */
async function replay(edge: EdgeProcess, vector: TestVector, encoding: Encoding, player: string): Promise<string[]> {
  const socket = new WebSocket(edge.ingestUrl, ["veltrix.v1", `veltrix.bearer.${await playerToken(player)}`]);
  const replies: ObservedReply[] = [];
  let close: number | undefined;
  let wake = () => {};
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    replies.push(isBinary ? decodeBinaryReply(new Uint8Array(data)) : JSON.parse(data.toString("utf8")));
    wake();
  });
  socket.on("close", (code: number) => {
    close = code;
    wake();
  });
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  const problems: string[] = [];
  try {
    for (const [index, step] of vector.steps.entries()) {
      const start = replies.length;
      const frame = encoding === "json" ? step.frame.json : step.frame.protobufHex;
      if (frame === undefined) continue;
      socket.send(encoding === "json" ? frame : fromHex(frame));
      const deadline = Date.now() + 15_000;
      const observed = () => ({ replies: replies.slice(start), ...(close === undefined ? {} : { close }) });
      while (!expectationMet(step.expect, observed()) && close === undefined && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, deadline - Date.now());
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      for (const problem of expectationProblems(step.expect, observed())) problems.push(`step ${index}: ${problem}`);
    }
  } finally {
    if (close === undefined) socket.close();
  }
  return problems;
}

Deno.test("every protocol test vector gets the replies it expects from a real edge, in JSON and in protobuf", async () => {
  const since = Date.now() - 1000;
  const run = crypto.randomUUID().slice(0, 8);
  const { routeMap, profiles, jwtSecret } = await loadProfiles();
  assert.equal(jwtSecret, TEST_JWT_SECRET, "the vectors' tokens are signed with the test edges' secret");
  const vectors = await loadVectors();
  assert.ok(vectors.length >= 15, `${vectors.length} vectors`);
  const ops = await makeSigningKey("vectors");
  const signed = signedBytes(await signRouteMap(ops, { ...routeMap, version: BigInt(routeMap.version) }));
  const edges = new Map<string, EdgeProcess>();
  try {
    for (const [name, env] of Object.entries(profiles)) {
      // startEdgeProcess gives each edge a routes topic of its own: the other edge's map does not reach it first.
      const edge = await startEdgeProcess({ ...env, VELTRIX_TRUSTED_KEYS: ops.trustEntry });
      edges.set(name, edge);
      const applied = await fetch(`http://127.0.0.1:${edge.adminPort}/v1/routes`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: signed,
      });
      assert.equal(applied.status, 200, await applied.text());
    }
    const failures: string[] = [];
    let replays = 0;
    for (const vector of vectors) {
      const edge = edges.get(vector.profile);
      assert.ok(edge, `${vector.name}: no profile ${vector.profile}`);
      for (const encoding of ["json", "protobuf"] as const) {
        const key = encoding === "json" ? "json" : "protobufHex";
        if (!vector.steps.some((step) => step.frame[key] !== undefined)) continue;
        // A player per run and encoding: the edge's dedupe and rate limits are per player.
        const player = vector.player.startsWith("exact:")
          ? vector.player.slice(6)
          : `${vector.player}-${encoding}-${run}`;
        for (const problem of await replay(edge, vector, encoding, player)) {
          failures.push(`${vector.name} (${encoding}): ${problem}`);
        }
        replays++;
      }
    }
    for (const vector of vectors) {
      for (const want of vector.records ?? []) {
        const records = (await readTopic(testBrokers(), want.topic, since)).filter((record) =>
          record.headers["veltrix-event-id"] === want.eventId
        );
        if (records.length === 0) failures.push(`${vector.name}: no record of ${want.eventId} in ${want.topic}`);
        for (const record of records) {
          for (const [name, value] of Object.entries(want.headers ?? {})) {
            if (record.headers[name] !== value) {
              failures.push(`${vector.name}: record header ${name} is ${record.headers[name]}, expected ${value}`);
            }
          }
          for (const name of want.absentHeaders ?? []) {
            if (name in record.headers) failures.push(`${vector.name}: record has header ${name}`);
          }
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(replays >= vectors.length, `${replays} replays of ${vectors.length} vectors`);
  } finally {
    for (const edge of edges.values()) await edge.stop();
  }
});
