/**
 * The leaderboard as a service: a consumer-group runner (decode, dedupe by event id, commits after
 * handling, poison records) that feeds a {@link Leaderboard}. The leaderboard example and the
 * browser game's server both run it.
 *
 * @module
 */
import { ConsumerRunner, DedupeWindow } from "../../src/consumer/mod.ts";
import type { Logger } from "../../src/core/mod.ts";
import {
  kafkaAdapters,
  type KafkaCluster,
  kafkaGroupConsumers,
  KafkaRecordSink,
  type StartPosition,
} from "../../src/kafka/mod.ts";
import { Leaderboard } from "./leaderboard.ts";

/** Where the service reads and where it sets aside what it cannot use. */
export interface LeaderboardServiceOptions {
  /** Bootstrap brokers, or a whole connection with its security settings. */
  readonly cluster: KafkaCluster;
  readonly topic: string;
  readonly groupId: string;
  readonly poisonTopic: string;
  /** Where a partition with no committed offset starts. @default { from: "earliest" } */
  readonly start?: StartPosition;
  readonly logger: Logger;
}

/** A running leaderboard service. */
export interface LeaderboardService {
  readonly board: Leaderboard;
  readonly runner: ConsumerRunner;
  /** Leaves the group after committing what was handled, and closes the poison producer. */
  stop(): Promise<void>;
}

/** Starts the runner over `topic` and resolves once it is consuming. */
export async function startLeaderboardService(options: LeaderboardServiceOptions): Promise<LeaderboardService> {
  const { cluster, topic, groupId, poisonTopic, logger } = options;
  const board = new Leaderboard();
  const producer = (await kafkaAdapters("kafkajs", cluster, logger))("leaderboard-example");
  await producer.connect();
  await producer.createTopics([{ topic: poisonTopic, partitions: 1, replicationFactor: -1 }]);
  const runner = new ConsumerRunner({
    consumer: (await kafkaGroupConsumers("kafkajs", cluster, logger))({ clientId: "leaderboard-example", groupId }),
    groupId,
    topics: [topic],
    store: new DedupeWindow({ idsPerPartition: 50_000 }),
    poison: { topic: poisonTopic, sink: new KafkaRecordSink(producer) },
    maxAttempts: 3,
    handler: (event) => board.apply(event),
    ...(options.start ? { start: options.start } : {}),
    logger,
  });
  await runner.start();
  return {
    board,
    runner,
    async stop() {
      await runner.stop();
      await producer.close();
    },
  };
}

/** A logger that writes warnings and errors as JSON lines on stderr, an error shown by its message. */
export function stderrLogger(): Logger {
  const log = (level: string, msg: string, fields: Record<string, unknown> = {}) => {
    const { error, ...rest } = fields;
    const shown = error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) };
    console.error(JSON.stringify({ level, msg, ...rest, ...shown }));
  };
  return {
    debug() {},
    info() {},
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
  };
}
