import type { KafkaConfig } from "kafkajs";
import { type KafkaSecurity, nodeTlsOptions } from "../kafka_security.ts";

/**
 * kafkajs's `ssl` and `sasl` options for `security`. kafkajs 2.2.4 speaks every protocol and
 * mechanism Veltrix offers (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER through `oauthBearerProvider`), so
 * nothing is refused here; a client that lacked one would throw a KafkaSecurityUnsupported.
 */
export function kafkajsSecurity(security: KafkaSecurity): Pick<KafkaConfig, "ssl" | "sasl"> {
  const options: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  const { tls, sasl } = security;
  if (tls !== undefined) {
    options.ssl = { ...nodeTlsOptions(tls), ...(tls.serverName !== undefined ? { servername: tls.serverName } : {}) };
  }
  if (sasl !== undefined) {
    switch (sasl.mechanism) {
      case "PLAIN":
        options.sasl = { mechanism: "plain", username: sasl.username, password: sasl.password };
        break;
      case "SCRAM-SHA-256":
        options.sasl = { mechanism: "scram-sha-256", username: sasl.username, password: sasl.password };
        break;
      case "SCRAM-SHA-512":
        options.sasl = { mechanism: "scram-sha-512", username: sasl.username, password: sasl.password };
        break;
      case "OAUTHBEARER": {
        const token = sasl.token;
        options.sasl = {
          mechanism: "oauthbearer",
          oauthBearerProvider: async () => {
            const { token: value, extensions } = await token();
            return extensions === undefined ? { value } : ({ value, extensions } as { value: string });
          },
        };
        break;
      }
    }
  }
  return options;
}
