/**
 * The protocol's test vectors (`conformance/vectors/*.json`) as data: their shape, a loader, and
 * the check of what an edge answered against what a vector expects. The edge's tests replay every
 * vector against a real edge (`tests/protocol_vectors_test.ts`); a client author replays them
 * against an edge of their own, or reads them as examples of each frame in both encodings.
 *
 * @module
 */

/** One client frame, as JSON text and as the bytes of a protobuf `veltrix.v1.ClientFrame`. */
export interface VectorFrame {
  /** The frame as a text WebSocket message; absent when the case exists only in binary. */
  readonly json?: string;
  /** The frame as a binary WebSocket message, hex; absent when the case exists only in JSON. */
  readonly protobufHex?: string;
}

/** One expected reject: the event id as sent and the code; messages are for people and not compared. */
export interface ExpectedReject {
  readonly id: string;
  readonly code: string;
  /** The exact retry hint, when the edge gives a fixed one. */
  readonly retryAfterMs?: number;
  /** A lower bound on a retry hint that depends on time (rate limits). */
  readonly retryAfterMsAtLeast?: number;
}

/** What the edge answers one frame with, merged over every reply frame it sends for it. */
export interface VectorExpectation {
  readonly acks?: readonly string[];
  readonly rejects?: readonly ExpectedReject[];
  readonly error?: { readonly code: string };
  /** A `session` reply (a token refresh the edge took). */
  readonly session?: { readonly expiresAt: number };
  /** The WebSocket close code the edge ends the connection with. */
  readonly close?: number;
}

/** A Kafka record one of the vector's events must have become (checked with an independent consumer). */
export interface ExpectedRecord {
  readonly topic: string;
  readonly eventId: string;
  /** Headers the record carries, with these values. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Headers the record must not carry. */
  readonly absentHeaders?: readonly string[];
}

/** One test vector: frames sent in order on one connection, each with what the edge answers. */
export interface TestVector {
  readonly name: string;
  readonly about: string;
  readonly tags: readonly string[];
  /** The edge settings it assumes: a key of `profiles` in `conformance/edge_profiles.json`. */
  readonly profile: string;
  /** The `sub` of the player's token; a replay may add a suffix per run, unless it starts with `exact:`. */
  readonly player: string;
  readonly steps: readonly { readonly frame: VectorFrame; readonly expect: VectorExpectation }[];
  readonly records?: readonly ExpectedRecord[];
}

/** `conformance/edge_profiles.json`: the route map and the environments the vectors assume. */
export interface EdgeProfiles {
  readonly routeMap: {
    readonly version: number;
    readonly routes: { name: string; match: string; targets: { topic: string }[] }[];
    readonly schemas?: { match: string; jsonSchema: string }[];
  };
  readonly profiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The HS256 secret (`VELTRIX_JWT_SECRET`) the literal tokens of the refresh vectors are signed with. */
  readonly jwtSecret: string;
}

/** Where the vectors live in this repository. */
export const VECTORS_DIR: URL = new URL("../../conformance/vectors/", import.meta.url);
/** Where the edge profiles live in this repository. */
export const PROFILES_FILE: URL = new URL("../../conformance/edge_profiles.json", import.meta.url);

/** Every vector in `dir`, sorted by name. */
export async function loadVectors(dir: URL = VECTORS_DIR): Promise<TestVector[]> {
  const vectors: TestVector[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    vectors.push(JSON.parse(await Deno.readTextFile(new URL(entry.name, dir))) as TestVector);
  }
  return vectors.sort((a, b) => a.name.localeCompare(b.name));
}

/** The edge profiles. */
export async function loadProfiles(file: URL = PROFILES_FILE): Promise<EdgeProfiles> {
  return JSON.parse(await Deno.readTextFile(file)) as EdgeProfiles;
}

