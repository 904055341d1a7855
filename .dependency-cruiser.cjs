// Hookyard's layers, checked by `npm run lint` through scripts/lint-imports.mjs (which also checks
// cycles between the folders under src/, something these rules cannot say). See README "Layers".

/** The edges: adapters over the core (Probot compatibility, the command line, test helpers). */
const EDGES = "^src/(probot|cli|testing)/";
/**
 * Wiring: the modules that put implementations together. `src/app.ts` and a future `src/app/`
 * folder both count, so the rules hold whichever shape the app module has.
 */
const WIRING = ["^src/app[.]ts$", "^src/app/", "^src/http/", "^src/cli/", "^src/probot/", "^src/testing/", "^src/index[.]ts$"];
/** The store's own factory modules: each imports every backend to pick one from a URL. */
const STORE_FACTORY = "^src/store/(open|migrate|index)[.]ts$";
const STORE_BACKENDS = "^src/store/backends/";

module.exports = {
  forbidden: [
    {
      name: "core-imports-edge",
      comment:
        "The core (every module outside probot/, cli/ and testing/) must not import an edge: the edges " +
        "adapt the core, so the core must work, build and be published without them.",
      severity: "error",
      from: { path: "^src/", pathNot: EDGES },
      to: { path: EDGES },
    },
    {
      name: "no-file-cycle",
      comment:
        "No circular imports between files: a cycle makes the load order decide which module sees the " +
        "other still undefined. Type-only imports are left out: they vanish from the emitted JavaScript.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
    {
      name: "store-backend-outside-wiring",
      comment:
        "Only wiring (app, http/, cli/, probot/, testing/, index.ts), the store's factory modules " +
        "(store/open.ts, migrate.ts, index.ts) and the backends themselves import a store " +
        "implementation; everything else uses the interface in store/backend.ts, so every backend " +
        "can stand in for another.",
      severity: "error",
      from: { path: "^src/", pathNot: [...WIRING, STORE_FACTORY, STORE_BACKENDS] },
      to: { path: STORE_BACKENDS },
    },
    {
      name: "store-factory-outside-wiring",
      comment:
        "store/open.ts, migrate.ts and index.ts import every backend, so importing them imports the " +
        "implementations: the rule above would be dodged through them.",
      severity: "error",
      from: { path: "^src/", pathNot: [...WIRING, STORE_FACTORY] },
      to: { path: STORE_FACTORY },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/.*[.]d[.]ts$" },
    // type-only imports are dependencies too: a core module naming an edge's type still needs it
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
