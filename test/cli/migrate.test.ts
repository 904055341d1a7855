import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";

const MAIN = join(resolve(import.meta.dirname, "../.."), "dist/cli/main.js");
const PG_URL = "postgres://postgres@127.0.0.1:5432/test";
const run = promisify(execFile);
const schemas: string[] = [];

async function sql<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

afterEach(async () => {
  for (const s of schemas.splice(0)) await sql(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
});

describe("hookyard migrate", () => {
  it("creates BullMQ's and Hookyard's tables in the store's Postgres schema, and is safe to run twice", async () => {
    const schema = `hymig${randomUUID().slice(0, 8)}`;
    schemas.push(schema);
    const store = `${PG_URL}?schema=${schema}`;
    const env = { PATH: process.env.PATH ?? "" };
    const first = await run(process.execPath, [MAIN, "migrate", "--store", store], { env });
    expect(first.stdout).toMatch(new RegExp(`schema "${schema}": BullMQ version \\d+, Hookyard version 3`));
    const second = await run(process.execPath, [MAIN, "migrate"], { env: { ...env, HOOKYARD_STORE: store } });
    expect(second.stdout).toBe(first.stdout);
    const tables = (await sql<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = '${schema}'`)).map((r) => r.t);
    expect(tables).toEqual(expect.arrayContaining(["hookyard_delivery", "hookyard_task", "hookyard_attempt", "hookyard_record"]));
  });

  it("refuses a store it cannot migrate, with a code (a usage error: exit 2)", async () => {
    const err = await run(process.execPath, [MAIN, "migrate", "--store", "mysql://localhost/x"], { env: { PATH: process.env.PATH ?? "" } }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain("HOOKYARD_ERR_STORE_INVALID_URL");
  });
});
