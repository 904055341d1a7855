/** The PostgreSQL the tests use, and removing a test's schema from it. */
import pg from "pg";

export const PG_URL = process.env.HOOKYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Drops `schema` (and everything in it) if it exists. */
export async function dropPgSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}
