/** Counters since the client was made. */
export interface VeltrixClientStats {
  /** Events sent for the first time. */
  sent: number;
  /** Events the edge acked. */
  acked: number;
  /** Events the edge rejected for good. */
  rejected: number;
  /** Sends of an event already sent once: after a retryable reject, a reconnect, or a reload. */
  resent: number;
  /** Connections opened after the first one. */
  reconnects: number;
}

/** Counters of a client just made: all zero. */
export function zeroStats(): VeltrixClientStats {
  return { sent: 0, acked: 0, rejected: 0, resent: 0, reconnects: 0 };
}
