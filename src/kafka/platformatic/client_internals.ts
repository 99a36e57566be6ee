/**
 * The little of @platformatic/kafka's internals the lean produce path reaches, through symbols and
 * functions the package exports: the metadata and connection of a client, and its produce
 * response parsers. Held to the pinned version 2.12.1 by `produce_request_test.ts`.
 *
 * @module
 */
import {
  type Connection,
  kGetApi,
  kGetConnection,
  kMetadata,
  produceV10,
  produceV11,
  produceV9,
  ProtocolError,
} from "@platformatic/kafka";

/** Metadata as the client keeps it (the fields used here). */
export interface ClusterMetadata {
  readonly brokers: Map<number, unknown>;
  readonly topics: Map<string, { partitionsCount: number; partitions: { leader: number }[] }>;
}

/** The client's internals a produce reaches through its exported symbols. */
export interface ClientInternals {
  [kMetadata](options: object, callback: (error: Error | null, metadata: ClusterMetadata) => void): void;
  [kGetConnection](broker: unknown, callback: (error: Error | null, connection: Connection) => void): void;
  [kGetApi](name: string, callback: (error: Error | null, api: { version: number }) => void): void;
}

/** The client's produce response parsers, by the versions the lean path encodes. */
export const PARSERS: Record<number, (...args: never[]) => unknown> = {
  9: produceV9.parseResponse as never,
  10: produceV10.parseResponse as never,
  11: produceV11.parseResponse as never,
};

/** One partition's answer in a produce response. */
export interface PartitionResponse {
  readonly index: number;
  readonly errorCode: number;
}
/** A produce response, as the client's parser makes it (the fields used here). */
export interface ProduceResponse {
  readonly responses: readonly { name: string; partitionResponses: readonly PartitionResponse[] }[];
}

/** The client's response parser, returning the response even when partitions carry errors (it throws then). */
export function keepPartitionErrors(parse: (...args: never[]) => unknown) {
  return (...args: unknown[]) => {
    try {
      return parse(...(args as never[]));
    } catch (error) {
      const response = (error as { response?: unknown }).response;
      if (response !== undefined && (error as { code?: unknown }).code === "PLT_KFK_RESPONSE") return response;
      throw error;
    }
  };
}

/** Kafka's name of an error code (`UNKNOWN_SERVER_ERROR` for a code the client does not know). */
export function errorName(code: number): string {
  try {
    return (new ProtocolError(code) as unknown as { apiId: string }).apiId;
  } catch {
    return "UNKNOWN_SERVER_ERROR";
  }
}
