/**
 * One raw HTTP/1.1 request over node:net, written in pieces (slow senders), possibly cut short:
 * the fuzz tests need header sets, duplicates, framings and bytes no HTTP client would send.
 */
import { connect } from "node:net";

export interface RawRequest {
  method: string;
  path: string;
  /** Header lines in order; repeated names are sent as they are. */
  headers: [string, string][];
  body: Buffer;
  framing: "length" | "chunked" | "truncated" | "none";
  /** Split points as fractions of the whole request, and the pause after each piece (ms). */
  pieces: { at: number; pauseMs: number }[];
}

export interface RawResult {
  /** The status line's code; undefined when the server closed without an answer. */
  status?: number;
  /** The answer's body (after the blank line), as latin1 text. */
  body: string;
  headers: string;
}

function chunked(body: Buffer): Buffer {
  const half = Math.floor(body.length / 2);
  const parts = [body.subarray(0, half), body.subarray(half)].filter((p) => p.length > 0);
  return Buffer.concat([...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from("\r\n")]), Buffer.from("0\r\n\r\n")]);
}

/** The bytes on the wire for `req`; a truncated request declares 1–100 bytes more than it sends. */
export function encode(req: RawRequest): Buffer {
  const lines = [`${req.method} ${req.path} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", ...req.headers.map(([k, v]) => `${k}: ${v}`)];
  let payload = req.body;
  if (req.framing === "length") lines.push(`Content-Length: ${req.body.length}`);
  if (req.framing === "truncated") {
    lines.push(`Content-Length: ${req.body.length + 1 + (req.body.length % 100)}`);
  }
  if (req.framing === "chunked") {
    lines.push("Transfer-Encoding: chunked");
    payload = chunked(req.body);
  }
  if (req.framing === "none") payload = Buffer.alloc(0);
  return Buffer.concat([Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1"), payload]);
}

/**
 * Sends `req` to 127.0.0.1:`port` and resolves once the server closed the connection (it was asked
 * to: Connection: close), with the answer if there was one. Only a truncated request half-closes
 * the socket after its last byte, as a client that died mid-body does. Rejects after `guardMs`: a
 * server that neither answers nor closes is hanging.
 */
export function send(port: number, req: RawRequest, guardMs = 15_000): Promise<RawResult> {
  const bytes = encode(req);
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${guardMs} ms for ${JSON.stringify({ ...req, body: req.body.length })}`));
    }, guardMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => {}); // a reset after the answer is a close too
    socket.on("close", () => {
      clearTimeout(guard);
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf("\r\n\r\n");
      resolve({ status: m ? Number(m[1]) : undefined, headers: split < 0 ? text : text.slice(0, split), body: split < 0 ? "" : text.slice(split + 4) });
    });
    socket.once("connect", async () => {
      let from = 0;
      for (const p of [...req.pieces].sort((a, b) => a.at - b.at)) {
        const to = Math.floor(p.at * bytes.length);
        if (to <= from) continue;
        if (!socket.write(bytes.subarray(from, to))) await new Promise((r) => socket.once("drain", r));
        from = to;
        if (p.pauseMs > 0) await new Promise((r) => setTimeout(r, p.pauseMs)); // a slow sender's pause
        if (socket.destroyed) return;
      }
      if (socket.destroyed) return;
      // a truncated request half-closes (its sender died mid-body); the others wait for the server's close
      if (req.framing === "truncated") socket.end(bytes.subarray(from));
      else socket.write(bytes.subarray(from));
    });
  });
}

/** The body of a chunked answer, de-chunked (Fastify answers errors with Content-Length, mostly). */
export function answerBody(r: RawResult): string {
  if (!/transfer-encoding:\s*chunked/i.test(r.headers)) return r.body;
  let out = "";
  let rest = r.body;
  for (;;) {
    const nl = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, nl), 16);
    if (!(size > 0)) return out;
    out += rest.slice(nl + 2, nl + 2 + size);
    rest = rest.slice(nl + 2 + size + 2);
  }
}
