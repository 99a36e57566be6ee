import { parseArgs } from "node:util";
import { defaultRouteMap, parseRoutePattern, type RoutePattern } from "../../src/core/mod.ts";
import type { StartPosition } from "../../src/kafka/mod.ts";

/** A usage mistake: printed with the usage, exit code 2. */
export class TailUsageError extends Error {}

/** Which events `deno task tail` prints. */
export interface EventFilter {
  readonly type?: RoutePattern;
  readonly player?: string;
  readonly id?: string;
}

/** What `deno task tail` was asked to do. */
export interface TailOptions {
  readonly topics: readonly string[];
  readonly filter: EventFilter;
  readonly start: StartPosition;
  readonly json: boolean;
  readonly brokers: readonly string[];
  /** Colour on a terminal unless NO_COLOR is set; `--no-color` and `--color` decide otherwise. */
  readonly colour: "auto" | "always" | "never";
}

export const TAIL_USAGE = `usage: deno task tail [TOPIC...] [options]
  TOPIC...            topics to follow (default: the embedded default map's topics)
  --type PATTERN      only events whose type matches (an exact type, "prefix.*" or "*")
  --player ID         only this player's events
  --id EVENT_ID       only this event
  --from-beginning    start at each partition's first record (default: new records only)
  --since DURATION    start at records written in the last DURATION (30s, 10m, 2h, 1d)
  --json              one JSON object per event, for piping
  --brokers LIST      bootstrap brokers (default: KAFKA_BROKERS or 127.0.0.1:9092)
  --color, --no-color force colour on or off (default: on a terminal, unless NO_COLOR is set)`;

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds in a duration such as `90s`, `10m`, `1h` or `2d`; throws a TailUsageError otherwise. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (match === null) throw new TailUsageError(`"${text}" is not a duration (try 30s, 10m, 2h or 1d)`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/** Every topic of the embedded default route map: its targets and its dead-letter topic. */
export function defaultTopics(): string[] {
  const map = defaultRouteMap();
  const topics = new Set(map.routes.flatMap((route) => route.targets.map((target) => target.topic)));
  if (map.deadLetterTopic !== "") topics.add(map.deadLetterTopic);
  return [...topics];
}

/** Reads `deno task tail`'s arguments; `nowMs` anchors `--since`. */
export function parseTailArgs(args: readonly string[], nowMs: number, brokersEnv?: string): TailOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        type: { type: "string" },
        player: { type: "string" },
        id: { type: "string" },
        "from-beginning": { type: "boolean" },
        since: { type: "string" },
        json: { type: "boolean" },
        brokers: { type: "string" },
        color: { type: "boolean" },
        "no-color": { type: "boolean" },
      },
    });
  } catch (error) {
    throw new TailUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values["from-beginning"] && values.since !== undefined) {
    throw new TailUsageError("--from-beginning and --since cannot be used together");
  }
  let type: RoutePattern | undefined;
  if (values.type !== undefined) {
    const pattern = parseRoutePattern(values.type);
    if ("problem" in pattern) throw new TailUsageError(`--type: ${pattern.problem}`);
    type = pattern;
  }
  const start: StartPosition = values.since !== undefined
    ? { from: "timestamp", timestampMs: nowMs - parseDuration(values.since) }
    : values["from-beginning"]
    ? { from: "earliest" }
    : { from: "latest" };
  const brokers = (values.brokers ?? brokersEnv ?? "127.0.0.1:9092").split(",").map((b) => b.trim()).filter(Boolean);
  return {
    topics: positionals.length > 0 ? [...new Set(positionals)] : defaultTopics(),
    filter: {
      ...(type === undefined ? {} : { type }),
      ...(values.player === undefined ? {} : { player: values.player }),
      ...(values.id === undefined ? {} : { id: values.id }),
    },
    start,
    json: values.json ?? false,
    brokers,
    colour: values["no-color"] ? "never" : values.color ? "always" : "auto",
  };
}
