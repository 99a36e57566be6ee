import process from "node:process";
import { Kafka, type LogEntry, logLevel } from "kafkajs";
import type { Logger } from "../../core/ops/logger.ts";
import type { KafkaConnection } from "../kafka_security.ts";
import { kafkajsSecurity } from "./kafkajs_security.ts";

/**
 * kafkajs schedules its request-queue check with a negative delay when it is not throttled
 * (requestQueue `throttledUntil - Date.now()`), which the runtime clamps to 1 ms and reports as a
 * TimeoutNegativeWarning on every connection. The behaviour is as intended; only that warning is
 * dropped, every other one still goes out.
 */
export function silenceKafkajsTimeoutWarnings(): void {
  const emit = process.emitWarning;
  if ((emit as { veltrixQuiet?: boolean }).veltrixQuiet) return;
  const quiet = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === "TimeoutNegativeWarning") return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  (quiet as { veltrixQuiet?: boolean }).veltrixQuiet = true;
  process.emitWarning = quiet as typeof process.emitWarning;
}

/** A threshold below any session lifetime: kafkajs then re-authenticates only on a new connection. */
const NEVER_IN_BAND_MS = 100 * 365 * 24 * 3_600_000;

/**
 * Broker answers that are routine while a cluster starts or moves leaders: the client retries
 * them, so they are logged at info, not as errors.
 */
const TRANSIENT =
  /coordinator is loading|coordinator is not available|not the correct coordinator|leader is not available|no leader|not the leader|ECONNREFUSED|Connection error|Closed connection|timed out/i;

/**
 * kafkajs's warning that the idempotent producer's retries are bounded: they are on purpose (the
 * sink retries the same batch, with kafkajs's sequence numbers kept), so it is said at info.
 */
const EXPECTED = /Limiting retries for the idempotent producer/;

/**
 * A kafkajs client for `connection` (its TLS and SASL included) whose log lines go through our structured logger, warnings and up only; the
 * routine transient answers of a starting cluster go out at info.
 */
export function createKafkaClient(clientId: string, connection: KafkaConnection, logger: Logger): Kafka {
  silenceKafkajsTimeoutWarnings();
  return new Kafka({
    clientId,
    brokers: [...connection.brokers],
    ...kafkajsSecurity(connection.security),
    // Never re-authenticate in band: kafkajs 2.2.4 sends its SaslHandshake while other requests of
    // the connection are in flight, which brokers answer with ILLEGAL_SASL_STATE. The broker
    // closes a connection whose session (a token's life, `connections.max.reauth.ms`) has ended,
    // and kafkajs then reconnects and authenticates afresh, with a fresh token.
    reauthenticationThreshold: -NEVER_IN_BAND_MS,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 8 },
    logCreator: () => ({ level, log }: LogEntry) => {
      const { message, ...fields } = log;
      const line = `kafkajs: ${message}`;
      if (EXPECTED.test(message) || TRANSIENT.test(`${message} ${String(fields.error ?? "")}`)) {
        logger.info(line, fields);
      } else if (level <= logLevel.ERROR) logger.error(line, fields);
      else logger.warn(line, fields);
    },
  });
}
