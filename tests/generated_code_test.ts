/** The committed generated code is exactly what `deno task gen` makes from proto/, and the schemas pass `buf lint`. */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url).pathname;
const BUF = "npm:@bufbuild/buf@1.75.0";

async function buf(args: string[]): Promise<{ ok: boolean; output: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--lock=buf.deno.lock", BUF, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: out.success, output: decode(out.stdout) + decode(out.stderr) };
}

async function listFiles(dir: string, prefix = ""): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) {
      for (const [p, text] of await listFiles(`${dir}/${entry.name}`, `${path}/`)) files.set(p, text);
    } else {
      files.set(path, await Deno.readTextFile(`${dir}/${entry.name}`));
    }
  }
  return files;
}

Deno.test("committed src/gen is what buf generate makes from proto/ (run `deno task gen` when this fails)", async () => {
  const scratch = await Deno.makeTempDir({ prefix: "veltrix-gen-" });
  try {
    const result = await buf(["generate", "-o", scratch]);
    assert.ok(result.ok, result.output);
    const fresh = await listFiles(`${scratch}/src/gen`);
    const committed = await listFiles(`${root}src/gen`);
    assert.ok(fresh.size > 0, "buf generate made no files");
    assert.deepEqual([...committed.keys()].sort(), [...fresh.keys()].sort(), "same generated files");
    for (const [path, text] of fresh) assert.equal(committed.get(path), text, `src/gen/${path} is stale`);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("the protobuf schemas pass buf lint", async () => {
  const result = await buf(["lint"]);
  assert.ok(result.ok, result.output);
});
