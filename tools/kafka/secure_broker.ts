/**
 * `deno task kafka up|down|status --security sasl_ssl`: a second single-node dev broker with
 * secured listeners, apart from the plain broker on 9092 (its own ports, state folder, pid and
 * log), in one JVM:
 *
 * | Port  | Listener                                                       |
 * | ----- | -------------------------------------------------------------- |
 * | 29092 | SASL_SSL, SCRAM-SHA-512 (user `veltrix`)                        |
 * | 29093 | SSL with client certificates required (mTLS)                    |
 * | 29094 | SASL_PLAINTEXT, OAUTHBEARER with Kafka's unsecured dev tokens   |
 * | 29095 | PLAINTEXT, the broker's own (inter-broker; tests read back here) |
 * | 29096 | the KRaft controller                                           |
 * | 29097 | SSL with a broker certificate that expired in 2020              |
 * | 29098 | SASL_SSL, SCRAM-SHA-512 with 5 s sessions (credentials rotated under a client) |
 *
 * The CA and the certificates are made with openssl into `<kafka home>/secure/certs` on the first
 * `up`, and the SCRAM user is created when the storage is formatted (`--add-scram`).
 *
 * @module
 */
import { clusterAnswers } from "../../src/kafka/mod.ts";
import { exists, run } from "../dev/detached_process.ts";
import { brokerStatus, type DetachedBroker, startBroker, stopBroker } from "./detached_broker.ts";
import { javaArgs, KAFKA_TOOLS_DIR, kafkaHome, randomClusterId } from "./kafka_jvm.ts";
import { certsIn, ensureCerts } from "./secure_certs.ts";

/** The secure broker's listeners. */
export const SECURE_PORTS = {
  scram: 29092,
  mtls: 29093,
  oauth: 29094,
  internal: 29095,
  expired: 29097,
  rotate: 29098,
} as const;
/** The SCRAM-SHA-512 user the broker is formatted with. */
export const SCRAM_USER = "veltrix";

const HOST = "127.0.0.1";

/** The secure broker's files. */
export function securePaths() {
  const state = `${kafkaHome()}/secure`;
  return {
    state,
    data: `${state}/data`,
    config: `${state}/server.properties`,
    pid: `${state}/broker.pid`,
    log: `${state}/broker.log`,
    password: `${state}/scram-password`,
    certs: certsIn(`${state}/certs`),
  };
}

/** True when the secure broker answers on its internal plaintext listener. */
export function secureBrokerAnswers(timeoutMs = 2_000): Promise<boolean> {
  return clusterAnswers([`${HOST}:${SECURE_PORTS.internal}`], timeoutMs);
}

async function scramPassword(path: string): Promise<string> {
  if (await exists(path)) return (await Deno.readTextFile(path)).trim();
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  const password = btoa(String.fromCharCode(...bytes)).replaceAll("+", "A").replaceAll("/", "B");
  await Deno.writeTextFile(path, `${password}\n`, { mode: 0o600 });
  return password;
}

async function ensureFormatted(p: ReturnType<typeof securePaths>, password: string): Promise<void> {
  const template = await Deno.readTextFile(`${KAFKA_TOOLS_DIR}secure.properties`);
  await Deno.mkdir(p.data, { recursive: true });
  await Deno.writeTextFile(p.config, template.replaceAll("@STATE@", p.state));
  if (await exists(`${p.data}/meta.properties`)) return;
  const clusterId = await randomClusterId();
  await run(
    "java",
    javaArgs("kafka.tools.StorageTool", [
      "format",
      "-t",
      clusterId,
      "-c",
      p.config,
      "--standalone",
      "--add-scram",
      `SCRAM-SHA-512=[name=${SCRAM_USER},password=${password}]`,
    ]),
    "storage format (secure broker)",
  );
}

/** The client environment for each listener: SCRAM over SASL_SSL, then mTLS, then OAUTHBEARER's broker. */
export async function secureEnvironments(): Promise<{ scram: Record<string, string>; mtls: Record<string, string> }> {
  const p = securePaths();
  const password = await scramPassword(p.password);
  return {
    scram: {
      KAFKA_BROKERS: `${HOST}:${SECURE_PORTS.scram}`,
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: SCRAM_USER,
      KAFKA_SASL_PASSWORD: password,
      KAFKA_SSL_CA_FILE: p.certs.ca,
    },
    mtls: {
      KAFKA_BROKERS: `${HOST}:${SECURE_PORTS.mtls}`,
      KAFKA_SECURITY_PROTOCOL: "SSL",
      KAFKA_SSL_CA_FILE: p.certs.ca,
      KAFKA_SSL_CERT_FILE: p.certs.clientCert,
      KAFKA_SSL_KEY_FILE: p.certs.clientKey,
    },
  };
}

/** The secure broker, as {@link startBroker} and {@link stopBroker} run it. */
function secureBroker(): DetachedBroker {
  const p = securePaths();
  return {
    name: "secure broker",
    config: p.config,
    pid: p.pid,
    log: p.log,
    heap: "512m",
    answers: secureBrokerAnswers,
    prepare: async () => {
      await ensureCerts(p.certs.dir);
      await ensureFormatted(p, await scramPassword(p.password));
    },
  };
}

/** Starts the secure broker unless it answers already, and waits until it is ready. */
export async function secureKafkaUp(timeoutMs = 120_000): Promise<void> {
  if (await secureBrokerAnswers()) return;
  await startBroker(secureBroker(), timeoutMs);
  console.error(`kafka: secure broker ready on ${HOST}:${SECURE_PORTS.scram}-${SECURE_PORTS.rotate}`);
}

/** Stops the secure broker that `secureKafkaUp` started. */
export function secureKafkaDown(timeoutMs = 60_000): Promise<void> {
  return stopBroker(secureBroker(), timeoutMs);
}

/** Whether the secure broker answers, and its pid when this script started it. */
export function secureKafkaStatus(): Promise<{ up: boolean; pid: number | undefined }> {
  return brokerStatus(secureBroker());
}

/** `NAME=value` lines: SCRAM's environment, a blank line, then mTLS's. */
export async function secureEnvironmentText(): Promise<string> {
  const { scram, mtls } = await secureEnvironments();
  const lines = (env: Record<string, string>) => Object.entries(env).map(([name, value]) => `${name}=${value}`);
  return [...lines(scram), "", ...lines(mtls)].join("\n");
}
