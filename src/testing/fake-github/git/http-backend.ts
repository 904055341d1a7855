import { spawn } from "node:child_process";
import { PassThrough, type Readable } from "node:stream";

/** One smart-HTTP request for `git http-backend` (a CGI program). */
export interface BackendRequest {
  /** The directory holding the bare repositories (`GIT_PROJECT_ROOT`). */
  projectRoot: string;
  /** `/<repo dir>/info/refs`, `/<repo dir>/git-upload-pack`, … */
  pathInfo: string;
  method: string;
  query: string;
  contentType: string | undefined;
  /** The request body, already inflated when it came gzip'd. */
  body: Readable | undefined;
  /** Who git records as pushing (`REMOTE_USER`, which also allows receive-pack). */
  remoteUser: string;
  /** The `Git-Protocol` header (protocol v2), if sent. */
  gitProtocol: string | undefined;
  /** Runs after the program exited and its output was read, before the answer ends. */
  beforeEnd?: (exitCode: number | null) => Promise<void> | void;
}

/** The CGI's answer: status and headers, and its body (streamed). */
export interface BackendResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

const MAX_HEAD = 64 * 1024;

/** Splits CGI output at the blank line after its headers; undefined until it has arrived. */
function splitHead(buf: Buffer): { head: string; rest: Buffer } | undefined {
  for (const sep of ["\r\n\r\n", "\n\n"]) {
    const at = buf.indexOf(sep);
    if (at !== -1) return { head: buf.subarray(0, at).toString("latin1"), rest: buf.subarray(at + sep.length) };
  }
  return undefined;
}

function readHead(out: Readable): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const finish = (err: Error | undefined, value?: { head: string; rest: Buffer }) => {
      out.off("readable", onReadable).off("end", onEnd).off("error", finish);
      if (err || !value) reject(err ?? new Error("git http-backend ended without headers"));
      else resolve(value);
    };
    const onReadable = () => {
      for (let chunk: Buffer | null = out.read() as Buffer | null; chunk !== null; chunk = out.read() as Buffer | null) {
        buf = Buffer.concat([buf, chunk]);
        const split = splitHead(buf);
        if (split) return finish(undefined, split);
        if (buf.length > MAX_HEAD) return finish(new Error("git http-backend sent an oversized header"));
      }
    };
    const onEnd = () => finish(new Error(`git http-backend ended without headers: ${buf.toString("utf8").slice(0, 200)}`));
    out.on("readable", onReadable).on("end", onEnd).on("error", finish);
  });
}

function parseHead(head: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "status") status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}

/**
 * Runs `git http-backend` for one request (spawned directly, no shell), streaming the request body
 * in and the answer out. Resolves once the CGI headers have arrived.
 */
export async function runHttpBackend(r: BackendRequest): Promise<BackendResponse> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: r.projectRoot, // no user or system git config leaks in
    XDG_CONFIG_HOME: r.projectRoot,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_PROJECT_ROOT: r.projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    PATH_INFO: r.pathInfo,
    REQUEST_METHOD: r.method,
    QUERY_STRING: r.query,
    REMOTE_USER: r.remoteUser,
    REMOTE_ADDR: "127.0.0.1",
    ...(r.contentType === undefined ? {} : { CONTENT_TYPE: r.contentType }),
    ...(r.gitProtocol === undefined ? {} : { HTTP_GIT_PROTOCOL: r.gitProtocol }),
  };
  const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"], shell: false });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve(code));
  });
  exited.catch(() => undefined);
  child.stderr.resume(); // drained; git reports errors to the client in-band
  child.stdin.on("error", () => undefined); // the program may exit before reading everything (EPIPE)
  if (r.body) r.body.pipe(child.stdin);
  else child.stdin.end();

  const pending = readHead(child.stdout);
  const { head, rest } = await Promise.race([pending, exited.then(() => pending)]); // a spawn error rejects at once
  const { status, headers } = parseHead(head);
  const body = new PassThrough();
  body.write(rest);
  child.stdout.pipe(body, { end: false });
  exited
    .then(async (code) => {
      await r.beforeEnd?.(code);
      body.end();
    })
    .catch((err: unknown) => body.destroy(err instanceof Error ? err : new Error(String(err))));
  body.on("close", () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  });
  return { status, headers, body };
}
