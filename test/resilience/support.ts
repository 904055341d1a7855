import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A real HTTP proxy in front of a server that can be taken "down" (answers 502 without forwarding). */
export interface FlakyProxy {
  readonly url: string;
  down: boolean;
  /** Requests that reached the proxy (forwarded or answered 502), oldest first. */
  readonly seen: { method: string; path: string; status: number }[];
  close(): Promise<void>;
}

/**
 * Starts a proxy on a random loopback port that forwards to `target` (an http:// base URL) while
 * up and answers `502 Bad Gateway` while `down` — GitHub's answer when its front end cannot reach
 * the API.
 */
export async function flakyProxy(target: string): Promise<FlakyProxy> {
  const to = new URL(target);
  const seen: FlakyProxy["seen"] = [];
  const state = { down: false };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry = { method: req.method ?? "GET", path: req.url ?? "/", status: 0 };
    seen.push(entry);
    if (state.down) {
      entry.status = 502;
      req.resume();
      res.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ message: "Server Error" }));
      return;
    }
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (answer) => {
      entry.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
