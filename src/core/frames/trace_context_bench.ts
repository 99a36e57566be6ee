import { SpanIdGenerator } from "./trace_context.ts";

const generator = new SpanIdGenerator(new Uint32Array([0x9e3779b9, 0x243f6a88, 0x85a308d3, 0x13198a2e]));
const bytes = new Uint8Array(8);

Deno.bench("span id: SpanIdGenerator.next()", { group: "span id", baseline: true }, () => {
  generator.next();
});

Deno.bench("span id: crypto.getRandomValues(8 bytes) to hex", { group: "span id" }, () => {
  crypto.getRandomValues(bytes);
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  if (hex.length !== 16) throw new Error("unreachable");
});
