import assert from "node:assert/strict";
import { fromBinary, fromJsonString, toBinary } from "@bufbuild/protobuf";
import { RouteMapSchema, SignedRouteMapSchema } from "../src/gen/veltrix/v1/route_map_pb.ts";
import { startEdgeProcess } from "./support/edge_process.ts";

const root = new URL("../", import.meta.url).pathname;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `src/control/cli/routes_cli.ts` as its own process, as `deno task routes` does. */
async function routes(...args: string[]): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "src/control/cli/routes_cli.ts", ...args],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: output.code, stdout: text.decode(output.stdout), stderr: text.decode(output.stderr) };
}

function assertExit(result: CliResult, code: number): void {
  assert.equal(result.code, code, `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-routes-cli-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A RouteMap in its protobuf JSON form, as operators author it. */
function mapJson(version: number, routes: unknown[], deadLetterTopic = "veltrix.unrouted"): string {
  return JSON.stringify({ version: String(version), deadLetterTopic, routes }, null, 2);
}

const playerRoute = {
  name: "p",
  match: "player.*",
  targets: [{ topic: "game.player-activity", format: "FORMAT_JSON" }],
};

/** keygen, returning the trust entry it printed and the paths it wrote. */
async function keygen(dir: string, id = "ops-test"): Promise<{ trustEntry: string; keyPath: string; pubPath: string }> {
  const result = await routes("keygen", "--out", dir, "--id", id);
  assertExit(result, 0);
  const trustEntry = result.stdout.split("\n").map((l) => l.trim()).find((l) => l.startsWith(`${id}:`));
  assert.ok(trustEntry !== undefined, `no trust entry printed: ${result.stdout}`);
  return { trustEntry, keyPath: `${dir}/${id}.key`, pubPath: `${dir}/${id}.pub` };
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0));

// keygen

Deno.test("routes keygen writes ID.key and ID.pub and prints the VELTRIX_TRUSTED_KEYS entry", async () => {
  await withTempDir(async (dir) => {
    const { trustEntry, keyPath, pubPath } = await keygen(dir);
    const publicKey = trustEntry.slice("ops-test:".length);
    assert.equal(fromBase64(publicKey).length, 32);
    assert.equal((await Deno.readTextFile(pubPath)).trim(), publicKey);

    // The private key is PKCS#8 Ed25519, readable only by its owner, and matches the public key.
    if (Deno.build.os !== "windows") assert.equal((await Deno.stat(keyPath)).mode! & 0o777, 0o600);
    const privateKey = await crypto.subtle.importKey(
      "pkcs8",
      fromBase64(await Deno.readTextFile(keyPath)) as BufferSource,
      { name: "Ed25519" },
      false,
      ["sign"],
    );
    const verifyKey = await crypto.subtle.importKey(
      "raw",
      fromBase64(publicKey) as BufferSource,
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    const data = new TextEncoder().encode("hello");
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, privateKey, data);
    assert.equal(await crypto.subtle.verify({ name: "Ed25519" }, verifyKey, signature, data), true);
  });
});

Deno.test("routes keygen refuses to overwrite an existing private key", async () => {
  await withTempDir(async (dir) => {
    await keygen(dir);
    const before = await Deno.readTextFile(`${dir}/ops-test.key`);
    const again = await routes("keygen", "--out", dir, "--id", "ops-test");
    assertExit(again, 1);
    assert.match(again.stderr, /cannot write .*ops-test\.key/);
    assert.equal(await Deno.readTextFile(`${dir}/ops-test.key`), before);
  });
});

Deno.test("routes keygen refuses an id the edge could not trust", async () => {
  await withTempDir(async (dir) => {
    const result = await routes("keygen", "--out", dir, "--id", "ops test/1");
    assertExit(result, 1);
    assert.match(result.stderr, /--id must be 1-64 of \[A-Za-z0-9._-\]/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

// validate

Deno.test("routes validate of a good map exits 0 with a summary", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/map.json`, mapJson(2, [playerRoute]));
    const result = await routes("validate", `${dir}/map.json`);
    assertExit(result, 0);
    assert.match(result.stdout, /valid: version 2, 1 routes, topics game\.player-activity, veltrix\.unrouted/);
  });
});

