/**
 * Turns a Kafka failure at start into the refusal that stops the edge, when it is one no retry
 * fixes: refused credentials (KAFKA_AUTH_FAILED), a broker certificate that does not verify, or a
 * client certificate the broker refuses or misses (KAFKA_TLS_FAILED), each naming its cause and
 * the settings to check.
 *
 * @module
 */
import { VeltrixError } from "../../core/errors/veltrix_error.ts";
import { brokerCertificateDateProblem } from "./broker_certificate_dates.ts";
import { brokerTlsAlert } from "./broker_tls_alert.ts";
import { clientCertificateRefusal } from "./client_certificate_refusal.ts";
import type { KafkaConnection } from "../kafka_security.ts";
import { type KafkaSecurityFailure, kafkaSecurityFailureOf } from "./kafka_security_failure.ts";

/**
 * KAFKA_AUTH_FAILED or KAFKA_TLS_FAILED naming the cause, when `error` is a security failure, or
 * undefined when a retry may fix it (a broker down, restarting or slow). A TLS failure names an
 * expired (or not yet valid) broker certificate as such: the clients' own words for it on Deno are
 * those of any certificate that does not verify. A failure neither client names is checked with a
 * handshake of the edge's own over `connection` ({@link brokerTlsAlert}), which hears a refused
 * client certificate that the clients report as a closed connection.
 */
export async function securityRefusal(error: unknown, connection?: KafkaConnection): Promise<VeltrixError | undefined> {
  const failure = kafkaSecurityFailureOf(error) ?? await probed(error, connection);
  if (failure === undefined) return undefined;
  if (failure.kind === "auth") {
    return new VeltrixError(
      "KAFKA_AUTH_FAILED",
      `Kafka authentication failed: the brokers refused the edge's SASL credentials (check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and the password or token): ${failure.reason}`,
      { cause: error },
    );
  }
  const why = failure.kind === "client-certificate"
    ? clientCertificateRefusal(connection?.security.tls)
    : (connection === undefined ? undefined : await brokerCertificateDateProblem(connection)) ??
      "the brokers' certificate does not verify (check KAFKA_SSL_CA_FILE, KAFKA_SSL_SERVER_NAME, the certificate's dates)";
  return new VeltrixError("KAFKA_TLS_FAILED", `Kafka TLS handshake failed: ${why}: ${failure.reason}`, {
    cause: error,
  });
}

/** What the broker's TLS says to a handshake of the edge's own, for a client failure that is not already ours. */
function probed(error: unknown, connection?: KafkaConnection): Promise<KafkaSecurityFailure | undefined> {
  if (error instanceof VeltrixError || connection?.security.tls === undefined) return Promise.resolve(undefined);
  return brokerTlsAlert(connection);
}
