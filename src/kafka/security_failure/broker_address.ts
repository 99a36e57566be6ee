/**
 * A bootstrap broker's `host:port` as a TLS connection needs it: the host and port apart, and the
 * server name option Node accepts (it refuses an IP address as SNI).
 *
 * @module
 */

/** A broker's host (brackets of an IPv6 address removed) and port. */
export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/** `broker` ("host:port", "[::1]:port") split, or undefined when it has no usable port. */
export function brokerAddress(broker: string | undefined): BrokerAddress | undefined {
  if (broker === undefined) return undefined;
  const separator = broker.lastIndexOf(":");
  const port = Number(broker.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(port)) return undefined;
  return { host: broker.slice(0, separator).replace(/^\[|\]$/g, ""), port };
}

/** `{ servername }` for `tls.connect`, or nothing when `name` is an IP address (sent as no SNI). */
export function serverNameOption(name: string): { servername?: string } {
  return isIpAddress(name) ? {} : { servername: name };
}

function isIpAddress(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(":");
}