/** Bytes of a hex string. */
export function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Hex of bytes, lowercase. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A reply frame in its JSON shape (a binary reply decoded into the same shape). */
export interface ObservedReply {
  readonly acks?: readonly string[];
  readonly rejects?: readonly { id: string; code: string; message?: string; retryAfterMs?: number }[];
  readonly error?: { code: string; message?: string };
  readonly session?: { expiresAt: number };
}

/** What came back for one frame: the replies and, if the edge closed, its close code. */
export interface Observed {
  readonly replies: readonly ObservedReply[];
  readonly close?: number;
}

/** True once `observed` holds everything `expect` waits for (so a replay may stop waiting). */
export function expectationMet(expect: VectorExpectation, observed: Observed): boolean {
  const acks = new Set(observed.replies.flatMap((r) => r.acks ?? []));
  const rejected = new Set(observed.replies.flatMap((r) => (r.rejects ?? []).map((j) => j.id)));
  if (!(expect.acks ?? []).every((id) => acks.has(id))) return false;
  if (!(expect.rejects ?? []).every((r) => rejected.has(r.id))) return false;
  if (expect.error && !observed.replies.some((r) => r.error)) return false;
  if (expect.session && !observed.replies.some((r) => r.session)) return false;
  if (expect.close !== undefined && observed.close === undefined) return false;
  return true;
}

/** Every way `observed` differs from `expect`; empty when it matches. */
export function expectationProblems(expect: VectorExpectation, observed: Observed): string[] {
  const problems: string[] = [];
  const acks = [...new Set(observed.replies.flatMap((r) => r.acks ?? []))].sort();
  const wantAcks = [...(expect.acks ?? [])].sort();
  if (JSON.stringify(acks) !== JSON.stringify(wantAcks)) {
    problems.push(`acks ${JSON.stringify(acks)}, expected ${JSON.stringify(wantAcks)}`);
  }
  const rejects = observed.replies.flatMap((r) => r.rejects ?? []);
  const wantRejects = expect.rejects ?? [];
  if (rejects.length !== wantRejects.length) {
    problems.push(`${rejects.length} rejects ${JSON.stringify(rejects)}, expected ${wantRejects.length}`);
  }
  for (const want of wantRejects) {
    const got = rejects.find((r) => r.id === want.id);
    if (!got) continue;
    if (got.code !== want.code) {
      problems.push(`reject of ${JSON.stringify(want.id)}: ${got.code}, expected ${want.code}`);
    }
    if (want.retryAfterMs !== undefined && got.retryAfterMs !== want.retryAfterMs) {
      problems.push(
        `reject of ${JSON.stringify(want.id)}: retryAfterMs ${got.retryAfterMs}, expected ${want.retryAfterMs}`,
      );
    }
    if (want.retryAfterMsAtLeast !== undefined && !((got.retryAfterMs ?? 0) >= want.retryAfterMsAtLeast)) {
      problems.push(
        `reject of ${
          JSON.stringify(want.id)
        }: retryAfterMs ${got.retryAfterMs}, expected at least ${want.retryAfterMsAtLeast}`,
      );
    }
  }
  const errors = observed.replies.flatMap((r) => (r.error ? [r.error.code] : []));
  const wantErrors = expect.error ? [expect.error.code] : [];
  if (JSON.stringify(errors) !== JSON.stringify(wantErrors)) {
    problems.push(`frame errors ${JSON.stringify(errors)}, expected ${JSON.stringify(wantErrors)}`);
  }
  const sessions = observed.replies.flatMap((r) => (r.session ? [r.session] : []));
  const wantSessions = expect.session ? [expect.session] : [];
  if (JSON.stringify(sessions) !== JSON.stringify(wantSessions)) {
    problems.push(`sessions ${JSON.stringify(sessions)}, expected ${JSON.stringify(wantSessions)}`);
  }
  if (observed.close !== expect.close) problems.push(`close ${observed.close}, expected ${expect.close}`);
  return problems;
}
