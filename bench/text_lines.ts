/**
 * Splits a byte stream (a child process's stdout or stderr) into text lines, as they arrive.
 *
 * @module
 */

/** Each line of `stream`, without its newline; a last line without one is yielded too. */
export async function* textLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    let start = 0, newline;
    while ((newline = buffered.indexOf("\n", start)) !== -1) {
      yield buffered.slice(start, newline);
      start = newline + 1;
    }
    buffered = buffered.slice(start);
  }
  if (buffered !== "") yield buffered;
}
