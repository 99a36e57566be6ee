import assert from "node:assert/strict";
import { create, toBinary } from "@bufbuild/protobuf";
import { CanarySchema, RouteMapSchema, SignedRouteMapSchema } from "../gen/veltrix/v1/route_map_pb.ts";
import { compileRouteMapOrThrow } from "../core/route_map/compile_route_map.ts";
import { defaultRouteMap } from "../core/route_map/default_route_map.ts";
import type { Logger } from "../core/ops/logger.ts";
import { RateLimitedLog, SUPPRESSED_MESSAGE } from "../core/ops/rate_limited_log.ts";
import { parseTrustedKeys, TrustedKeys } from "../core/updates/trusted_keys.ts";
import { DEFAULT_MAX_ROUTE_UPDATE_BYTES } from "../core/updates/verify_route_update.ts";
import { makeSigningKey, signedBytes, signRouteMap, simpleMap } from "../core/updates/testing/route_signing.ts";
import { type AppliedRouteMap, embeddedSnapshot, LiveRouteTable } from "../core/route_map/live_route_table.ts";
import { RouteControl, type RouteControlOptions } from "./route_control.ts";
import type { UpdateOutcome } from "./route_update_outcome.ts";
import { RouteMapStore } from "./route_map_store.ts";

const ops = await makeSigningKey("ops");
const retired = await makeSigningKey("retired");
const stranger = await makeSigningKey("stranger");
const opsOnly = await TrustedKeys.import(parseTrustedKeys(ops.trustEntry));
const opsAndRetired = await TrustedKeys.import(parseTrustedKeys(`${ops.trustEntry},${retired.trustEntry}`));

interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  fields?: Record<string, unknown>;
}

function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: LogLine["level"]) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(fields ? { fields } : {}) });
  };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

interface Harness {
  readonly control: RouteControl;
  readonly active: LiveRouteTable;
  readonly store: RouteMapStore;
  readonly dir: string;
  readonly logs: LogLine[];
  /** Every call of the fake ensureTopics. */
  readonly ensured: string[][];
  /** Every call of the fake publish. */
  readonly published: { signed: Uint8Array; version: bigint }[];
  /** Every version the onApplied listener saw. */
  readonly seen: AppliedRouteMap[];
  /** A new RouteControl over a fresh embedded table, with the same store and fakes. */
  restart(overrides?: HarnessOptions): Harness;
}

/** Fakes in place of the topic provisioner and the fleet feed. */
interface HarnessFakes {
  ensureTopics?: (topics: readonly string[]) => Promise<void>;
  publish?: (map: { signed: Uint8Array; version: bigint }) => Promise<void>;
}

type HarnessOptions =
  & Partial<Omit<RouteControlOptions, "routes" | "logger" | "store" | "topics" | "feed">>
  & HarnessFakes
  & {
    dir?: string;
  };

