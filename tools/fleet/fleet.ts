/**
 * `deno task fleet up|down|status [--edges N]`: N edges (default 3) behind HAProxy on one client
 * port, as production runs them. The edges share one route-map state through the route map topic;
 * HAProxy checks each edge's `GET /readyz`, so an edge that drains on SIGTERM leaves rotation
 * before it closes its sockets (`VELTRIX_DRAIN_DELAY_MS`, 2 s here).
 *
 * Kafka is `KAFKA_BROKERS` when set, else the local three-node cluster when it answers
 * (`deno task kafka up --nodes 3`), else the dev broker (brought up if need be). When
 * `VELTRIX_JWT_SECRET` is unset, the fleet makes one (kept in `.veltrix/fleet/`) and prints a token.
 * Every other `VELTRIX_*` variable set here reaches every edge. `up` returns once every edge is
 * ready and in rotation; `down` stops only what `up` started.
 *
 * @module
 */
import { sign } from "hono/jwt";
import { clusterAnswers } from "../../src/kafka/mod.ts";
import { alive, exists, readPid, startDetached, stopPid, tail } from "../dev/detached_process.ts";
import { clusterBootstrap } from "../kafka/cluster_layout.ts";
import { kafkaUp } from "../kafka/kafka.ts";
import { edgeArgv, edgeEnvironment } from "../dev/edge_launch.ts";
import { balancerHandle, balancerPid, startBalancer } from "./balancer.ts";
import {
  FLEET_CLIENT_PORT,
  FLEET_DRAIN_DELAY_MS,
  FLEET_STATS_PORT,
  fleetDir,
  type FleetEdge,
  fleetEdges,
} from "./fleet_layout.ts";
import { DEFAULT_CHECKS } from "./haproxy_config.ts";
import { answerHelp } from "../dev/usage.ts";

const FLEET_USAGE = `usage: deno task fleet up|down|status [--edges N]

  up       start N edges (default 3) behind HAProxy on one client port, on KAFKA_BROKERS when set,
           else the three-node cluster when it answers, else the dev broker
  down     stop the edges and HAProxy that up started
  status   each edge and the balancer's view of it`;

const root = new URL("../../", import.meta.url).pathname;
const dir = fleetDir(root);

const balancerSettings = (edges: readonly FleetEdge[]) => ({
  listen: `127.0.0.1:${FLEET_CLIENT_PORT}`,
  stats: `127.0.0.1:${FLEET_STATS_PORT}`,
  edges: edges.map((edge) => ({ name: edge.name, address: `127.0.0.1:${edge.port}` })),
  maxConnections: 100_000,
  ...DEFAULT_CHECKS,
});

/** KAFKA_BROKERS, else the three-node cluster when it answers, else the dev broker (started if need be). */
async function kafkaBrokers(): Promise<string> {
  const explicit = Deno.env.get("KAFKA_BROKERS");
  if (explicit) return explicit;
  if (await clusterAnswers([clusterBootstrap(3).split(",")[0]!], 1_000)) return clusterBootstrap(3);
  await kafkaUp();
  return "127.0.0.1:9092";
}

/**
 * The Kafka security settings of this environment (`KAFKA_SECURITY_PROTOCOL`, `KAFKA_SASL_*`,
 * `KAFKA_SSL_*`, `KAFKA_OAUTH_*`), passed on to every edge. The edges' environment is written on
 * their command line, so a `KAFKA_SASL_PASSWORD` goes to them as a file (mode 0600) instead.
 */
async function kafkaSecurityEnv(): Promise<Record<string, string>> {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([name]) => /^KAFKA_(SECURITY|SASL|SSL|OAUTH)_/.test(name)),
  );
  const password = env.KAFKA_SASL_PASSWORD;
  if (password === undefined) return env;
  delete env.KAFKA_SASL_PASSWORD;
  const file = `${dir}/kafka-sasl-password`;
  await Deno.writeTextFile(file, password, { mode: 0o600 });
  return { ...env, KAFKA_SASL_PASSWORD_FILE: file };
}

async function jwtSecret(): Promise<string> {
  const explicit = Deno.env.get("VELTRIX_JWT_SECRET");
  if (explicit) return explicit;
  const file = `${dir}/jwt-secret`;
  if (!await exists(file)) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    await Deno.writeTextFile(file, btoa(String.fromCharCode(...bytes)), { mode: 0o600 });
  }
  return (await Deno.readTextFile(file)).trim();
}

