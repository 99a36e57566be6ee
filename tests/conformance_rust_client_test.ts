/**
 * The second-language client, `clients/rust/`, written from the protocol spec and the vectors
 * alone: built with cargo (into a cache folder outside the repository, so the worktree stays
 * clean), it passes every rule of `deno task conformance-edge`.
 */
import assert from "node:assert/strict";
import { rustClientBinary } from "../tools/conformance/rust_client.ts";
import { startConformanceRun } from "./support/conformance_run.ts";

Deno.test("the Rust client passes every rule of the conformance edge", async () => {
  const binary = await rustClientBinary("veltrix-conformance");
  const run = await startConformanceRun("40s");
  const client = await new Deno.Command(binary, {
    args: [run.ingestUrl, run.tokenUrl],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const { code, output } = await run.result;
  const said = new TextDecoder().decode(client.stdout);
  console.log(output);
  console.log(said);
  assert.match(said, /veltrix-conformance: 20 acked, 0 rejected/);
  assert.match(output, /^6 of 6 rules pass$/m, output);
  assert.equal(client.code, 0, new TextDecoder().decode(client.stderr));
  assert.equal(code, 0, output);
});
