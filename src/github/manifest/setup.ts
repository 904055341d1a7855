import { randomBytes, timingSafeEqual } from "node:crypto";
import { resolve } from "node:path";
import { HookyardError, isHookyardError } from "../../errors.js";
import { convertManifestCode } from "./convert.js";
import { writeEnvFile } from "./env-file.js";
import { buildManifest, githubWebUrl, manifestFormUrl, type GitHubAppManifest } from "./manifest.js";

/** The `.env` keys a completed setup writes. */
export const SETUP_ENV_KEYS = ["APP_ID", "PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"] as const;

/** A created App, as setup reports it: no secret in it. */
export interface SetupResult {
  appId: number;
  slug: string;
  name: string;
  /** The App's page on GitHub. */
  htmlUrl: string;
  /** Where the App can be installed. */
  installUrl: string;
  /** The absolute path of the `.env` file written. */
  envFile: string;
  /** The keys written (values never leave the file). */
  written: string[];
}

/**
 * Completes the App-manifest flow: exchanges `code` for the new App
 * (`POST /app-manifests/{code}/conversions`) and writes `APP_ID`, `PRIVATE_KEY` (on one line),
 * `WEBHOOK_SECRET`, `GITHUB_CLIENT_ID` and `GITHUB_CLIENT_SECRET` into `envFile`, keeping its
 * other lines, mode 0600.
 *
 * @example
 * ```ts
 * const app = await completeManifestSetup({ code, baseUrl: "https://api.github.com", envFile: ".env" });
 * console.log(`App ${app.appId}: credentials in ${app.envFile}`);
 * ```
 */
export async function completeManifestSetup(o: { code: string; baseUrl: string; envFile: string; fetch?: typeof fetch }): Promise<SetupResult> {
  const created = await convertManifestCode(o);
  const values: Record<string, string> = {
    APP_ID: String(created.id),
    PRIVATE_KEY: created.pem,
    ...(created.webhook_secret ? { WEBHOOK_SECRET: created.webhook_secret } : {}),
    GITHUB_CLIENT_ID: created.client_id,
    GITHUB_CLIENT_SECRET: created.client_secret,
  };
  const envFile = resolve(o.envFile);
  try {
    await writeEnvFile(envFile, values);
  } catch (err) {
    // the key is handed out once: say plainly that the App exists without it
    throw new HookyardError(
      "HOOKYARD_ERR_SETUP_ENV_WRITE_FAILED",
      `GitHub App ${created.id} was created but its credentials could not be written to ${envFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); delete the App at ${created.html_url} and run the setup again`,
      { cause: err },
    );
  }
  return {
    appId: created.id, slug: created.slug, name: created.name, htmlUrl: created.html_url,
    installUrl: `${created.html_url.replace(/\/+$/, "")}/installations/new`, envFile, written: Object.keys(values),
  };
}

export interface ManifestSetupOptions {
  /** The REST API base URL (the conversion is POSTed there; GitHub's web address is derived from it). */
  apiBaseUrl: string;
  /** `WEBHOOK_PATH`. */
  webhookPath: string;
  /** Where GitHub reaches this server; default: where the browser reached `/setup`. */
  publicUrl?: string;
  /** Create the App for this organization instead of the signed-in user. */
  org?: string;
  /** The App's name (GitHub's form lets it be changed). */
  name?: string;
  /** Fields of Probot's `app.yml` that replace the defaults: `default_permissions`, `default_events`, `description`, `url`, `public`. */
  manifest?: Partial<Pick<GitHubAppManifest, "default_permissions" | "default_events" | "description" | "url" | "public">>;
  /** The `.env` file to write (default `.env` in the working directory). */
  envFile?: string;
  /** How long a `state` stays valid (default one hour, as long as GitHub's code). */
  stateTtlMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

const MAX_STATES = 100;

/**
 * One setup in progress: issues the manifest form with a fresh CSRF `state`, accepts each state
 * once on the callback, then converts the code and writes the `.env` file. `token` lets a
 * non-loopback browser open `/setup` (`/setup?token=…`).
 *
 * @example
 * ```ts
 * const setup = new ManifestSetup({ apiBaseUrl: "https://api.github.com", webhookPath: "/api/github/webhooks" });
 * const { action, manifest } = setup.begin("http://localhost:3000");
 * // … GitHub redirects to /setup/callback?code=…&state=…
 * const result = await setup.complete({ code, state });
 * ```
 */
export class ManifestSetup {
  readonly token = randomBytes(16).toString("hex");
  /** The App created, once the setup has completed. */
  result: SetupResult | undefined;
  readonly envFile: string;
  private readonly states = new Map<string, number>();

  constructor(private readonly o: ManifestSetupOptions) {
    this.envFile = resolve(o.envFile ?? ".env");
  }

  /** A manifest and the GitHub URL to POST it to, with a new single-use `state`. */
  begin(origin: string): { state: string; manifest: GitHubAppManifest; action: string } {
    const now = (this.o.now ?? Date.now)();
    for (const [s, until] of this.states) if (until <= now || this.states.size >= MAX_STATES) this.states.delete(s);
    const state = randomBytes(16).toString("hex");
    this.states.set(state, now + (this.o.stateTtlMs ?? 3_600_000));
    const manifest = buildManifest({
      publicUrl: this.o.publicUrl ?? origin, redirectBase: origin, webhookPath: this.o.webhookPath,
      ...(this.o.name ? { name: this.o.name } : {}),
    });
    Object.assign(manifest, this.o.manifest);
    const action = manifestFormUrl({ webUrl: githubWebUrl(this.o.apiBaseUrl), state, ...(this.o.org ? { org: this.o.org } : {}) });
    return { state, manifest, action };
  }

  /** True when `given` is the setup token. */
  tokenMatches(given: string | undefined): boolean {
    const a = Buffer.from(given ?? "");
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Checks and spends `state`, then converts `code` and writes the `.env` file. */
  async complete(q: { code?: string | undefined; state?: string | undefined }): Promise<SetupResult> {
    const until = q.state === undefined ? undefined : this.states.get(q.state);
    if (q.state === undefined || until === undefined || until <= (this.o.now ?? Date.now)()) {
      throw new HookyardError("HOOKYARD_ERR_SETUP_STATE_INVALID", "the setup callback's state is missing, unknown, expired or already used; start again from /setup");
    }
    this.states.delete(q.state);
    if (!q.code) throw new HookyardError("HOOKYARD_ERR_SETUP_CODE_INVALID", "the setup callback has no code");
    try {
      this.result = await completeManifestSetup({ code: q.code, baseUrl: this.o.apiBaseUrl, envFile: this.envFile, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) });
      return this.result;
    } catch (err) {
      if (isHookyardError(err)) throw err;
      throw new HookyardError("HOOKYARD_ERR_SETUP_CONVERSION_FAILED", (err as Error).message, { cause: err });
    }
  }
}
