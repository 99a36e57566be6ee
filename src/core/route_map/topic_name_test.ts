import assert from "node:assert/strict";
import fc from "fast-check";
import { MAX_TOPIC_NAME_LENGTH, topicNameProblem } from "./topic_name.ts";

Deno.test("topicNameProblem() accepts legal Kafka topic names", () => {
  for (const topic of ["game.treasure", "veltrix.unrouted", "A-b_C.9", "x", "..a", "a..", "_", "-"]) {
    assert.equal(topicNameProblem(topic), undefined, topic);
  }
});

Deno.test("topicNameProblem() rejects an empty name", () => {
  assert.equal(topicNameProblem(""), "topic name is empty");
});

Deno.test('topicNameProblem() rejects "." and ".."', () => {
  assert.equal(topicNameProblem("."), 'topic name cannot be "."');
  assert.equal(topicNameProblem(".."), 'topic name cannot be ".."');
  assert.equal(topicNameProblem("..."), undefined);
});

Deno.test("topicNameProblem() accepts 249 characters and rejects 250", () => {
  assert.equal(MAX_TOPIC_NAME_LENGTH, 249);
  assert.equal(topicNameProblem("t".repeat(249)), undefined);
  assert.equal(topicNameProblem("t".repeat(250)), "topic name is longer than 249 characters");
});

Deno.test("topicNameProblem() rejects characters outside [a-zA-Z0-9._-]", () => {
  for (
    const topic of ["game topic", "game/treasure", "game:treasure", "tr\u00e9sor", "a*", "a\n", "a,b", "emoji\u{1F600}"]
  ) {
    assert.equal(topicNameProblem(topic), "topic name may only hold [a-zA-Z0-9._-]", JSON.stringify(topic));
  }
});

Deno.test("topicNameProblem() accepts exactly the names a character-by-character reading of the rules accepts", () => {
  const legalChar = (c: string) => /^[a-zA-Z0-9._-]$/.test(c);
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom("a", "Z", "9", ".", "_", "-", " ", "/", "\u00e9"), maxLength: 260 }),
      (topic) => {
        const legal = topic.length >= 1 && topic.length <= 249 && topic !== "." && topic !== ".." &&
          [...topic].every(legalChar);
        assert.equal(topicNameProblem(topic) === undefined, legal);
      },
    ),
    { numRuns: 300 },
  );
});
