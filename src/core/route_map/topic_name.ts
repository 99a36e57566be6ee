/** Longest topic name Kafka accepts. */
export const MAX_TOPIC_NAME_LENGTH = 249;

const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Returns why `topic` is not a legal Kafka topic name, or undefined when it is. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic.length === 0) return "topic name is empty";
  if (topic.length > MAX_TOPIC_NAME_LENGTH) {
    return `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  }
  if (topic === "." || topic === "..") return `topic name cannot be "${topic}"`;
  if (!LEGAL.test(topic)) return "topic name may only hold [a-zA-Z0-9._-]";
  return undefined;
}
