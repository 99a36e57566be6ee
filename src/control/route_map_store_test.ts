import assert from "node:assert/strict";
import { ROUTE_MAP_FILE, RouteMapStore } from "./route_map_store.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "veltrix-store-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function namesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("RouteMapStore keeps its map in route-map.signed.pb inside its folder", () => {
  assert.equal(new RouteMapStore("/var/lib/veltrix").path, `/var/lib/veltrix/${ROUTE_MAP_FILE}`);
  assert.equal(ROUTE_MAP_FILE, "route-map.signed.pb");
});

Deno.test("RouteMapStore.load() with no file is undefined", async () => {
  await withTempDir(async (dir) => {
    assert.equal(await new RouteMapStore(dir).load(), undefined);
    assert.equal(await new RouteMapStore(`${dir}/not-made-yet`).load(), undefined);
  });
});

Deno.test("RouteMapStore.save() then load() round-trips the bytes, with when they were saved", async () => {
  await withTempDir(async (dir) => {
    const before = Date.now();
    const written = crypto.getRandomValues(new Uint8Array(60_000));
    await new RouteMapStore(dir).save(written);
    const loaded = await new RouteMapStore(dir).load();
    assert.ok(loaded !== undefined);
    assert.deepEqual(loaded.bytes, written);
    assert.ok(loaded.savedAt instanceof Date);
    assert.ok(loaded.savedAt.getTime() >= before - 2_000, `${loaded.savedAt.toISOString()} is before the save`);
  });
});

Deno.test("RouteMapStore.save() replaces the map whole, a shorter map leaving nothing of the longer one", async () => {
  await withTempDir(async (dir) => {
    const store = new RouteMapStore(dir);
    await store.save(bytes(1, 2, 3, 4, 5, 6, 7, 8));
    await store.save(bytes(9, 9));
    assert.deepEqual((await store.load())?.bytes, bytes(9, 9));
  });
});

Deno.test("RouteMapStore.save() replaces the file by rename and leaves no *.tmp files behind", async () => {
  await withTempDir(async (dir) => {
    const store = new RouteMapStore(dir);
    await store.save(bytes(1, 1, 1));
    // A reader that opened the old map before a save keeps reading the whole old map.
    using reader = await Deno.open(store.path, { read: true });
    await store.save(bytes(2, 2));
    await Promise.all([store.save(bytes(3)), store.save(bytes(4)), store.save(bytes(5))]);
    assert.deepEqual(await namesIn(dir), [ROUTE_MAP_FILE]);
    assert.notEqual((await Deno.stat(store.path)).ino, (await reader.stat()).ino);
    const old = new Uint8Array(8);
    assert.equal(await reader.read(old), 3);
    assert.deepEqual(old.subarray(0, 3), bytes(1, 1, 1));
    const loaded = (await store.load())?.bytes;
    assert.ok(loaded !== undefined && loaded.length === 1 && [3, 4, 5].includes(loaded[0]!), `torn file: ${loaded}`);
  });
});

Deno.test("RouteMapStore.save() makes the folder when it does not exist yet", async () => {
  await withTempDir(async (dir) => {
    const store = new RouteMapStore(`${dir}/state/routes`);
    await store.save(bytes(7));
    assert.deepEqual((await store.load())?.bytes, bytes(7));
  });
});

Deno.test("RouteMapStore.save() writes the file readable by its owner only (0600)", {
  ignore: Deno.build.os === "windows",
}, async () => {
  await withTempDir(async (dir) => {
    const store = new RouteMapStore(dir);
    await store.save(bytes(1, 2, 3));
    assert.equal((await Deno.stat(store.path)).mode! & 0o777, 0o600);
    await store.save(bytes(4));
    assert.equal((await Deno.stat(store.path)).mode! & 0o777, 0o600);
  });
});

Deno.test("RouteMapStore.save() fails loudly, and leaves no temp file, when it cannot replace the map", async () => {
  await withTempDir(async (dir) => {
    const store = new RouteMapStore(dir);
    // A folder where the file should be: the rename cannot replace it.
    await Deno.mkdir(store.path);
    await Deno.writeFile(`${store.path}/keep`, bytes(1));
    await assert.rejects(store.save(bytes(1, 2)));
    assert.deepEqual(await namesIn(dir), [ROUTE_MAP_FILE]);
  });
});

Deno.test("RouteMapStore.load() passes on errors other than a missing file", async () => {
  await withTempDir(async (dir) => {
    const store = new RouteMapStore(dir);
    await Deno.mkdir(store.path);
    await assert.rejects(store.load());
  });
});
