import { isHookyardError } from "../../errors.js";
import type { Backend } from "../../store/backend.js";

/** The store record kind that remembers when a user revoked the App's authorization (key: user id). */
export const REVOCATION_KIND = "oauth-revocation";

/**
 * When `userId` last revoked the App's authorization (ms), or undefined. Sessions that began
 * before it are over. Kept in the store, so every process sees it.
 *
 * @example
 * ```ts
 * const at = await revokedAt(app.store, 583231);
 * ```
 */
export async function revokedAt(store: Backend, userId: number): Promise<number | undefined> {
  const rec = await store.getRecord(REVOCATION_KIND, String(userId));
  const at = (rec?.value as { revokedAt?: unknown } | undefined)?.revokedAt;
  return typeof at === "number" ? at : undefined;
}

/**
 * Records that `userId` revoked the App's authorization at `at` (compare-and-set; a later time
 * already stored wins).
 *
 * @example
 * ```ts
 * await recordRevocation(app.store, 583231, Date.now());
 * ```
 */
export async function recordRevocation(store: Backend, userId: number, at: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    const rec = await store.getRecord(REVOCATION_KIND, String(userId));
    const prev = (rec?.value as { revokedAt?: unknown } | undefined)?.revokedAt;
    if (typeof prev === "number" && prev >= at) return;
    try {
      await store.putRecord(REVOCATION_KIND, String(userId), { revokedAt: at }, rec?.version ?? 0);
      return;
    } catch (err) {
      if (!isHookyardError(err, "HOOKYARD_ERR_STORE_CONFLICT") || tries >= 5) throw err;
    }
  }
}