Deno.test("routes validate of a bad map exits 1 and lists every problem on stderr", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/bad.json`,
      mapJson(2, [
        playerRoute,
        { name: "p", match: "treasure.*", targets: [{ topic: "not a topic!" }] },
      ], "also bad"),
    );
    const result = await routes("validate", `${dir}/bad.json`);
    assertExit(result, 1);
    assert.match(result.stderr, /bad\.json is invalid/);
    assert.match(result.stderr, /routes\[1\]\.name: duplicate route name "p"/);
    assert.match(result.stderr, /routes\[1\]\.targets\[0\]\.topic: topic name may only hold/);
    assert.match(result.stderr, /deadLetterTopic: topic name may only hold/);
    assert.equal(result.stdout, "");
  });
});

Deno.test("routes validate of a file that is not JSON exits 1 with a clear message", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/map.json`, "version: 2\nroutes: []\n");
    const result = await routes("validate", `${dir}/map.json`);
    assertExit(result, 1);
    assert.match(result.stderr, /map\.json is not a RouteMap in protobuf JSON form/);
  });
});

Deno.test("routes validate of JSON that is not a RouteMap exits 1 with a clear message", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/map.json`, JSON.stringify({ version: "2", routez: [] }));
    const result = await routes("validate", `${dir}/map.json`);
    assertExit(result, 1);
    assert.match(result.stderr, /is not a RouteMap in protobuf JSON form/);
  });
});

Deno.test("routes validate of a missing file exits 1 saying it cannot read it", async () => {
  await withTempDir(async (dir) => {
    const result = await routes("validate", `${dir}/nowhere.json`);
    assertExit(result, 1);
    assert.match(result.stderr, /cannot read .*nowhere\.json/);
  });
});

// sign

Deno.test("routes sign writes a SignedRouteMap whose signature verifies over exactly its route_map bytes", async () => {
  await withTempDir(async (dir) => {
    const { trustEntry, keyPath } = await keygen(dir);
    const json = mapJson(7, [playerRoute]);
    await Deno.writeTextFile(`${dir}/map.json`, json);
    const result = await routes(
      "sign",
      "--key",
      keyPath,
      "--key-id",
      "ops-test",
      `${dir}/map.json`,
      "--out",
      `${dir}/map.signed`,
    );
    assertExit(result, 0);
    assert.match(result.stdout, /version 7, 1 routes, signed by ops-test/);

    const signed = fromBinary(SignedRouteMapSchema, await Deno.readFile(`${dir}/map.signed`));
    assert.equal(signed.keyId, "ops-test");
    assert.equal(signed.signature.length, 64);
    // route_map is the authored map, in binary.
    assert.deepEqual(signed.routeMap, toBinary(RouteMapSchema, fromJsonString(RouteMapSchema, json)));

    const publicKey = await crypto.subtle.importKey(
      "raw",
      fromBase64(trustEntry.slice("ops-test:".length)) as BufferSource,
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    const verify = (data: Uint8Array) =>
      crypto.subtle.verify({ name: "Ed25519" }, publicKey, signed.signature as BufferSource, data as BufferSource);
    assert.equal(await verify(signed.routeMap), true);
    const tampered = signed.routeMap.slice();
    tampered[tampered.length - 1]! ^= 1;
    assert.equal(await verify(tampered), false);
  });
});

Deno.test("routes sign of an invalid map exits 1 and writes nothing", async () => {
  await withTempDir(async (dir) => {
    const { keyPath } = await keygen(dir);
    await Deno.writeTextFile(`${dir}/bad.json`, mapJson(2, [{ name: "p", match: "player.*", targets: [] }]));
    const result = await routes(
      "sign",
      "--key",
      keyPath,
      "--key-id",
      "ops-test",
      `${dir}/bad.json`,
      "--out",
      `${dir}/out`,
    );
    assertExit(result, 1);
    assert.match(result.stderr, /routes\[0\]\.targets: route has no targets/);
    await assert.rejects(Deno.stat(`${dir}/out`), Deno.errors.NotFound);
  });
});

Deno.test("routes sign with a file that is not a private key exits 1", async () => {
  await withTempDir(async (dir) => {
    const { pubPath } = await keygen(dir);
    await Deno.writeTextFile(`${dir}/map.json`, mapJson(2, [playerRoute]));
    const result = await routes(
      "sign",
      "--key",
      pubPath,
      "--key-id",
      "ops-test",
      `${dir}/map.json`,
      "--out",
      `${dir}/out`,
    );
    assertExit(result, 1);
    assert.match(result.stderr, /cannot use .*ops-test\.pub as an Ed25519 private key/);
  });
});

// usage

Deno.test("routes with an unknown command exits non-zero with usage", async () => {
  const result = await routes("publish");
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /unknown command "publish"/);
  assert.match(result.stderr, /usage: deno task routes <command>/);
});

Deno.test("routes with no command exits non-zero with usage", async () => {
  const result = await routes();
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /usage: deno task routes <command>/);
});

Deno.test("routes commands with missing or unknown flags exit non-zero with usage", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/map.json`, mapJson(2, [playerRoute]));
    const cases: [string[], RegExp][] = [
      [["keygen"], /--out is required/],
      [["push", `${dir}/map.json`], /--admin is required/],
      [["show"], /--admin is required/],
      [["diff", `${dir}/map.json`], /--admin is required/],
      [["sign", `${dir}/map.json`, "--out", `${dir}/x`, "--key-id", "k"], /--key is required/],
      [["sign", `${dir}/map.json`, "--out", `${dir}/x`, "--key", `${dir}/k`], /--key-id is required/],
      [["validate"], /expected 1 file argument\(s\), got 0/],
      [["validate", `${dir}/map.json`, `${dir}/map.json`], /expected 1 file argument\(s\), got 2/],
      [["validate", "--verbose", `${dir}/map.json`], /verbose/],
    ];
    for (const [args, message] of cases) {
      const result = await routes(...args);
      assert.notEqual(result.code, 0, args.join(" "));
      assert.match(result.stderr, message, args.join(" "));
      assert.match(result.stderr, /usage: deno task routes/, args.join(" "));
    }
  });
});

