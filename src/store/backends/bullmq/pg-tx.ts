import type { PgPool, PgPoolClient } from "bullmq";

/**
 * Runs `body` in one transaction on a pooled client: COMMIT when it resolves, ROLLBACK (its own
 * failure ignored) and rethrow when it throws; the client goes back to the pool either way.
 *
 * @example
 * ```ts
 * const n = await inTransaction(pool, async (c) => (await c.query("DELETE FROM t WHERE x < $1", [1])).rowCount);
 * ```
 */
export async function inTransaction<T>(pool: PgPool, body: (c: PgPoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const result = await body(c);
    await c.query("COMMIT");
    return result;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}
