import { patternMatches } from "../../src/core/mod.ts";
import type { RoutedEvent } from "../../src/consumer/mod.ts";
import type { GroupRecord } from "../../src/kafka/mod.ts";
import type { EventFilter } from "./tail_options.ts";

/** True when `event` passes every filter that is set. */
export function matchesFilter(event: RoutedEvent, filter: EventFilter): boolean {
  return (filter.type === undefined || patternMatches(filter.type, event.type)) &&
    (filter.player === undefined || event.player === filter.player) &&
    (filter.id === undefined || event.id === filter.id);
}

/** How lines are drawn. */
export interface LineStyle {
  readonly colour: boolean;
  /** Columns to fit each line in; undefined never cuts (output is piped). */
  readonly width: number | undefined;
}

const ANSI = {
  dim: "\x1b[2m",
  cyan: "\x1b[36m",
  yellow: "\x1b[33m",
  green: "\x1b[32m",
  red: "\x1b[31m",
  reset: "\x1b[0m",
};

/** `HH:MM:SS.mmm` of `date`, in UTC. */
function clock(date: Date): string {
  return date.toISOString().slice(11, 23);
}

/**
 * One event as one line: time, topic, partition/offset, type, player, id, route version, edge,
 * and the data cut to fit `style.width`.
 */
export function formatEventLine(event: RoutedEvent, record: GroupRecord, style: LineStyle): string {
  const columns: [string, keyof typeof ANSI | undefined][] = [
    [clock(event.receivedAt), "dim"],
    [record.topic, "cyan"],
    [`${record.partition}/${record.offset}`, "dim"],
    [event.type, "yellow"],
    [event.player, "green"],
    [event.id, undefined],
    [`v${event.routeVersion}`, "dim"],
    [event.edgeId, "dim"],
  ];
  const plain = columns.map(([text]) => text).join(" ");
  const data = event.data === undefined ? "" : JSON.stringify(event.data);
  const room = style.width === undefined ? Infinity : style.width - plain.length - 1;
  const shown = data.length <= room ? data : room <= 1 ? "" : data.slice(0, room - 1) + "…";
  const painted = style.colour
    ? columns.map(([text, colour]) => colour === undefined ? text : `${ANSI[colour]}${text}${ANSI.reset}`).join(" ")
    : plain;
  return shown === "" ? painted : `${painted} ${shown}`;
}

/** A record that is not a Veltrix record, as one line saying why. */
export function formatUndecodableLine(record: GroupRecord, reason: string, style: LineStyle): string {
  const text = `${record.topic} ${record.partition}/${record.offset} not a Veltrix record: ${reason}`;
  const cut = style.width !== undefined && text.length > style.width ? text.slice(0, style.width - 1) + "…" : text;
  return style.colour ? `${ANSI.red}${cut}${ANSI.reset}` : cut;
}

/** One event as one JSON object, for `--json`. */
export function eventJson(event: RoutedEvent, record: GroupRecord): string {
  return JSON.stringify({
    time: event.receivedAt.toISOString(),
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    type: event.type,
    player: event.player,
    id: event.id,
    routeVersion: String(event.routeVersion),
    edge: event.edgeId,
    format: event.format,
    data: event.data,
  });
}