Deno.test("routes push of a file that is not a signed map exits 1 before contacting the edge", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/junk`, new Uint8Array([0xff, 0xff, 0xff]));
    const result = await routes("push", "--admin", "http://127.0.0.1:9", `${dir}/junk`);
    assertExit(result, 1);
    assert.match(result.stderr, /is not a signed route map \(make one with "sign"\)/);
  });
});

Deno.test("routes show of an edge that cannot be reached exits 1 saying so", async () => {
  // Port 9 (discard) on loopback: nothing listens there in the test environment.
  const result = await routes("show", "--admin", "http://127.0.0.1:9");
  assertExit(result, 1);
  assert.match(result.stderr, /cannot reach http:\/\/127\.0\.0\.1:9\/v1\/routes/);
});

// Against a running edge

Deno.test("routes push, show and diff work against a running edge that trusts the key", async (t) => {
  await withTempDir(async (dir) => {
    const { trustEntry, keyPath } = await keygen(dir);
    await Deno.writeTextFile(`${dir}/v2.json`, mapJson(2, [playerRoute]));
    assertExit(
      await routes("sign", "--key", keyPath, "--key-id", "ops-test", `${dir}/v2.json`, "--out", `${dir}/v2.signed`),
      0,
    );

    const edge = await startEdgeProcess({
      VELTRIX_TRUSTED_KEYS: trustEntry,
    });
    const admin = `http://127.0.0.1:${edge.adminPort}`;
    try {
      await t.step("show prints the embedded default before any push", async () => {
        const result = await routes("show", "--admin", admin);
        assertExit(result, 0);
        assert.match(result.stdout, /^version 1, signed by \(embedded default\), applied .* from embedded/);
      });

      await t.step("diff prints each type that would route differently under the proposed map", async () => {
        const result = await routes("diff", "--admin", admin, `${dir}/v2.json`);
        assertExit(result, 0);
        const lines = result.stdout.trim().split("\n");
        assert.equal(lines[0], `version 1 (in force) -> 2 (${dir}/v2.json)`);
        assert.deepEqual(lines.slice(1), [
          "player.*: [game.player-activity (key PLAYER, PROTOBUF)] -> [game.player-activity (key PLAYER, JSON)]",
          "treasure.*: [game.treasure (key PLAYER, PROTOBUF)] -> [veltrix.unrouted (key PLAYER, PROTOBUF)]",
          "treasure.collected: [game.leaderboard (key PLAYER, PROTOBUF), game.treasure (key PLAYER, PROTOBUF)]" +
          " -> [veltrix.unrouted (key PLAYER, PROTOBUF)]",
        ]);
      });

      await t.step("push applies the signed map, and the edge's GET /v1/routes reports its version", async () => {
        const result = await routes("push", "--admin", admin, `${dir}/v2.signed`);
        assertExit(result, 0);
        assert.match(result.stdout, /^applied version 2 \(1 routes\)/);
        const response = await fetch(`${admin}/v1/routes`);
        assert.equal(response.status, 200);
        const body = await response.json();
        assert.equal(body.version, 2);
        assert.equal(body.keyId, "ops-test");
        assert.equal(body.source, "admin");
        assert.deepEqual(body.routeMap.routes.map((r: { name: string }) => r.name), ["p"]);
      });

      await t.step("pushing the same file again exits 1 and says STALE_ROUTE_MAP", async () => {
        const result = await routes("push", "--admin", admin, `${dir}/v2.signed`);
        assertExit(result, 1);
        assert.match(result.stderr, /push refused: HTTP 409 STALE_ROUTE_MAP/);
        assert.match(result.stderr, /version in force: 2/);
      });

      await t.step("show prints the version in force, its signer and the map", async () => {
        const result = await routes("show", "--admin", admin);
        assertExit(result, 0);
        assert.match(result.stdout, /^version 2, signed by ops-test, applied \S+ from admin/);
        assert.match(result.stdout, /"deadLetterTopic": "veltrix.unrouted"/);
        assert.match(result.stdout, /"match": "player.\*"/);
      });

      await t.step("diff of the map in force prints that nothing would route differently", async () => {
        const result = await routes("diff", "--admin", admin, `${dir}/v2.json`);
        assertExit(result, 0);
        assert.match(result.stdout, /no event type would route differently/);
      });

      await t.step("diff names a change of the tenant quotas and their scope, from the map's JSON form", async () => {
        const fleet = {
          ...JSON.parse(mapJson(3, [playerRoute])),
          tenants: [{ name: "kart", eventsPerSecond: 2000 }],
          tenantQuotaScope: "TENANT_QUOTA_SCOPE_FLEET",
        };
        await Deno.writeTextFile(`${dir}/fleet.json`, JSON.stringify(fleet));
        assertExit(await routes("validate", `${dir}/fleet.json`), 0);
        const result = await routes("diff", "--admin", admin, `${dir}/fleet.json`);
        assertExit(result, 0);
        assert.deepEqual(result.stdout.trim().split("\n").slice(1), [
          "no event type would route differently",
          "tenant quota scope: edge (unset) -> fleet",
          "tenant kart: added (events/s 2000, connections no limit, bytes/s no limit)",
        ]);
      });

      await t.step("diff of an invalid proposed map exits 1 listing its problems", async () => {
        await Deno.writeTextFile(`${dir}/bad.json`, mapJson(3, [playerRoute, playerRoute]));
        const result = await routes("diff", "--admin", admin, `${dir}/bad.json`);
        assertExit(result, 1);
        assert.match(result.stderr, /duplicate route name "p"/);
      });

      await t.step(
        "push of a map signed by a key the edge does not trust exits 1 with UNKNOWN_SIGNING_KEY",
        async () => {
          const other = await keygen(dir, "ops-other");
          await Deno.writeTextFile(`${dir}/v3.json`, mapJson(3, [playerRoute]));
          assertExit(
            await routes(
              "sign",
              "--key",
              other.keyPath,
              "--key-id",
              "ops-other",
              `${dir}/v3.json`,
              "--out",
              `${dir}/v3.signed`,
            ),
            0,
          );
          const result = await routes("push", "--admin", admin, `${dir}/v3.signed`);
          assertExit(result, 1);
          assert.match(result.stderr, /UNKNOWN_SIGNING_KEY/);
          const body = await (await fetch(`${admin}/v1/routes`)).json();
          assert.equal(body.version, 2);
        },
      );
    } finally {
      await edge.stop();
    }
  });
});
