import { chmod, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";

/** The environment variable naming the socket the credential helper asks. */
export const CREDENTIAL_SOCKET_ENV = "HOOKYARD_GIT_CREDENTIAL_SOCKET";

/**
 * The helper git runs (`credential.helper=<path> get`): it forwards git's request (protocol,
 * host, …) to Hookyard's socket and prints the answer. It holds no secret itself.
 */
const HELPER_SOURCE = `
import { connect } from "node:net";
if (process.argv[2] !== "get") process.exit(0);
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const socket = connect(process.env.${CREDENTIAL_SOCKET_ENV} ?? "");
  const out = [];
  socket.on("data", (c) => out.push(c));
  socket.on("error", () => process.exit(0));
  socket.on("end", () => { process.stdout.write(Buffer.concat(out)); process.exit(0); });
  socket.end(Buffer.concat(chunks));
});
`;

/**
 * Gives git an installation token without putting it in a URL, an argument, `.git/config`, a
 * file or an environment variable: git's credential helper (a script holding nothing) asks a
 * Unix socket in the stage's private directory, open only while Hookyard's own git commands
 * run, and only for the configured origin (`protocol://host[:port]`). Any other host gets no
 * credentials (`quit=1`).
 *
 * @example
 * ```ts
 * const creds = await GitCredentials.open(ws.private, "https://github.com", () => token);
 * try { await git(["push", …], { env: { ...creds.env } }); } finally { await creds.close(); }
 * ```
 */
export class GitCredentials {
  private constructor(
    private readonly server: Server,
    readonly helperPath: string,
    readonly socketPath: string,
  ) {}

  /** Environment for git: where the helper finds the socket. */
  get env(): Record<string, string> {
    return { [CREDENTIAL_SOCKET_ENV]: this.socketPath };
  }

  static async open(dir: string, origin: string, token: () => Promise<string>): Promise<GitCredentials> {
    const helperPath = join(dir, "git-credential-hookyard.mjs");
    await writeFile(helperPath, `#!${process.execPath}\n${HELPER_SOURCE}`, { mode: 0o700 });
    await chmod(helperPath, 0o700);
    const want = new URL(origin);
    // half-open: the helper ends its side after the request, and waits for the answer
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on("error", () => socket.destroy());
      socket.on("data", (c: Buffer) => {
        chunks.push(c);
        if (Buffer.concat(chunks).length > 64 * 1024) socket.destroy();
      });
      socket.on("end", () => {
        const fields = new Map<string, string>();
        for (const line of Buffer.concat(chunks).toString("utf8").split("\n")) {
          const i = line.indexOf("=");
          if (i > 0) fields.set(line.slice(0, i), line.slice(i + 1));
        }
        const matches = `${fields.get("protocol")}:` === want.protocol && fields.get("host") === want.host;
        if (!matches) {
          socket.end("quit=1\n");
          return;
        }
        token().then(
          (t) => socket.end(`protocol=${fields.get("protocol")}\nhost=${fields.get("host")}\nusername=x-access-token\npassword=${t}\n`),
          () => socket.end("quit=1\n"),
        );
      });
    });
    const socketPath = join(dir, "credentials.sock");
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => resolve());
    });
    await chmod(socketPath, 0o600);
    return new GitCredentials(server, helperPath, socketPath);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
