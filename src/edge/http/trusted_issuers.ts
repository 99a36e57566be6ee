/**
 * `VELTRIX_JWT_ISSUERS`: the identity providers whose player tokens the edge trusts, each with the
 * URL of its JSON Web Key Set. Parsing only; the key sets are fetched by `jwks_issuers.ts`.
 *
 * @module
 */
import { VeltrixError } from "../../core/errors/veltrix_error.ts";

/** The algorithms a trusted issuer may sign with. HS256 is never one: its keys are not public. */
export const JWKS_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"] as const;

/** An algorithm a trusted issuer may sign with. */
export type JwksAlgorithm = (typeof JWKS_ALGORITHMS)[number];

/** One trusted issuer. */
export interface TrustedIssuer {
  /** The `iss` its tokens carry, exactly. */
  readonly issuer: string;
  /** Where its JSON Web Key Set is published (https, or http for local development). */
  readonly jwksUrl: string;
  /** The `aud` its tokens must carry (or contain). */
  readonly audience: string | readonly string[];
  /** The algorithms its tokens may use. */
  readonly algorithms: readonly JwksAlgorithm[];
}

/**
 * Reads `VELTRIX_JWT_ISSUERS`: a JSON list of `{"issuer", "jwksUrl", "audience", "algorithms"}`.
 * Every problem is reported at once, in a VeltrixError with code INVALID_CONFIG; empty text is
 * an empty list.
 *
 * @example
 * ```ts
 * import { parseTrustedIssuers } from "./trusted_issuers.ts";
 *
 * parseTrustedIssuers(
 *   '[{"issuer":"https://id.example","jwksUrl":"https://id.example/jwks.json","audience":"game","algorithms":["RS256"]}]',
 * )[0]?.algorithms; // ["RS256"]
 * ```
 */
export function parseTrustedIssuers(text: string): TrustedIssuer[] {
  if (text.trim() === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(["is not JSON"]);
  }
  if (!Array.isArray(parsed)) throw invalid(["must be a JSON list of issuers"]);
  const problems: string[] = [];
  const issuers: TrustedIssuer[] = [];
  const seen = new Set<string>();
  parsed.forEach((item: unknown, i) => {
    const before = problems.length;
    const at = (problem: string) => problems.push(`entry ${i}: ${problem}`);
    if (typeof item !== "object" || item === null || Array.isArray(item)) return at("must be an object");
    const { issuer, jwksUrl, audience, algorithms } = item as Record<string, unknown>;
    if (typeof issuer !== "string" || issuer === "") at('"issuer" must be a non-empty string');
    else if (seen.has(issuer)) at(`issuer ${JSON.stringify(issuer)} is listed twice`);
    else seen.add(issuer);
    if (typeof jwksUrl !== "string" || !/^https?:$/.test(urlProtocol(jwksUrl))) {
      at('"jwksUrl" must be an http(s) URL');
    }
    const audiences = typeof audience === "string" ? [audience] : audience;
    if (!Array.isArray(audiences) || audiences.length === 0 || !audiences.every((a) => typeof a === "string" && a)) {
      at('"audience" must be a non-empty string or list of strings');
    }
    if (
      !Array.isArray(algorithms) || algorithms.length === 0 ||
      !algorithms.every((a) => (JWKS_ALGORITHMS as readonly unknown[]).includes(a))
    ) {
      at(`"algorithms" must be a non-empty list of ${JWKS_ALGORITHMS.join(", ")}`);
    }
    if (problems.length > before) return;
    issuers.push({
      issuer: issuer as string,
      jwksUrl: jwksUrl as string,
      audience: audience as string | string[],
      algorithms: algorithms as JwksAlgorithm[],
    });
  });
  if (problems.length > 0) throw invalid(problems);
  return issuers;
}

function urlProtocol(text: string): string {
  try {
    return new URL(text).protocol;
  } catch {
    return "";
  }
}

function invalid(problems: readonly string[]): VeltrixError {
  return new VeltrixError("INVALID_CONFIG", `VELTRIX_JWT_ISSUERS ${problems.join("; ")}`);
}
