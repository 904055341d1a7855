import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/store/backend.js";
import { openPostgresBackend, type BullmqBackend, type PostgresBackendOptions } from "../../src/store/backends/bullmq/index.js";
import { describeBackend } from "./conformance.js";

const PG_URL = process.env.HOOKYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function withClient<T>(use: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

const dropSchema = (schema: string) => withClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined);

/** The backend, with `close()` also dropping the test's schema (the conformance suite closes every store it opens). */
function withCleanup<T extends Backend>(store: T, cleanup: () => Promise<void>): T {
  let cleaned: Promise<void> | undefined;
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "close") return () => target.close().then(() => (cleaned ??= cleanup()));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const newSchema = () => `hytest_${randomUUID().replaceAll("-", "")}`;

async function openTestStore(options: Partial<PostgresBackendOptions> = {}): Promise<{ store: BullmqBackend; schema: string }> {
  const schema = options.schema ?? newSchema();
  // a queue name of its own too: BullMQ's NOTIFY channel is shared by every schema of the database
  const store = await openPostgresBackend({ url: PG_URL, queue: `q${schema}`, poolSize: 4, ...options, schema });
  return { store: withCleanup(store, () => dropSchema(schema)), schema };
}

describeBackend("bullmq-postgres", async () => (await openTestStore()).store);
