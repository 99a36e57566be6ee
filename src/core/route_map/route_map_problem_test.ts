import assert from "node:assert/strict";
import { formatRouteMapProblems } from "./route_map_problem.ts";

const problems = [
  { path: "version", message: "version must be at least 1" },
  { path: "routes[0].targets", message: "a route needs at least one target" },
];

Deno.test("formatRouteMapProblems() writes each problem as path: message, joined by '; '", () => {
  assert.equal(
    formatRouteMapProblems(problems),
    "version: version must be at least 1; routes[0].targets: a route needs at least one target",
  );
});

Deno.test("formatRouteMapProblems() joins by the separator it is given", () => {
  assert.equal(
    formatRouteMapProblems(problems, "\n  "),
    "version: version must be at least 1\n  routes[0].targets: a route needs at least one target",
  );
});

Deno.test("formatRouteMapProblems() writes nothing for no problems", () => {
  assert.equal(formatRouteMapProblems([]), "");
});
