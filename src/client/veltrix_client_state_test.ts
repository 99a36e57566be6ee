import assert from "node:assert/strict";
import { isStateChange, type VeltrixClientState } from "./veltrix_client_state.ts";

const STATES: VeltrixClientState[] = ["connecting", "open", "reconnecting", "closing", "closed"];

Deno.test("isStateChange() never moves to the state the client is in, nor out of closed", () => {
  for (const state of STATES) {
    assert.equal(isStateChange(state, state), false, state);
    assert.equal(isStateChange("closed", state), false, state);
  }
});

Deno.test("isStateChange() leaves closing only for closed", () => {
  for (const state of STATES) assert.equal(isStateChange("closing", state), state === "closed", state);
});

Deno.test("isStateChange() moves freely between connecting, open and reconnecting, and from them to closing", () => {
  const live: VeltrixClientState[] = ["connecting", "open", "reconnecting"];
  for (const from of live) {
    for (const to of [...live, "closing" as const, "closed" as const]) {
      assert.equal(isStateChange(from, to), from !== to, `${from} -> ${to}`);
    }
  }
});
