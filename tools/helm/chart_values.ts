/**
 * The parts of the Helm chart's `values.yaml` written from the edge's config table
 * (`src/main/config_table.ts`) by `deno task docs`: `config`, one key per plain variable, and
 * `secrets`, one key per credential naming the key of `existingSecret` it is read from. A row
 * added to the config table shows up in the chart on the next `deno task docs`, and
 * `tests/readme_test.ts` fails while the committed file is stale.
 *
 * @module
 */
import { CONFIG_TABLE, type ConfigEntry } from "../../src/main/config.ts";

/** The chart's own settings of plain variables, where Kubernetes wants other values than a laptop. */
export const CHART_CONFIG: Readonly<Record<string, string>> = {
  VELTRIX_PORT: "8787",
  // The internal admin Service reaches the admin port on the pod's address; the ops token guards it.
  VELTRIX_ADMIN_HOST: "0.0.0.0",
  VELTRIX_ADMIN_PORT: "8788",
  VELTRIX_STATE_DIR: "/var/lib/veltrix/state",
  KAFKA_BROKERS: "kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092",
  VELTRIX_TOPIC_REPLICATION_FACTOR: "3",
  VELTRIX_SHUTDOWN_TIMEOUT_MS: "10000",
  VELTRIX_DRAIN_DELAY_MS: "2000",
  VELTRIX_MAX_CONNECTIONS: "20000",
  VELTRIX_LOG_LEVEL: "info",
};

/** The key of `existingSecret` each credential is read from by default; the others are unset until given one. */
export const CHART_SECRET_KEYS: Readonly<Record<string, string>> = {
  VELTRIX_JWT_SECRET: "jwt-secret",
  VELTRIX_TRUSTED_KEYS: "trusted-keys",
  VELTRIX_OPS_TOKEN: "ops-token",
};

/** Every config entry, in the table's order. */
export function configEntries(): ConfigEntry<unknown>[] {
  return Object.values(CONFIG_TABLE) as ConfigEntry<unknown>[];
}

/** Variable names that hold a credential; a row named like one must carry `secret: true` (a test holds it). */
export const CREDENTIAL_NAME = /(SECRET|PASSWORD|TOKEN|USERNAME)$/;

/** `text` as YAML comment lines of at most `width` characters, indented by `indent`. */
function comment(text: string, indent: string, width = 118): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line !== "" && indent.length + 2 + line.length + 1 + word.length > width) {
      lines.push(`${indent}# ${line}`);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(`${indent}# ${line}`);
  return lines;
}

/** The `config:` and `secrets:` sections of `values.yaml`. */
export function chartValuesSections(): string {
  const out: string[] = [
    "# Every plain variable the edge reads (docs/operations.md#configuration). An empty value leaves it unset, so the",
    "# edge's own default applies.",
    "config:",
  ];
  for (const entry of configEntries().filter((e) => !e.secret)) {
    out.push(...comment(`${entry.doc} Edge default: ${entry.default}.`, "  "));
    out.push(`  ${entry.env}: ${JSON.stringify(CHART_CONFIG[entry.env] ?? "")}`);
  }
  out.push(
    "",
    "# Credentials, read from the Secret `existingSecret` (created outside the chart), never set inline: each variable",
    "# names the key of that Secret it comes from. An empty key leaves the variable unset.",
    "secrets:",
  );
  for (const entry of configEntries().filter((e) => e.secret)) {
    out.push(...comment(entry.doc, "  "));
    out.push(`  ${entry.env}: ${JSON.stringify(CHART_SECRET_KEYS[entry.env] ?? "")}`);
  }
  return out.join("\n");
}