async function edgeReady(edge: FleetEdge): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${edge.adminPort}/readyz`).catch(() => undefined);
  await response?.body?.cancel();
  return response?.status === 200;
}

/** Starts edge `edge` detached unless it runs. */
async function startFleetEdge(edge: FleetEdge, env: Record<string, string>): Promise<void> {
  const edgeDir = `${dir}/${edge.name}`;
  const pid = await readPid(`${edgeDir}/edge.pid`);
  if (pid !== undefined && alive(pid)) return;
  await Deno.mkdir(`${edgeDir}/state`, { recursive: true });
  const edgeEnv = edgeEnvironment({
    ...env,
    VELTRIX_EDGE_ID: `fleet-${edge.name}`,
    VELTRIX_PORT: String(edge.port),
    VELTRIX_ADMIN_PORT: String(edge.adminPort),
    VELTRIX_GRPC_PORT: "-1",
    VELTRIX_STATE_DIR: `${edgeDir}/state`,
  });
  await startDetached(
    edgeArgv({ launcher: ["env", ...Object.entries(edgeEnv).map(([k, v]) => `${k}=${v}`)] }),
    `${edgeDir}/edge.log`,
    `${edgeDir}/edge.pid`,
  );
}

/** Brings the fleet up and returns once every edge is ready and the balancer has them all in rotation. */
export async function fleetUp(n: number): Promise<void> {
  const started = performance.now();
  await Deno.mkdir(dir, { recursive: true });
  const edges = fleetEdges(n);
  const brokers = await kafkaBrokers();
  const secret = await jwtSecret();
  const env = {
    VELTRIX_DRAIN_DELAY_MS: String(FLEET_DRAIN_DELAY_MS),
    ...Object.fromEntries(Object.entries(Deno.env.toObject()).filter(([name]) => name.startsWith("VELTRIX_"))),
    ...await kafkaSecurityEnv(),
    KAFKA_BROKERS: brokers,
    VELTRIX_JWT_SECRET: secret,
  };
  await Promise.all(edges.map((edge) => startFleetEdge(edge, env)));
  const pid = await balancerPid(dir);
  const balancer = pid !== undefined
    ? balancerHandle(pid, balancerSettings(edges))
    : await startBalancer(balancerSettings(edges), dir);
  const deadline = Date.now() + 120_000;
  for (const edge of edges) {
    while (!await edgeReady(edge)) {
      const edgePid = await readPid(`${dir}/${edge.name}/edge.pid`);
      if (edgePid === undefined || !alive(edgePid)) {
        throw new Error(`fleet: ${edge.name} exited during start:\n${await tail(`${dir}/${edge.name}/edge.log`, 10)}`);
      }
      if (Date.now() > deadline) throw new Error(`fleet: ${edge.name} not ready after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await balancer.waitFor(edges.map((edge) => edge.name), "UP");
  const token = await sign({ sub: "dev-player", exp: Math.floor(Date.now() / 1000) + 24 * 3600 }, secret, "HS256");
  console.log([
    `Veltrix fleet: ${n} edges behind HAProxy, Kafka ${brokers}, ready in ${
      Math.round(performance.now() - started)
    } ms`,
    `Clients connect to the balancer: ${balancer.clientUrl}`,
    `  with Sec-WebSocket-Protocol: veltrix.v1, veltrix.bearer.${token}`,
    `(a token for player dev-player, valid 24 h, signed with ${
      Deno.env.get("VELTRIX_JWT_SECRET") ? "VELTRIX_JWT_SECRET" : `the secret in ${dir}/jwt-secret`
    })`,
    ...edges.map((edge) =>
      `  ${edge.name}: client 127.0.0.1:${edge.port}  admin http://127.0.0.1:${edge.adminPort}/ (dashboard /dashboard)`
    ),
    `Balancer stats: http://127.0.0.1:${FLEET_STATS_PORT}/stats`,
  ].join("\n"));
}

/** The edges `up` started, whatever their number: one folder each. */
async function startedEdges(): Promise<FleetEdge[]> {
  let n = 0;
  try {
    for await (const entry of Deno.readDir(dir)) n = Math.max(n, Number(entry.name.match(/^edge-(\d+)$/)?.[1] ?? 0));
  } catch {
    // No fleet folder: nothing was started.
  }
  return fleetEdges(n);
}

/** Stops every edge `up` started (SIGTERM: they drain) and then the balancer. */
export async function fleetDown(): Promise<void> {
  await Promise.all(
    (await startedEdges()).map(async (edge) => {
      const pid = await readPid(`${dir}/${edge.name}/edge.pid`);
      if (pid !== undefined && alive(pid)) await stopPid(pid, "SIGTERM", 30_000);
    }),
  );
  const pid = await balancerPid(dir);
  if (pid !== undefined) await stopPid(pid, "SIGTERM", 10_000);
  console.error("fleet: stopped");
}

/** One line per edge and one for the balancer; true when all are up. */
export async function fleetStatus(): Promise<boolean> {
  const edges = await startedEdges();
  const pid = await balancerPid(dir);
  const statuses = pid === undefined
    ? new Map<string, string>()
    : await balancerHandle(pid, balancerSettings(edges)).statuses().catch(() => new Map<string, string>());
  let up = pid !== undefined && edges.length > 0;
  for (const edge of edges) {
    const edgePid = await readPid(`${dir}/${edge.name}/edge.pid`);
    const running = edgePid !== undefined && alive(edgePid);
    const ready = running && await edgeReady(edge);
    up &&= ready && statuses.get(edge.name) === "UP";
    console.log(
      `${edge.name}: ${running ? `pid ${edgePid}` : "not running"} ${ready ? "ready" : "not ready"} ` +
        `balancer ${statuses.get(edge.name) ?? "?"}  admin http://127.0.0.1:${edge.adminPort}/`,
    );
  }
  console.log(`balancer: ${pid ? `pid ${pid} ws://127.0.0.1:${FLEET_CLIENT_PORT}/v1/ingest` : "not running"}`);
  return up;
}

/** `--edges N` from the arguments, 3 when absent. */
export function edgesArgument(args: readonly string[]): number {
  const at = args.findIndex((arg) => arg === "--edges" || arg.startsWith("--edges="));
  if (at === -1) return 3;
  const raw = args[at]!.includes("=") ? args[at]!.split("=")[1] : args[at + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 32) throw new Error(`--edges takes 1 to 32, not ${raw}`);
  return n;
}

if (import.meta.main) {
  answerHelp(Deno.args, FLEET_USAGE);
  const [command, ...rest] = Deno.args;
  try {
    const n = edgesArgument(rest);
    if (command === "up") await fleetUp(n);
    else if (command === "down") await fleetDown();
    else if (command === "status") Deno.exit(await fleetStatus() ? 0 : 1);
    else {
      console.error(FLEET_USAGE);
      Deno.exit(2);
    }
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(1);
  }
}
