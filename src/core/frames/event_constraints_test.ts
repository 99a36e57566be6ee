import assert from "node:assert/strict";
import {
  eventDataProblem,
  eventIdProblem,
  eventTypeProblem,
  MAX_DATA_DEPTH,
  MAX_EVENT_ID_LENGTH,
  MAX_EVENT_TYPE_LENGTH,
} from "./event_constraints.ts";

Deno.test("eventIdProblem() accepts any string of 1 to 64 characters", () => {
  assert.equal(MAX_EVENT_ID_LENGTH, 64);
  for (const id of ["e", "e-1", "Any Thing/at all!", "\u00e9v\u00e9nement", "x".repeat(64)]) {
    assert.equal(eventIdProblem(id), undefined, id);
  }
});

Deno.test("eventIdProblem() rejects an empty id and an id of 65 characters", () => {
  assert.equal(eventIdProblem(""), "id must be 1 to 64 characters");
  assert.equal(eventIdProblem("x".repeat(65)), "id must be 1 to 64 characters");
});

Deno.test("eventIdProblem() rejects an id that is not a string", () => {
  for (const id of [undefined, null, 1, true, {}, ["e-1"]]) {
    assert.equal(eventIdProblem(id), "id must be a string", JSON.stringify(id));
  }
});

Deno.test("eventTypeProblem() accepts 1 to 128 characters of [a-z0-9._-]", () => {
  assert.equal(MAX_EVENT_TYPE_LENGTH, 128);
  for (const type of ["a", "treasure.collected", "player.moved", "a-b_c.0.9", ".", "a..b", "t".repeat(128)]) {
    assert.equal(eventTypeProblem(type), undefined, type);
  }
});

Deno.test("eventTypeProblem() rejects an empty type and a type of 129 characters", () => {
  assert.equal(eventTypeProblem(""), "type must be 1 to 128 characters");
  assert.equal(eventTypeProblem("t".repeat(129)), "type must be 1 to 128 characters");
});

Deno.test("eventTypeProblem() rejects uppercase letters, spaces, wildcards and other characters", () => {
  for (const type of ["Treasure", "treasure collected", "treasure.*", "*", "a/b", "a:b", "caf\u00e9", "a\n"]) {
    assert.equal(eventTypeProblem(type), "type may only hold the characters [a-z0-9._-]", JSON.stringify(type));
  }
});

Deno.test("eventTypeProblem() rejects a type that is not a string", () => {
  for (const type of [undefined, null, 7, false, {}, ["a"]]) {
    assert.equal(eventTypeProblem(type), "type must be a string", JSON.stringify(type));
  }
});

Deno.test("eventDataProblem() accepts scalars and data nested up to MAX_DATA_DEPTH, and refuses deeper", () => {
  for (const scalar of [undefined, null, 1, "s", true]) assert.equal(eventDataProblem(scalar), undefined);
  const nest = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { k: value };
    return value;
  };
  assert.equal(eventDataProblem(nest(MAX_DATA_DEPTH)), undefined);
  assert.match(eventDataProblem(nest(MAX_DATA_DEPTH + 1)) ?? "", /nested deeper/);
  assert.match(eventDataProblem(nest(100_000)) ?? "", /nested deeper/, "no stack overflow on hostile depth");
});
