import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { join } from "node:path";
import { HookyardError } from "../errors.js";
import type { NodeHandler } from "./node-handlers.js";

/** The parts of `express` used here (the app's own copy, resolved from its directory). */
interface ExpressModule {
  (): ((req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void) & { use(path: string, router: unknown): void };
  Router(): unknown;
}

/**
 * Probot ≤ 13's `getRouter(path)`: Express routers mounted at `path` of one Express app, which is
 * served as a Node handler on Hookyard's server. `express` is the app's own dependency, resolved
 * from the app's directory `cwd` (Probot ≤ 13 shipped it; Hookyard does not); without it, `getRouter()` throws
 * `HOOKYARD_ERR_PROBOT_EXPRESS_MISSING`.
 *
 * @example
 * ```ts
 * const routers = new ExpressRouters(process.cwd(), (h) => handlers.add(h));
 * const router = routers.getRouter("/my-app"); router.get("/hello", (req, res) => res.send("hi"));
 * ```
 */
export class ExpressRouters {
  private app: ReturnType<ExpressModule> | undefined;
  private express: ExpressModule | undefined;

  constructor(private readonly cwd: string, private readonly addHandler: (handler: NodeHandler) => void) {}

  /** A new Express router served under `path` (default `/`). */
  getRouter(path = "/"): unknown {
    const express = this.load();
    if (!this.app) {
      const app = express();
      this.app = app;
      // answered by Express: true; passed on (no route matched): false
      this.addHandler((req, res) => new Promise<boolean>((resolve, reject) => {
        res.once("finish", () => resolve(true));
        app(req, res, (err?: unknown) => (err ? reject(err) : resolve(false)));
      }));
    }
    const router = express.Router();
    this.app.use(path, router);
    return router;
  }

  private load(): ExpressModule {
    if (this.express) return this.express;
    try {
      const mod = createRequire(join(this.cwd, "package.json"))("express") as ExpressModule | { default: ExpressModule };
      return (this.express = typeof mod === "function" ? mod : mod.default);
    } catch {
      // not installed where the app is: said below
    }
    throw new HookyardError("HOOKYARD_ERR_PROBOT_EXPRESS_MISSING", `getRouter() returns an Express router, but the express package is not installed in ${this.cwd}: run \`npm install express\` (or move the routes to addHandler() or app.route())`);
  }
}
