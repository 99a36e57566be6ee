import assert from "node:assert/strict";
import { singleBrokerProperties } from "./single_broker.ts";

Deno.test("singleBrokerProperties() moves the dev broker's listeners, quorum and log dir, and nothing else", async () => {
  const template = await Deno.readTextFile(new URL("server.properties", import.meta.url));
  const moved = singleBrokerProperties(template, { port: 21092, controllerPort: 21093, dir: "/tmp/b" });
  assert.doesNotMatch(moved, /:909[23]\b/, "no line keeps the shared broker's ports");
  assert.match(moved, /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:21092,CONTROLLER:\/\/127\.0\.0\.1:21093$/m);
  assert.match(moved, /^advertised\.listeners=PLAINTEXT:\/\/127\.0\.0\.1:21092$/m);
  assert.match(moved, /^controller\.quorum\.bootstrap\.servers=127\.0\.0\.1:21093$/m);
  assert.match(moved, /^log\.dirs=\/tmp\/b\/data$/m);
  const lines = (text: string) =>
    text.split("\n").filter((line) => !/9092|9093|@LOG_DIR@|21092|21093|\/tmp\/b/.test(line));
  assert.deepEqual(lines(moved), lines(template));
});
