import assert from "node:assert/strict";
import { backendStatuses, DEFAULT_CHECKS, haproxyConfig, maxConnectionsFor, rotationExitMs } from "./haproxy_config.ts";

const settings = {
  listen: "127.0.0.1:8800",
  stats: "127.0.0.1:8899",
  edges: [{ name: "edge-1", address: "127.0.0.1:8801" }, { name: "edge-2", address: "127.0.0.1:8802" }],
  maxConnections: 50_000,
  ...DEFAULT_CHECKS,
};

Deno.test("haproxyConfig() checks every edge's /readyz and passes WebSocket upgrades through one client port", () => {
  const text = haproxyConfig(settings);
  assert.match(text, /^ {2}bind 127\.0\.0\.1:8800$/m);
  assert.match(text, /^ {2}mode http$/m);
  assert.match(text, /^ {2}timeout tunnel 1h$/m);
  assert.match(text, /^ {2}option httpchk GET \/readyz$/m);
  assert.match(text, /^ {2}http-check expect status 200$/m);
  assert.match(text, /^ {2}default-server check inter 500ms .* fall 2 rise 2$/m);
  assert.match(text, /^ {2}server edge-1 127\.0\.0\.1:8801$/m);
  assert.match(text, /^ {2}server edge-2 127\.0\.0\.1:8802$/m);
  assert.doesNotMatch(text, /shutdown-sessions/, "a draining edge keeps its sockets until it closes them itself");
});

Deno.test("rotationExitMs() bounds how long a draining edge may still get new players", () => {
  assert.equal(rotationExitMs(DEFAULT_CHECKS), 1_500);
});

Deno.test("backendStatuses() reads each edge's status from the stats CSV, leaving out the proxies' own rows", () => {
  const csv = [
    "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status",
    "veltrix,FRONTEND,,,0,1,50000,1,0,0,0,0,0,,,,,OPEN",
    "edges,edge-1,0,0,0,1,,1,0,0,,0,,0,0,0,0,UP",
    "edges,edge-2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN",
    "edges,BACKEND,0,0,0,1,5000,1,0,0,0,0,,0,0,0,0,UP",
    "",
  ].join("\n");
  assert.deepEqual([...backendStatuses(csv)], [["edge-1", "UP"], ["edge-2", "DOWN"]]);
});

Deno.test("maxConnectionsFor() keeps two descriptors per connection under the open-file limit", () => {
  assert.equal(maxConnectionsFor(100_000, 20_000), 9_900);
  assert.equal(maxConnectionsFor(5_000, 1_048_576), 5_000);
  assert.equal(maxConnectionsFor(5_000, undefined), 5_000);
});
