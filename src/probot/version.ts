import { readFileSync } from "node:fs";

/** Hookyard's package version, read once from its package.json. */
export const HOOKYARD_VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