async function withHarness(fn: (h: Harness) => Promise<void>, options: HarnessOptions = {}): Promise<void> {
  const dir = options.dir ?? await Deno.makeTempDir({ prefix: "veltrix-control-test-" });
  try {
    await fn(makeHarness(dir, options));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function makeHarness(dir: string, options: HarnessOptions): Harness {
  const logs: LogLine[] = [];
  const ensured: string[][] = [];
  const published: { signed: Uint8Array; version: bigint }[] = [];
  const seen: AppliedRouteMap[] = [];
  const active = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const store = new RouteMapStore(dir);
  const control = new RouteControl({
    routes: active,
    keys: options.keys ?? opsOnly,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_ROUTE_UPDATE_BYTES,
    logger: recordingLogger(logs),
    store,
    topics: {
      ensure: options.ensureTopics ?? ((topics) => {
        ensured.push([...topics]);
        return Promise.resolve();
      }),
    },
    feed: {
      publish: options.publish ?? (({ signed, version }) => {
        published.push({ signed, version });
        return Promise.resolve();
      }),
    },
  });
  control.onApplied((applied) => seen.push(applied));
  return {
    control,
    active,
    store,
    dir,
    logs,
    ensured,
    published,
    seen,
    restart: (overrides = {}) => makeHarness(dir, { ...options, ...overrides }),
  };
}

async function signed(version: bigint, topic = "game.player-activity", key = ops): Promise<Uint8Array> {
  return signedBytes(await signRouteMap(key, simpleMap(version, topic)));
}

function assertApplied(outcome: UpdateOutcome): asserts outcome is Extract<UpdateOutcome, { ok: true }> {
  assert.ok(outcome.ok, `expected the update to apply, got ${outcome.ok ? "" : outcome.error.code}`);
}

function assertRefused(outcome: UpdateOutcome, code: string): asserts outcome is Extract<UpdateOutcome, { ok: false }> {
  assert.equal(outcome.ok, false, "expected the update to be refused");
  if (!outcome.ok) assert.equal(outcome.error.code, code, outcome.error.message);
}

// Starting state

Deno.test("RouteControl starts on the embedded table as version 1 from source embedded", async () => {
  await withHarness(async ({ control, active }) => {
    assert.equal(control.current.version, 1n);
    assert.equal(control.current.source, "embedded");
    assert.equal(control.current.keyId, "");
    assert.equal(control.current.applyMs, 0);
    assert.equal(control.current.routeCount, 3);
    assert.equal(control.routeMap, active.table.map);
    assert.deepEqual(control.history().map((h) => h.source), ["embedded"]);
    assert.deepEqual(control.stats, {
      applied: 0,
      refused: {},
      topicIgnored: { forged: 0, stale: 0, invalid: 0, alreadyApplied: 0 },
      applyMs: [],
    });
    await Promise.resolve();
  });
});

// A good update

Deno.test("RouteControl.update() of a good map ensures its topics, then swaps the table in force", async () => {
  await withHarness(async ({ control, active, ensured }) => {
    const before = active.table;
    const outcome = await control.update(await signed(2n, "game.moves"));
    assertApplied(outcome);
    assert.notEqual(active.table, before);
    assert.equal(active.table.version, 2n);
    assert.deepEqual(active.table.resolve("player.moved").targets.map((t) => t.topic), ["game.moves"]);
    assert.deepEqual(ensured, [["game.moves", "game.treasure", "veltrix.unrouted"]]);
    // The table frames in flight hold is left as it was.
    assert.equal(before.version, 1n);
    assert.deepEqual(before.resolve("player.moved").targets.map((t) => t.topic), ["game.player-activity"]);
  });
});

Deno.test("RouteControl.update() of a good map reports what was applied, and the applied version is current", async () => {
  await withHarness(async ({ control, active, logs }) => {
    const outcome = await control.update(await signed(2n));
    assertApplied(outcome);
    assert.equal(outcome.applied.version, 2n);
    assert.equal(outcome.applied.keyId, "ops");
    assert.equal(outcome.applied.source, "admin");
    assert.equal(outcome.applied.routeCount, 2);
    assert.equal(outcome.applied.appliedAt, active.snapshot.applied.appliedAt);
    assert.ok(outcome.applied.applyMs > 0, `applyMs ${outcome.applied.applyMs}`);
    assert.equal(control.current, outcome.applied);
    assert.equal(control.routeMap.version, 2n);
    assert.equal(control.stats.applied, 1);
    assert.deepEqual(control.stats.applyMs, [outcome.applied.applyMs]);
    const line = logs.find((l) => l.msg === "route map applied");
    assert.equal(line?.level, "info");
    assert.equal(line?.fields?.version, 2n);
    assert.equal(line?.fields?.source, "admin");
  });
});

Deno.test("RouteControl.update() of a good map publishes its exact bytes and version to the fleet once", async () => {
  await withHarness(async ({ control, published }) => {
    const bytes = await signed(2n);
    const outcome = await control.update(bytes);
    assertApplied(outcome);
    assert.equal(outcome.published, true);
    assert.equal(published.length, 1);
    assert.deepEqual(published[0]?.signed, bytes);
    assert.equal(published[0]?.version, 2n);
  });
});

Deno.test("RouteControl.update() adds the applied version to history and tells onApplied listeners", async () => {
  await withHarness(async ({ control, seen }) => {
    const late: AppliedRouteMap[] = [];
    const stop = control.onApplied((applied) => late.push(applied));
    assertApplied(await control.update(await signed(2n)));
    stop();
    assertApplied(await control.update(await signed(3n)));
    assert.deepEqual(control.history().map((h) => [h.version, h.source]), [[1n, "embedded"], [2n, "admin"], [
      3n,
      "admin",
    ]]);
    assert.deepEqual(seen.map((a) => a.version), [2n, 3n]);
    assert.equal(seen[1], control.current);
    assert.deepEqual(late.map((a) => a.version), [2n]);
  });
});

Deno.test("RouteControl.routeMap is the map in force, after an update and after a restore", async () => {
  await withHarness(async (h) => {
    assert.equal(h.control.routeMap.version, 1n);
    assertApplied(await h.control.update(await signed(2n, "game.moves")));
    const map = h.control.routeMap;
    assert.equal(map.version, 2n);
    assert.equal(map.deadLetterTopic, "veltrix.unrouted");
    assert.deepEqual(map.routes.map((r) => [r.name, r.match, r.targets.map((t) => t.topic)]), [
      ["players", "player.*", ["game.moves"]],
      ["treasure", "treasure.*", ["game.treasure"]],
    ]);
    const next = h.restart();
    assert.equal(await next.control.restore(), undefined);
    assert.equal(next.control.routeMap.version, 2n);
    assert.equal(next.control.routeMap.routes[0]?.targets[0]?.topic, "game.moves");
  });
});

Deno.test("RouteControl.history() keeps the latest 100 applied versions", async () => {
  await withHarness(async ({ control }) => {
    for (let v = 2n; v <= 102n; v++) assertApplied(await control.update(await signed(v)));
    const history = control.history();
    assert.equal(history.length, 100);
    assert.equal(history[0]?.version, 3n);
    assert.equal(history.at(-1)?.version, 102n);
    assert.equal(control.stats.applied, 101);
  });
});

Deno.test("RouteControl.history() is a copy callers cannot change", async () => {
  await withHarness(async ({ control }) => {
    (control.history() as AppliedRouteMap[]).length = 0;
    assert.equal(control.history().length, 1);
    await Promise.resolve();
  });
});

Deno.test("RouteControl.update() is not failed by a listener that throws", async () => {
  await withHarness(async ({ control, active, seen }) => {
    control.onApplied(() => {
      throw new Error("listener broke");
    });
    assertApplied(await control.update(await signed(2n)));
    assert.equal(active.table.version, 2n);
    assert.equal(seen.length, 1);
  });
});

Deno.test("RouteControl.update() persists the applied map, and a restarted control restores it from state", async () => {
  await withHarness(async (h) => {
    const bytes = await signed(2n, "game.moves");
    assertApplied(await h.control.update(bytes));
    assert.deepEqual((await h.store.load())?.bytes, bytes);

    const next = h.restart();
    assert.equal(next.active.table.version, 1n);
    assert.equal(await next.control.restore(), undefined);
    assert.equal(next.active.table.version, 2n);
    assert.deepEqual(next.active.table.resolve("player.x").targets.map((t) => t.topic), ["game.moves"]);
    assert.equal(next.control.current.version, 2n);
    assert.equal(next.control.current.source, "state");
    assert.equal(next.control.current.keyId, "ops");
    assert.deepEqual(next.control.history().map((a) => [a.version, a.source]), [[1n, "embedded"], [2n, "state"]]);
    assert.deepEqual(next.seen.map((a) => a.source), ["state"]);
    // A restore is not news for the fleet.
    assert.deepEqual(next.published, []);
  });
});

Deno.test("RouteControl.update() of an already decoded map persists and publishes its binary form", async () => {
  await withHarness(async (h) => {
    const map = await signRouteMap(ops, simpleMap(2n));
    const outcome = await h.control.update({ signed: map, size: 200 });
    assertApplied(outcome);
    assert.deepEqual(h.published[0]?.signed, signedBytes(map));
    assert.deepEqual((await h.store.load())?.bytes, signedBytes(map));
    const next = h.restart();
    assert.equal(await next.control.restore(), undefined);
    assert.equal(next.active.table.version, 2n);
  });
});

// Refusals

Deno.test("RouteControl.update() refused changes nothing: same table, nothing persisted, published or ensured", async () => {
  await withHarness(async (h) => {
    const before = h.active.table;
    const beforeAt = h.active.snapshot.applied.appliedAt;
    const forged = await signRouteMap(ops, simpleMap(2n));
    forged.signature = forged.signature.slice();
    forged.signature[5]! ^= 1;
    const refusals: [Uint8Array, string][] = [
      [signedBytes(forged), "BAD_SIGNATURE"],
      [await signed(2n, "game.player-activity", stranger), "UNKNOWN_SIGNING_KEY"],
      [await signed(1n), "STALE_ROUTE_MAP"],
      [await signed(2n, "bad topic!"), "INVALID_ROUTE_MAP"],
      [new Uint8Array([0xff, 0xff, 0xff]), "MALFORMED_ROUTE_UPDATE"],
    ];
    for (const [bytes, code] of refusals) {
      const outcome = await h.control.update(bytes);
      assertRefused(outcome, code);
      assert.equal(outcome.currentVersion, 1n);
    }
    assert.equal(h.active.table, before);
    assert.equal(h.active.snapshot.applied.appliedAt, beforeAt);
    assert.equal(h.control.current.source, "embedded");
    assert.equal(h.control.history().length, 1);
    assert.equal(await h.store.load(), undefined);
    assert.deepEqual(h.published, []);
    assert.deepEqual(h.ensured, []);
    assert.deepEqual(h.seen, []);
    assert.equal(h.control.stats.applied, 0);
    assert.deepEqual(h.control.stats.applyMs, []);
  });
});

Deno.test("RouteControl.update() counts refusals by code and logs each as a warning", async () => {
  await withHarness(async ({ control, logs }) => {
    assertApplied(await control.update(await signed(3n)));
    assertRefused(await control.update(await signed(2n)), "STALE_ROUTE_MAP");
    assertRefused(await control.update(await signed(3n)), "STALE_ROUTE_MAP");
    assertRefused(await control.update(await signed(4n, "x", stranger)), "UNKNOWN_SIGNING_KEY");
    assert.deepEqual(control.stats.refused, { STALE_ROUTE_MAP: 2, UNKNOWN_SIGNING_KEY: 1 });
    const warnings = logs.filter((l) => l.msg === "route update refused");
    assert.deepEqual(warnings.map((l) => [l.level, l.fields?.code]), [
      ["warn", "STALE_ROUTE_MAP"],
      ["warn", "STALE_ROUTE_MAP"],
      ["warn", "UNKNOWN_SIGNING_KEY"],
    ]);
  });
});

Deno.test("RouteControl.update() logs a flood of refusals as a bounded number of lines, counting the rest", async () => {
  const lines: LogLine[] = [];
  const logger = recordingLogger(lines);
  const log = new RateLimitedLog(logger, { limit: 2 });
  const routes = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const control = new RouteControl({ routes, keys: opsOnly, maxBytes: 1024, logger, log });
  for (let i = 0; i < 30; i++) {
    assertRefused(await control.update(new Uint8Array([0xff, 0xff])), "MALFORMED_ROUTE_UPDATE");
  }
  assert.equal(control.stats.refused.MALFORMED_ROUTE_UPDATE, 30, "every refusal is counted");
  log.flush();
  assert.deepEqual(lines.map((l) => [l.level, l.msg, l.fields?.code ?? l.fields?.suppressed]), [
    ["warn", "route update refused", "MALFORMED_ROUTE_UPDATE"],
    ["warn", "route update refused", "MALFORMED_ROUTE_UPDATE"],
    ["warn", SUPPRESSED_MESSAGE, 28],
  ]);
});

Deno.test("RouteControl.update() of a stale map reports the version in force", async () => {
  await withHarness(async ({ control }) => {
    assertApplied(await control.update(await signed(5n)));
    const outcome = await control.update(await signed(4n));
    assertRefused(outcome, "STALE_ROUTE_MAP");
    assert.equal(outcome.currentVersion, 5n);
  });
});

Deno.test("RouteControl.update() of an invalid map returns every problem", async () => {
  await withHarness(async ({ control }) => {
    const map = {
      version: 2n,
      routes: [
        { name: "a", match: "player.*", targets: [{ topic: "bad topic" }] },
        { name: "a", match: "x*", targets: [] },
      ],
    };
    const outcome = await control.update(signedBytes(await signRouteMap(ops, map)));
    assertRefused(outcome, "INVALID_ROUTE_MAP");
    assert.deepEqual(outcome.problems?.map((p) => p.path), [
      "routes[0].targets[0].topic",
      "routes[1].name",
      "routes[1].match",
      "routes[1].targets",
    ]);
  });
});

Deno.test("RouteControl.update() refuses more than maxBytes with ROUTE_UPDATE_TOO_LARGE", async () => {
  await withHarness(async ({ control, active }) => {
    const bytes = await signed(2n);
    assertRefused(await control.update(new Uint8Array(65).fill(0xff)), "ROUTE_UPDATE_TOO_LARGE");
    assert.ok(bytes.byteLength > 64);
    assertRefused(await control.update(bytes), "ROUTE_UPDATE_TOO_LARGE");
    assert.equal(active.table.version, 1n);
  }, { maxBytes: 64 });
});

Deno.test("RouteControl.update() refuses with ROUTE_TOPICS_UNAVAILABLE and changes nothing when topics cannot be made", async () => {
  let down = true;
  const ensured: string[][] = [];
  await withHarness(async (h) => {
    const before = h.active.table;
    const outcome = await h.control.update(await signed(2n));
    assertRefused(outcome, "ROUTE_TOPICS_UNAVAILABLE");
    assert.match(outcome.error.message, /broker unreachable/);
    assert.ok(outcome.error.cause instanceof Error);
    assert.equal(h.active.table, before);
    assert.equal(await h.store.load(), undefined);
    assert.deepEqual(h.published, []);
    assert.deepEqual(h.seen, []);
    assert.deepEqual(h.control.stats.refused, { ROUTE_TOPICS_UNAVAILABLE: 1 });

    // Nothing was used up: once the topics can be made, the same update applies.
    down = false;
    assertApplied(await h.control.update(await signed(2n)));
    assert.equal(h.active.table.version, 2n);
    assert.equal(ensured.length, 2);
  }, {
    ensureTopics: (topics) => {
      ensured.push([...topics]);
      return down ? Promise.reject(new Error("broker unreachable")) : Promise.resolve();
    },
  });
});

// Restore

Deno.test("RouteControl.restore() with nothing stored keeps the embedded default and says nothing", async () => {
  await withHarness(async ({ control, active }) => {
    const before = active.table;
    assert.equal(await control.restore(), undefined);
    assert.equal(active.table, before);
    assert.equal(control.current.source, "embedded");
  });
});

Deno.test("RouteControl.restore() without a store does nothing", async () => {
  const active = new LiveRouteTable(embeddedSnapshot(compileRouteMapOrThrow(defaultRouteMap())));
  const control = new RouteControl({ routes: active, keys: opsOnly, maxBytes: 1024, logger: recordingLogger([]) });
  assert.equal(await control.restore(), undefined);
  assert.equal(active.table.version, 1n);
});

Deno.test("RouteControl.restore() refuses a map whose signing key is no longer trusted, keeping the embedded default", async () => {
  await withHarness(async (h) => {
    assertApplied(await h.control.update(await signed(2n, "game.player-activity", retired)));
    assert.equal(h.active.table.version, 2n);

    const next = h.restart({ keys: opsOnly });
    const before = next.active.table;
    const reason = await next.control.restore();
    assert.equal(typeof reason, "string");
    assert.match(reason!, /UNKNOWN_SIGNING_KEY/);
    assert.ok(reason!.includes(h.store.path), reason);
    assert.equal(next.active.table, before);
    assert.equal(next.active.table.version, 1n);
    assert.equal(next.control.current.source, "embedded");
    assert.deepEqual(next.seen, []);
  }, { keys: opsAndRetired });
});

Deno.test("RouteControl.restore() refuses a corrupt file, keeping the embedded default", async () => {
  await withHarness(async (h) => {
    await h.store.save(new Uint8Array([0xff, 0x00, 0xfe, 0x42]));
    const before = h.active.table;
    const reason = await h.control.restore();
    assert.match(reason ?? "", /MALFORMED_ROUTE_UPDATE/);
    assert.equal(h.active.table, before);
    assert.equal(h.control.current.source, "embedded");
  });
});

Deno.test("RouteControl.restore() refuses a stored map whose signature no longer matches its bytes", async () => {
  await withHarness(async (h) => {
    const map = await signRouteMap(ops, simpleMap(2n));
    const other = toBinary(RouteMapSchema, create(RouteMapSchema, simpleMap(2n, "game.elsewhere")));
    await h.store.save(signedBytes(create(SignedRouteMapSchema, { ...map, routeMap: other })));
    assert.match((await h.control.restore()) ?? "", /BAD_SIGNATURE/);
    assert.equal(h.active.table.version, 1n);
  });
});

Deno.test("RouteControl.restore() reports a state file it cannot read, keeping the embedded default", async () => {
  await withHarness(async (h) => {
    await Deno.mkdir(h.store.path);
    const reason = await h.control.restore();
    assert.match(reason ?? "", /^cannot read /);
    assert.equal(h.active.table.version, 1n);
  });
});

Deno.test("RouteControl.restore() does not call ensureTopics, since Kafka may be down at start", async () => {
  let calls = 0;
  await withHarness(async (h) => {
    await h.store.save(await signed(2n));
    assert.equal(await h.control.restore(), undefined);
    assert.equal(h.active.table.version, 2n);
    assert.equal(calls, 0);
  }, {
    ensureTopics: () => {
      calls++;
      return Promise.reject(new Error("Kafka is down"));
    },
  });
});

Deno.test("RouteControl.restore() does not write the map it restored back to the store", async () => {
  await withHarness(async (h) => {
    await h.store.save(await signed(2n));
    const savedAt = (await Deno.stat(h.store.path)).ino;
    assert.equal(await h.control.restore(), undefined);
    assert.equal((await Deno.stat(h.store.path)).ino, savedAt);
  });
});

// Serialisation

/** An ensureTopics that takes a few turns of the event loop and records how many calls overlap. */
function slowEnsure(record: { calls: number; inFlight: number; maxInFlight: number }) {
  return async () => {
    record.calls++;
    record.inFlight++;
    record.maxInFlight = Math.max(record.maxInFlight, record.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    record.inFlight--;
  };
}

Deno.test("RouteControl.update() serialises concurrent updates: v2 and v3 at once both apply, in order", async () => {
  const record = { calls: 0, inFlight: 0, maxInFlight: 0 };
  await withHarness(async ({ control, active, published }) => {
    const [two, three] = await Promise.all([control.update(await signed(2n)), control.update(await signed(3n))]);
    assertApplied(two);
    assertApplied(three);
    assert.equal(active.table.version, 3n);
    assert.deepEqual(control.history().map((a) => a.version), [1n, 2n, 3n]);
    assert.deepEqual(published.map((p) => p.version), [2n, 3n]);
    assert.equal(record.maxInFlight, 1);
  }, { ensureTopics: slowEnsure(record) });
});

Deno.test("RouteControl.update() serialises concurrent updates: v3 then v2 at once, v3 applies and v2 is stale", async () => {
  const record = { calls: 0, inFlight: 0, maxInFlight: 0 };
  await withHarness(async ({ control, active, published }) => {
    const three = await signed(3n);
    const two = await signed(2n);
    const [outThree, outTwo] = await Promise.all([control.update(three), control.update(two)]);
    assertApplied(outThree);
    assertRefused(outTwo, "STALE_ROUTE_MAP");
    assert.equal(outTwo.currentVersion, 3n);
    assert.equal(active.table.version, 3n);
    // v2 was checked against v3 once v3 was in force, so it never got as far as its topics.
    assert.equal(record.calls, 1);
    assert.deepEqual(published.map((p) => p.version), [3n]);
  }, { ensureTopics: slowEnsure(record) });
});

Deno.test("RouteControl keeps applying updates after one whose ensureTopics threw", async () => {
  let fail = true;
  await withHarness(async ({ control, active }) => {
    const [first, second] = await Promise.all([control.update(await signed(2n)), control.update(await signed(3n))]);
    assertRefused(first, "ROUTE_TOPICS_UNAVAILABLE");
    assertApplied(second);
    assert.equal(active.table.version, 3n);
  }, {
    ensureTopics: () => {
      if (fail) {
        fail = false;
        return Promise.reject(new Error("once"));
      }
      return Promise.resolve();
    },
  });
});

// Fleet records

Deno.test("RouteControl.applyTopicRecord() applies a good record from source fleet, persists it, and never publishes it", async () => {
  await withHarness(async (h) => {
    const bytes = await signed(2n);
    const outcome = await h.control.applyTopicRecord(bytes);
    assertApplied(outcome);
    assert.equal(outcome.published, false);
    assert.equal(outcome.applied.source, "topic");
    assert.equal(h.active.table.version, 2n);
    assert.deepEqual(h.published, []);
    assert.equal(h.ensured.length, 1);
    assert.deepEqual((await h.store.load())?.bytes, bytes);
  });
});

Deno.test("RouteControl.applyTopicRecord() counts forged, stale, invalid and already-applied records apart", async () => {
  await withHarness(async (h) => {
    const inForce = await signed(3n);
    assertApplied(await h.control.update(inForce));
    assert.equal(h.published.length, 1);

    const badSignature = await signRouteMap(ops, simpleMap(4n));
    badSignature.signature = badSignature.signature.slice();
    badSignature.signature[0]! ^= 1;

    assertRefused(await h.control.applyTopicRecord(await signed(4n, "game.x", stranger)), "UNKNOWN_SIGNING_KEY");
    assertRefused(await h.control.applyTopicRecord(signedBytes(badSignature)), "BAD_SIGNATURE");
    assertRefused(await h.control.applyTopicRecord(await signed(2n)), "STALE_ROUTE_MAP");
    // Same version as in force, different bytes: stale, not already applied.
    assertRefused(await h.control.applyTopicRecord(await signed(3n, "game.other")), "STALE_ROUTE_MAP");
    assertRefused(await h.control.applyTopicRecord(await signed(4n, "bad topic")), "INVALID_ROUTE_MAP");
    assertRefused(await h.control.applyTopicRecord(new Uint8Array([0xff, 0xff])), "MALFORMED_ROUTE_UPDATE");
    assertRefused(await h.control.applyTopicRecord(inForce), "STALE_ROUTE_MAP");
    assertRefused(await h.control.applyTopicRecord(inForce), "STALE_ROUTE_MAP");

    assert.deepEqual(h.control.stats.topicIgnored, { forged: 2, stale: 2, invalid: 2, alreadyApplied: 2 });
    assert.equal(h.active.table.version, 3n);
    assert.equal(h.published.length, 1);
    assert.deepEqual((await h.store.load())?.bytes, inForce);
    // Refusals on the route map topic are not admin refusals.
    assert.equal(h.logs.filter((l) => l.msg === "route update refused").length, 0);
    // Warnings are rate-limited: one per kind within 10 s, with the counts so far.
    assert.equal(h.logs.filter((l) => l.msg === "ignored a forged route map on the route map topic").length, 1);
    assert.equal(h.logs.filter((l) => l.msg === "ignored a stale route map on the route map topic").length, 1);
  });
});

Deno.test("RouteControl.applyTopicRecord() knows its own admin update, sent as JSON, when the fleet echoes it", async () => {
  await withHarness(async (h) => {
    const map = await signRouteMap(ops, simpleMap(2n));
    assertApplied(await h.control.update({ signed: map, size: 300 }));
    assertRefused(await h.control.applyTopicRecord(h.published[0]!.signed), "STALE_ROUTE_MAP");
    assert.deepEqual(h.control.stats.topicIgnored, { forged: 0, stale: 0, invalid: 0, alreadyApplied: 1 });
  });
});

Deno.test("RouteControl.applyTopicRecord() of the map restored from state counts as already applied", async () => {
  await withHarness(async (h) => {
    const bytes = await signed(2n);
    await h.store.save(bytes);
    assert.equal(await h.control.restore(), undefined);
    assertRefused(await h.control.applyTopicRecord(bytes), "STALE_ROUTE_MAP");
    assert.equal(h.control.stats.topicIgnored.alreadyApplied, 1);
  });
});

// Failures after the swap

Deno.test("RouteControl.update() still applies when publishing fails, and returns published:false", async () => {
  await withHarness(async (h) => {
    const bytes = await signed(2n);
    const outcome = await h.control.update(bytes);
    assertApplied(outcome);
    assert.equal(outcome.published, false);
    assert.equal(h.active.table.version, 2n);
    assert.deepEqual((await h.store.load())?.bytes, bytes);
    const line = h.logs.find((l) => l.msg === "could not publish the applied route map to the route map topic");
    assert.equal(line?.level, "error");
  }, { publish: () => Promise.reject(new Error("route map topic unavailable")) });
});

Deno.test("RouteControl.update() still applies when the map cannot be persisted, and logs an error", async () => {
  await withHarness(async (h) => {
    await Deno.mkdir(h.store.path);
    await Deno.writeTextFile(`${h.store.path}/blocker`, "x");
    const outcome = await h.control.update(await signed(2n));
    assertApplied(outcome);
    assert.equal(outcome.published, true);
    assert.equal(h.active.table.version, 2n);
    const line = h.logs.find((l) => l.msg === "could not persist the applied route map; a restart would lose it");
    assert.equal(line?.level, "error");
  });
});

async function signedCanary(version: bigint, topic: string, basisPoints = 1000): Promise<Uint8Array> {
  return signedBytes(
    await signRouteMap(ops, { ...simpleMap(version, topic), canary: create(CanarySchema, { basisPoints, salt: "t" }) }),
  );
}

Deno.test("RouteControl applies a canary beside the stable map; a later stable update ends it", async () => {
  await withHarness(async (h) => {
    assertApplied(await h.control.update(await signed(2n)));
    const canary = await h.control.update(await signedCanary(3n, "game.canary"));
    assertApplied(canary);
    assert.equal(canary.applied.cohort, "10%");
    assert.equal(h.active.table.version, 2n, "the stable map stays in force");
    assert.equal(h.active.snapshot.canary?.table.version, 3n);
    assert.deepEqual(h.control.versionCounts().map((c) => [c.version, c.role]), [["2", "stable"], ["3", "canary"]]);
    assertRefused(await h.control.update(await signed(3n)), "STALE_ROUTE_MAP");
    assertApplied(await h.control.update(await signed(4n, "game.promoted")));
    assert.equal(h.active.table.version, 4n);
    assert.equal(h.active.snapshot.canary, undefined, "a stable update ends the canary");
  });
});

Deno.test("RouteControl refuses a canary with a share out of range as INVALID_ROUTE_MAP", async () => {
  await withHarness(async (h) => {
    assertRefused(await h.control.update(await signedCanary(2n, "game.canary", 20_000)), "INVALID_ROUTE_MAP");
    assert.equal(h.active.snapshot.canary, undefined);
  });
});

Deno.test("RouteControl.restore() brings back both maps and the cohort; after the canary ends, only the stable one", async () => {
  await withHarness(async (h) => {
    assertApplied(await h.control.update(await signed(2n)));
    assertApplied(await h.control.update(await signedCanary(3n, "game.canary", 2500)));
    const again = h.restart();
    assert.equal(await again.control.restore(), undefined);
    assert.equal(again.active.table.version, 2n);
    assert.equal(again.active.snapshot.canary?.table.version, 3n);
    assert.equal(again.active.snapshot.canary?.applied.cohort, "25%");
    assertApplied(await again.control.update(await signed(4n)));
    const third = h.restart();
    assert.equal(await third.control.restore(), undefined);
    assert.equal(third.active.table.version, 4n);
    assert.equal(third.active.snapshot.canary, undefined);
  });
});

Deno.test("RouteControl.restore() brings back a canary pushed over the embedded default", async () => {
  await withHarness(async (h) => {
    assertApplied(await h.control.update(await signedCanary(2n, "game.canary")));
    const again = h.restart();
    assert.equal(await again.control.restore(), undefined);
    assert.equal(again.active.table.version, 1n);
    assert.equal(again.active.snapshot.canary?.table.version, 2n);
  });
});
