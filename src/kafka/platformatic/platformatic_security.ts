import type { ConnectionOptions } from "node:tls";
import { type KafkaSecurity, nodeTlsOptions } from "../kafka_security.ts";

/** The SASL options of @platformatic/kafka's clients. */
interface PlatformaticSasl {
  readonly mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512" | "OAUTHBEARER";
  readonly username?: string;
  readonly password?: string;
  readonly token?: () => Promise<string>;
  readonly oauthBearerExtensions?: () => Promise<Record<string, string>>;
}

/** The security part of @platformatic/kafka's base client options. */
export interface PlatformaticSecurityOptions {
  tls?: ConnectionOptions;
  tlsServerName?: string | boolean;
  sasl?: PlatformaticSasl;
}

/**
 * @platformatic/kafka 2.12.1's `tls`, `tlsServerName` and `sasl` options for `security`. It speaks
 * every protocol and mechanism Veltrix offers; OAUTHBEARER takes the token function, which the
 * client calls again when it re-authenticates before the broker's session lifetime ends.
 */
export function platformaticSecurity(security: KafkaSecurity): PlatformaticSecurityOptions {
  const options: PlatformaticSecurityOptions = {};
  const { tls, sasl } = security;
  if (tls !== undefined) {
    options.tls = nodeTlsOptions(tls);
    // Unset, Node checks each broker's own host (name or IP address) against its certificate; the
    // client's `tlsServerName: true` would send an IP address as SNI, which Node refuses.
    if (tls.serverName !== undefined) options.tlsServerName = tls.serverName;
  }
  if (sasl !== undefined) {
    options.sasl = sasl.mechanism === "OAUTHBEARER"
      ? {
        mechanism: "OAUTHBEARER",
        token: async () => (await sasl.token()).token,
        oauthBearerExtensions: async () => ({ ...(await sasl.token()).extensions }),
      }
      : { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
  }
  return options;
}
