/** How the topics the edge creates are laid out. */
export interface TopicLayout {
  readonly partitions: number;
  /** -1 takes the cluster's default. */
  readonly replicationFactor: number;
}

/**
 * Makes sure topics exist before a route table that writes to them is put in force. Implemented
 * over a Kafka client in `src/kafka/`; the control plane and the edge see only this.
 */
export interface TopicProvisioner {
  /** Resolves once every topic in `topics` exists (creating the missing ones); throws when it cannot. */
  ensure(topics: readonly string[]): Promise<void>;
}
