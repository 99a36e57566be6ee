/**
 * Turns the Kafka security settings of the config table into a resolved {@linkcode KafkaSecurity}:
 * reads the TLS files and the password file, and sets up the OAUTHBEARER token source over
 * `KAFKA_OAUTH_TOKEN_COMMAND` or `KAFKA_OAUTH_TOKEN_FILE`, fetching the first token at once so that
 * a failing command stops the start. Every Kafka user of the repository (the edge, tail, routes
 * trace, bench, the fleet's edges, the consumer examples) gets its connection here.
 *
 * @module
 */
import { readSecretFile, readSettingFile } from "./setting_file.ts";
import { VeltrixError } from "../core/errors/veltrix_error.ts";
import type { KafkaConnection, KafkaSecurity, SaslCredentials, TlsSettings } from "../kafka/kafka_security.ts";
import { OAuthTokenSource } from "../kafka/oauth_token.ts";
import { CONFIG_TABLE, type EdgeConfig, loadConfigFields } from "./config.ts";

/** The config fields of the Kafka connection. */
export const KAFKA_CONNECTION_FIELDS = [
  "kafkaBrokers",
  "kafkaSecurityProtocol",
  "kafkaSaslMechanism",
  "kafkaSaslUsername",
  "kafkaSaslPassword",
  "kafkaSaslPasswordFile",
  "kafkaSslCaFile",
  "kafkaSslCertFile",
  "kafkaSslKeyFile",
  "kafkaSslServerName",
  "kafkaOauthTokenCommand",
  "kafkaOauthTokenFile",
] as const satisfies readonly (keyof EdgeConfig)[];

/** The Kafka connection's settings, as read from the environment. */
export type KafkaConnectionConfig = Pick<EdgeConfig, (typeof KAFKA_CONNECTION_FIELDS)[number]>;

/** How long a token command may run. */
const TOKEN_COMMAND_TIMEOUT_MS = 15_000;

/** Hooks for tests and logs. */
export interface KafkaSecurityHooks {
  /** Told after each OAUTHBEARER token fetch, with the token's expiry (never the token). */
  readonly onTokenRefresh?: (expiresAtMs: number | undefined) => void;
}

/**
 * Reads `KAFKA_BROKERS` and the security settings from `env` (`brokers` overrides the first, for a
 * `--brokers` flag) and resolves them. Throws a VeltrixError: INVALID_CONFIG for a bad setting or
 * an unreadable file, KAFKA_AUTH_FAILED when the token command fails.
 */
export function loadKafkaConnection(
  env: Readonly<Record<string, string | undefined>>,
  brokers?: string,
  hooks: KafkaSecurityHooks = {},
): Promise<KafkaConnection> {
  const config = loadConfigFields({ ...env, ...(brokers ? { KAFKA_BROKERS: brokers } : {}) }, KAFKA_CONNECTION_FIELDS);
  return resolveKafkaConnection(config, hooks);
}

/** The connection `config` describes, with files read and the first OAUTHBEARER token fetched. */
export async function resolveKafkaConnection(
  config: KafkaConnectionConfig,
  hooks: KafkaSecurityHooks = {},
): Promise<KafkaConnection> {
  return { brokers: config.kafkaBrokers, security: await resolveKafkaSecurity(config, hooks) };
}

async function resolveKafkaSecurity(c: KafkaConnectionConfig, hooks: KafkaSecurityHooks): Promise<KafkaSecurity> {
  const protocol = c.kafkaSecurityProtocol;
  const tls: TlsSettings | undefined = protocol === "SSL" || protocol === "SASL_SSL"
    ? {
      ...(c.kafkaSslCaFile ? { ca: await readSetting("kafkaSslCaFile", c.kafkaSslCaFile) } : {}),
      ...(c.kafkaSslCertFile ? { cert: await readSetting("kafkaSslCertFile", c.kafkaSslCertFile) } : {}),
      ...(c.kafkaSslKeyFile ? { key: await readSetting("kafkaSslKeyFile", c.kafkaSslKeyFile) } : {}),
      ...(c.kafkaSslServerName ? { serverName: c.kafkaSslServerName } : {}),
    }
    : undefined;
  const sasl = await saslCredentials(c, hooks);
  return { protocol, ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) };
}

async function saslCredentials(
  c: KafkaConnectionConfig,
  hooks: KafkaSecurityHooks,
): Promise<SaslCredentials | undefined> {
  const mechanism = c.kafkaSaslMechanism;
  if (mechanism === undefined) return undefined;
  if (mechanism !== "OAUTHBEARER") {
    const password = c.kafkaSaslPassword ??
      await readSecretFile(CONFIG_TABLE.kafkaSaslPasswordFile.env, c.kafkaSaslPasswordFile!);
    return { mechanism, username: c.kafkaSaslUsername!, password };
  }
  const command = c.kafkaOauthTokenCommand;
  const file = c.kafkaOauthTokenFile;
  const source = new OAuthTokenSource({
    fetch: command !== undefined ? () => runTokenCommand(command) : () => readTokenFile(file!),
    onRefresh: (token) => hooks.onTokenRefresh?.(token.expiresAtMs),
  });
  try {
    await source.token();
  } catch (error) {
    if (error instanceof VeltrixError) throw error;
    const name = command !== undefined ? CONFIG_TABLE.kafkaOauthTokenCommand.env : CONFIG_TABLE.kafkaOauthTokenFile.env;
    throw new VeltrixError("KAFKA_AUTH_FAILED", `${name} gave no usable token: ${(error as Error).message}`);
  }
  return { mechanism, token: () => source.token() };
}

/** The text of the file a setting names; INVALID_CONFIG naming the setting and path when it cannot be read. */
function readSetting(field: keyof KafkaConnectionConfig, path: string): Promise<string> {
  return readSettingFile(CONFIG_TABLE[field].env, path);
}

async function readTokenFile(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    throw new VeltrixError(
      "KAFKA_AUTH_FAILED",
      `${CONFIG_TABLE.kafkaOauthTokenFile.env}=${path} cannot be read: ${(error as Error).name}`,
    );
  }
}

/** Runs the token command with `sh -c` and gives its stdout; KAFKA_AUTH_FAILED when it fails or hangs. */
export async function runTokenCommand(command: string): Promise<string> {
  const name = CONFIG_TABLE.kafkaOauthTokenCommand.env;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("sh", {
      args: ["-c", command],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(TOKEN_COMMAND_TIMEOUT_MS),
    }).output();
  } catch (error) {
    throw new VeltrixError("KAFKA_AUTH_FAILED", `${name} could not run: ${(error as Error).message}`);
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" / ").slice(0, 300);
    const how = output.signal ? `was stopped by ${output.signal}` : `exited ${output.code}`;
    throw new VeltrixError("KAFKA_AUTH_FAILED", `${name} ${how}${stderr ? `: ${stderr}` : ""}`);
  }
  return new TextDecoder().decode(output.stdout);
}
