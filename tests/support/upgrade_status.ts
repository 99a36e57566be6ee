import WebSocket from "ws";

/** The HTTP answer to a WebSocket upgrade attempt: 101 when it was accepted. */
export interface UpgradeAnswer {
  readonly status: number;
  readonly body: string;
}

/** Tries a WebSocket upgrade with npm:ws and reports the HTTP status and body the edge answered with. */
export function tryUpgrade(url: string, headers: Record<string, string> = {}): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once("open", () => {
      socket.close();
      resolve({ status: 101, body: "" });
    });
    socket.once(
      "unexpected-response",
      (_request: unknown, response: AsyncIterable<Uint8Array> & { statusCode?: number }) => {
        (async () => {
          const chunks: Uint8Array[] = [];
          for await (const chunk of response) chunks.push(chunk);
          resolve({ status: response.statusCode ?? 0, body: new TextDecoder().decode(concat(chunks)) });
        })().catch(reject);
      },
    );
    socket.once("error", (error: Error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
