import assert from "node:assert/strict";
import { textLines } from "./text_lines.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(chunks.map((c) => encoder.encode(c)));
}

Deno.test("textLines() yields whole lines across chunk boundaries, and a last line without a newline", async () => {
  const lines: string[] = [];
  for await (const line of textLines(streamOf("a\nb", "c\n\nd", "e"))) lines.push(line);
  assert.deepEqual(lines, ["a", "bc", "", "de"]);
});
