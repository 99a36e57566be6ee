/**
 * How a Kafka client proves who it is and checks whom it talks to, in Kafka's own terms
 * (`security.protocol`, `sasl.mechanism`, the TLS files), already resolved: file contents read,
 * secrets in hand, an OAUTHBEARER token behind a function. Each client adapter turns one of these
 * into its own options (`platformatic/platformatic_security.ts`, `kafkajs/kafkajs_security.ts`);
 * nothing else does.
 *
 * @module
 */

import type { OAuthToken } from "./oauth_token.ts";

/** Kafka's `security.protocol` values. */
export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
/** One of {@link SECURITY_PROTOCOLS}. */
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** Kafka's `sasl.mechanism` values the edge speaks. */
export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] as const;
/** One of {@link SASL_MECHANISMS}. */
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** SASL credentials: a user and password, or (OAUTHBEARER) a token that is fetched and refreshed. */
export type SaslCredentials =
  | {
    readonly mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
    readonly username: string;
    readonly password: string;
  }
  | { readonly mechanism: "OAUTHBEARER"; readonly token: () => Promise<OAuthToken> };

/** TLS settings: PEM texts (not paths) and the server name to verify. */
export interface TlsSettings {
  /** The CA bundle that signs the brokers' certificates; the system's roots when unset. */
  readonly ca?: string;
  /** The client certificate (mTLS), PEM. */
  readonly cert?: string;
  /** The client certificate's private key (mTLS), PEM. */
  readonly key?: string;
  /** The name the brokers' certificates must carry; each broker's host when unset. */
  readonly serverName?: string;
}

/** Security of a Kafka connection, resolved. */
export interface KafkaSecurity {
  readonly protocol: SecurityProtocol;
  /** Set exactly when the protocol is SASL_PLAINTEXT or SASL_SSL. */
  readonly sasl?: SaslCredentials;
  /** Set exactly when the protocol is SSL or SASL_SSL. */
  readonly tls?: TlsSettings;
}

/** No TLS, no SASL: the default, and what the local dev broker on 9092 speaks. */
export const PLAINTEXT: KafkaSecurity = Object.freeze({ protocol: "PLAINTEXT" });

/** Where a Kafka client connects, and how. */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly security: KafkaSecurity;
}

/** A cluster as callers give it: bare bootstrap brokers (plaintext) or a whole connection. */
export type KafkaCluster = readonly string[] | KafkaConnection;

/** The connection `cluster` names: bare brokers are a plaintext connection. */
export function connectionOf(cluster: KafkaCluster): KafkaConnection {
  return isBrokerList(cluster) ? { brokers: cluster, security: PLAINTEXT } : cluster;
}

function isBrokerList(cluster: KafkaCluster): cluster is readonly string[] {
  return Array.isArray(cluster);
}

/**
 * Node `tls.connect` options of `tls` that both clients pass through as they are: the CA, the
 * client certificate and key, and verification always on. The server name is each client's own
 * option.
 */
export function nodeTlsOptions(
  tls: TlsSettings,
): { rejectUnauthorized: true; ca?: string[]; cert?: string; key?: string } {
  return {
    rejectUnauthorized: true,
    ...(tls.ca !== undefined ? { ca: [tls.ca] } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
  };
}

/** True when the protocol runs TLS. */
export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === "SSL" || protocol === "SASL_SSL";
}

/** True when the protocol runs SASL. */
export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === "SASL_PLAINTEXT" || protocol === "SASL_SSL";
}
