import assert from "node:assert/strict";
import { handshakeToken } from "./handshake_token.ts";

const plain = new URL("http://edge/v1/ingest");
const token = (url: URL, authorization?: string, protocols?: string) =>
  handshakeToken(url, authorization, protocols).token;

Deno.test("handshakeToken() takes the token from the subprotocol list and answers veltrix.v1", () => {
  const found = handshakeToken(plain, undefined, "veltrix.v1, veltrix.bearer.abc.def.ghi");
  assert.deepEqual(found, {
    token: "abc.def.ghi",
    source: "subprotocol",
    protocol: "veltrix.v1",
    bearerWithoutProtocol: false,
  });
  assert.equal(token(plain, undefined, "veltrix.bearer.abc.def.ghi,veltrix.v1"), "abc.def.ghi");
});

Deno.test("handshakeToken() says when a token comes in the list without veltrix.v1", () => {
  const found = handshakeToken(plain, undefined, "veltrix.bearer.abc.def.ghi");
  assert.equal(found.protocol, undefined);
  assert.equal(found.bearerWithoutProtocol, true);
});

Deno.test("handshakeToken() takes the token from Authorization: Bearer, after the subprotocol", () => {
  assert.equal(token(plain, "Bearer abc.def.ghi"), "abc.def.ghi");
  assert.equal(token(plain, "bearer   abc.def.ghi"), "abc.def.ghi");
  assert.equal(token(new URL("http://edge/v1/ingest?token=q"), "Bearer h", "veltrix.v1, veltrix.bearer.p"), "p");
  assert.equal(token(new URL("http://edge/v1/ingest?token=q"), "Bearer h"), "h");
});

Deno.test("handshakeToken() still takes ?token= (discouraged), after the header and the subprotocol", () => {
  const query = new URL("http://edge/v1/ingest?token=abc.def.ghi");
  assert.deepEqual(handshakeToken(query, undefined, undefined), {
    token: "abc.def.ghi",
    source: "query",
    protocol: undefined,
    bearerWithoutProtocol: false,
  });
  assert.equal(token(query, undefined, "veltrix.v1, veltrix.bearer.p"), "p");
});

Deno.test("handshakeToken() finds no token in other or malformed headers", () => {
  for (const authorization of [undefined, "Basic dXNlcjpwYXNz", "Bearer", "Bearer two tokens", "xBearer abc"]) {
    assert.equal(token(plain, authorization), undefined, authorization);
  }
  assert.equal(token(plain, undefined, "veltrix.v1"), undefined);
  assert.equal(token(plain, undefined, "veltrix.v1, veltrix.bearer."), undefined);
  assert.equal(handshakeToken(plain, undefined, "veltrix.v1").source, "none");
});
