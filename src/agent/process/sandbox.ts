import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { HookyardError } from "../../errors.js";

/** What the sandbox exposes and hides. */
export interface SandboxPlan {
  /** Writable inside (the clone and the io directory), at the same paths. */
  writable: string[];
  /** Hidden inside: directories become empty, files read as empty. */
  masked: string[];
  network: boolean;
  cwd: string;
}

/**
 * Finds `bwrap` on PATH, or throws HOOKYARD_ERR_AGENT_SANDBOX_UNAVAILABLE with the install hint.
 *
 * @example
 * ```ts
 * const bwrap = findBwrap(); // "/usr/bin/bwrap"
 * ```
 */
export function findBwrap(path = process.env.PATH ?? ""): string {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "bwrap");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new HookyardError(
    "HOOKYARD_ERR_AGENT_SANDBOX_UNAVAILABLE",
    "HOOKYARD_AGENT_SANDBOX=bwrap but bwrap is not on PATH: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) or set HOOKYARD_AGENT_SANDBOX=none",
  );
}

/**
 * bubblewrap's argv for one agent run: the system read-only, a private `/tmp`, `/dev` and a
 * `/proc` of its own PID namespace (the server's processes, and their environments, are not
 * there), every namespace unshared (the network too unless `network`), no capabilities, the
 * masked paths hidden (the server's working directory, `.env`, key files, the store), and only
 * the clone and io directories writable.
 *
 * @example
 * ```ts
 * const argv = bwrapArgs({ writable: [ws.repo, ws.io], masked: [process.cwd()], network: true, cwd: ws.repo });
 * spawn(findBwrap(), [...argv, "--", ...agentArgv]);
 * ```
 */
export function bwrapArgs(plan: SandboxPlan): string[] {
  const args = [
    "--die-with-parent", "--new-session",
    "--unshare-all", ...(plan.network ? ["--share-net"] : []),
    "--cap-drop", "ALL",
    "--ro-bind", "/", "/",
    "--dev", "/dev",
    "--proc", "/proc",
    "--tmpfs", "/tmp",
  ];
  const writable = plan.writable.map((p) => resolve(p));
  for (const raw of plan.masked) {
    const p = resolve(raw);
    if (!isAbsolute(p) || p === "/" || !existsSync(p)) continue;
    // a mask that holds the workspace would hide it: mask it, then bind the workspace back below
    if (statSync(p).isDirectory()) args.push("--tmpfs", p);
    else args.push("--ro-bind", "/dev/null", p);
  }
  for (const p of writable) args.push("--bind", p, p);
  args.push("--chdir", plan.cwd);
  return args;
}

/**
 * What to mask for a server: its working directory, `.env` there, the private key file's
 * directory, and a SQLite store's directory — never `/` itself; the workspace's
 * writable paths, which are bound back on top of a mask that holds them.
 *
 * @example
 * ```ts
 * const masked = serverPaths({ cwd: process.cwd(), privateKeyPath: "/etc/app/key.pem", store: "sqlite:/var/lib/h.db" });
 * ```
 */
export function serverPaths(o: { cwd: string; privateKeyPath?: string | undefined; store?: string | undefined; extra?: readonly string[] }): string[] {
  const out = new Set<string>([resolve(o.cwd), resolve(o.cwd, ".env")]);
  if (o.privateKeyPath) out.add(dirname(resolve(o.cwd, o.privateKeyPath)));
  if (o.store?.startsWith("sqlite:")) out.add(dirname(resolve(o.cwd, o.store.slice("sqlite:".length))));
  for (const e of o.extra ?? []) out.add(resolve(o.cwd, e));
  return [...out].filter((p) => p !== "/");
}
