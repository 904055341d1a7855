// Builds the web console (console/src, Preact + TSX) into dist/console/: index.html, app.js, app.css.
// Part of `npm run build`; esbuild bundles everything, so the package ships it without a CDN.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const out = here("../dist/console/");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const started = Date.now();
await build({
  entryPoints: [here("src/main.tsx")],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: false,
  jsx: "automatic",
  jsxImportSource: "preact",
  outfile: `${out}app.js`,
  logLevel: "warning",
  legalComments: "none",
});
copyFileSync(here("index.html"), `${out}index.html`);
copyFileSync(here("app.css"), `${out}app.css`);
console.log(`console built into dist/console/ in ${Date.now() - started} ms`);
