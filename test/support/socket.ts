/** Raw HTTP/1.1 over node:net, for the connection-level cases a client library would hide. */
import { connect, type Socket } from "node:net";

export interface RawAnswer {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: any;
}

export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the first `n` answers, once they are complete. */
  answers(n?: number): Promise<RawAnswer[]>;
  /** Resolves once the server has closed the connection: `clean` when it ended with a FIN and no error (no reset). */
  closed: Promise<{ clean: boolean; error?: string }>;
}

/** Opens a connection to 127.0.0.1:`port`; nothing is sent yet. */
export async function rawConnect(port: number): Promise<RawConnection> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let text = "";
  const waiters = new Set<() => void>();
  let ended = false;
  let error: string | undefined;
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    text += chunk;
    for (const w of waiters) w();
  });
  socket.on("end", () => (ended = true));
  socket.on("error", (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
  const closed = new Promise<{ clean: boolean; error?: string }>((resolve) => {
    socket.once("close", () => {
      for (const w of waiters) w();
      resolve({ clean: ended && error === undefined, ...(error ? { error } : {}) });
    });
  });
  const answers = (n = 1) => new Promise<RawAnswer[]>((resolve, reject) => {
    const check = () => {
      const parsed = parseAnswers(text);
      if (parsed.length >= n) {
        waiters.delete(check);
        resolve(parsed.slice(0, n));
      } else if (socket.destroyed) {
        waiters.delete(check);
        reject(new Error(`the connection closed after ${parsed.length} answer(s): ${JSON.stringify(text)}`));
      }
    };
    waiters.add(check);
    check();
  });
  return { socket, received: () => text, answers, closed };
}

/** The complete answers in `text` (Content-Length bodies; JSON bodies parsed). */
export function parseAnswers(text: string): RawAnswer[] {
  const out: RawAnswer[] = [];
  let rest = text;
  for (;;) {
    const end = rest.indexOf("\r\n\r\n");
    if (end < 0) return out;
    const [statusLine, ...lines] = rest.slice(0, end).split("\r\n");
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const length = Number(headers["content-length"] ?? 0);
    if (rest.length < end + 4 + length) return out;
    const raw = rest.slice(end + 4, end + 4 + length);
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // not JSON
    }
    out.push({ status: Number(statusLine?.split(" ")[1]), headers, body });
    rest = rest.slice(end + 4 + length);
  }
}

/** The port of a base URL such as http://127.0.0.1:41234. */
export const portOf = (base: string): number => Number(new URL(base).port);
