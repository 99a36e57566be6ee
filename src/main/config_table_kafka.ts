/**
 * The Kafka security rows of the config table (`CONFIG_TABLE` spreads them in after
 * `VELTRIX_KAFKA_CLIENT`): named after Kafka's own client settings, read by every Kafka client of
 * Veltrix through `kafka_security_source.ts`. The rules that tie them together are in `config.ts`.
 *
 * @module
 */
import { oneOf, optional, optionalOneOf } from "./config_parse.ts";
import { SASL_MECHANISMS, SECURITY_PROTOCOLS } from "../kafka/kafka_security.ts";

/** The Kafka security variables, keyed by the config field each one fills. */
export const KAFKA_SECURITY_CONFIG = {
  kafkaSecurityProtocol: {
    env: "KAFKA_SECURITY_PROTOCOL",
    default: "PLAINTEXT",
    parse: oneOf(SECURITY_PROTOCOLS),
    doc:
      "How every Kafka client of Veltrix (edge, consumer library, tail, routes trace, bench, fleet) talks to the brokers, as Kafka's `security.protocol`: `PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`. See [Kafka security](kafka-security.md).",
  },
  kafkaSaslMechanism: {
    env: "KAFKA_SASL_MECHANISM",
    default: "(none)",
    parse: optionalOneOf(SASL_MECHANISMS),
    doc:
      "With `SASL_PLAINTEXT` or `SASL_SSL`: `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512` or `OAUTHBEARER` (token from `KAFKA_OAUTH_TOKEN_COMMAND` or `KAFKA_OAUTH_TOKEN_FILE`).",
  },
  kafkaSaslUsername: {
    env: "KAFKA_SASL_USERNAME",
    secret: true,
    default: "(none)",
    parse: optional,
    doc: "SASL user name (PLAIN and SCRAM).",
  },
  kafkaSaslPassword: {
    env: "KAFKA_SASL_PASSWORD",
    secret: true,
    default: "(none)",
    parse: optional,
    doc:
      "SASL password (PLAIN and SCRAM); never logged or shown. `KAFKA_SASL_PASSWORD_FILE` names a file that holds it instead (a mounted Kubernetes Secret).",
  },
  kafkaSaslPasswordFile: {
    env: "KAFKA_SASL_PASSWORD_FILE",
    default: "(none)",
    parse: optional,
    doc: "A file whose content (trailing newline dropped) is the SASL password; read at start.",
  },
  kafkaSslCaFile: {
    env: "KAFKA_SSL_CA_FILE",
    default: "(system roots)",
    parse: optional,
    doc: "PEM bundle of the CAs that sign the brokers' certificates (`SSL`, `SASL_SSL`).",
  },
  kafkaSslCertFile: {
    env: "KAFKA_SSL_CERT_FILE",
    default: "(none)",
    parse: optional,
    doc: "PEM client certificate for mTLS (`SSL`, `SASL_SSL`); needs `KAFKA_SSL_KEY_FILE`.",
  },
  kafkaSslKeyFile: {
    env: "KAFKA_SSL_KEY_FILE",
    default: "(none)",
    parse: optional,
    doc: "PEM private key of the client certificate (unencrypted); a Secret file.",
  },
  kafkaSslServerName: {
    env: "KAFKA_SSL_SERVER_NAME",
    default: "(broker host)",
    parse: optional,
    doc: "The TLS server name sent and checked against the brokers' certificates; each broker's host when unset.",
  },
  kafkaOauthTokenCommand: {
    env: "KAFKA_OAUTH_TOKEN_COMMAND",
    default: "(none)",
    parse: optional,
    doc:
      'OAUTHBEARER: a shell command that prints a token, as JSON `{"token","expiresAt"}` or a bare JWT (its `exp` is read); run at start and again before the token expires. The MSK IAM recipe is in [Kafka security](kafka-security.md).',
  },
  kafkaOauthTokenFile: {
    env: "KAFKA_OAUTH_TOKEN_FILE",
    default: "(none)",
    parse: optional,
    doc: "OAUTHBEARER: a file holding the token in the same forms, read again before the token expires.",
  },
} as const;
