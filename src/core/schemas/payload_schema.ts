/**
 * Payload schemas: a route map's JSON Schemas (draft 2020-12) compiled into validator functions
 * by ajv, once per distinct schema text, at apply time. ajv generates each validator's code with
 * `new Function`: no I/O, no network (remote refs are refused before compile, and no loader is
 * set), which is why it may live in core. Patterns run on RE2 (`re2_engine.ts`), never on V8's
 * backtracking engine.
 *
 * @module
 */
import type { JsonValue } from "@bufbuild/protobuf";
import { Ajv2020 } from "ajv/dist/2020.js";
import { PAYLOAD_SCHEMA_LIMITS, payloadSchemaLimitProblems } from "./payload_schema_limits.ts";
import { re2RegExp } from "./re2_engine.ts";

/** Where and why an event's data fails its schema. */
export interface SchemaViolation {
  /** A JSON pointer into the data: "" for the data itself, `/gold` for one member. */
  readonly pointer: string;
  /**
   * The outermost schema keyword that failed, for example `minimum`, `required` or `anyOf` (when
   * no branch matched); for if/then/else, the keyword of the branch that failed.
   */
  readonly keyword: string;
  /** ajv's words for it, for example `must be >= 0`. */
  readonly message: string;
}

/** One schema, compiled. The same object serves every map version that carries the same text. */
export interface CompiledPayloadSchema {
  /** A hash of the schema text: what compiled schemas are reused by. */
  readonly key: string;
  /** The schema text as the map carried it. */
  readonly text: string;
  /** The first way `data` fails the schema, or undefined when it matches. Absent data is `null`. */
  readonly check: (data: JsonValue | undefined) => SchemaViolation | undefined;
}

/** Compiles schema text into a validator, or says why it cannot. */
export type PayloadSchemaCompiler = (text: string) => CompiledPayloadSchema | { readonly problems: string[] };

/** Compiles before the shared ajv instance is replaced, so that its caches stay bounded. */
const COMPILES_PER_INSTANCE = 2_000;

let ajv: Ajv2020 | undefined;
let compiles = 0;

/** The shared ajv instance: meta-schema checks cost tens of milliseconds the first time. */
function validatorFactory(): Ajv2020 {
  if (ajv === undefined || compiles >= COMPILES_PER_INSTANCE) {
    ajv = new Ajv2020({
      strictSchema: true,
      strictNumbers: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
      allErrors: false,
      validateFormats: false,
      addUsedSchema: false,
      logger: false,
      // Every `pattern` runs on RE2, in time linear in the input (see re2_engine.ts).
      code: { regExp: re2RegExp },
      // Otherwise ajv's strict mode tests each `patternProperties` key against the names in
      // `properties` with V8's own RegExp while compiling: a name made to trip a catastrophic
      // pattern would hang the edge that applies the map (payload_schema_fuzz_test.ts found it).
      allowMatchingProperties: true,
    });
    compiles = 0;
  }
  compiles++;
  return ajv;
}

/**
 * A short, stable hash of schema text (53-bit cyrb53, with the length): equal texts share a
 * key, and a compiled schema is only reused after its text compares equal too.
 */
export function payloadSchemaKey(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return `${(4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36)}-${text.length.toString(36)}`;
}

/**
 * Parses, checks against {@link PAYLOAD_SCHEMA_LIMITS} and compiles one schema. Problems are
 * whole sentences, each limit's starting with the limit's code.
 */
export const compilePayloadSchema: PayloadSchemaCompiler = (text) => {
  const { code, value } = PAYLOAD_SCHEMA_LIMITS.maxSchemaBytes;
  if (text.length > value) return { problems: [`${code}: schema is ${text.length} characters; the limit is ${value}`] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    return { problems: [`schema is not JSON: ${(cause as Error).message}`] };
  }
  if (typeof parsed !== "boolean" && (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))) {
    return { problems: ["schema must be a JSON object or a boolean"] };
  }
  const problems = payloadSchemaLimitProblems(parsed);
  if (problems.length > 0) return { problems };
  const factory = validatorFactory();
  let validate;
  try {
    validate = factory.compile(parsed as object);
  } catch (cause) {
    return { problems: [`schema does not compile: ${(cause as Error).message}`] };
  } finally {
    if (typeof parsed === "object") factory.removeSchema(parsed as object);
  }
  return Object.freeze({
    key: payloadSchemaKey(text),
    text,
    check: (data: JsonValue | undefined): SchemaViolation | undefined => {
      if (validate(data === undefined ? null : data)) return undefined;
      const errors = validate.errors ?? [];
      // The outermost failing keyword: ajv lists the errors of anyOf/oneOf branches before the
      // keyword itself, and `if` after the `then`/`else` keyword that failed.
      let last = errors.length - 1;
      while (last > 0 && errors[last]!.keyword === "if") last--;
      const error = errors[last];
      return {
        pointer: error?.instancePath ?? "",
        keyword: error?.keyword ?? "false",
        message: error?.message ?? "must not be present",
      };
    },
  });
};
