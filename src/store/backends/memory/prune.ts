/** Retention for the memory store: the same rule as every backend, over its maps. */
import type { PruneOptions, PruneResult } from "../../backend.js";
import { prunable } from "../../prune-rule.js";
import type { DeliveryRow, TaskRow } from "./rows.js";

/** The memory store's tables, as pruning sees them. */
export interface MemoryTables {
  deliveries: Map<string, DeliveryRow>;
  tasks: Map<string, TaskRow>;
  /** Pruned delivery ids → received time: still answered `duplicate`. */
  tombstones: Map<string, number>;
}

/** Removes (or counts, dry run) one batch of old finished deliveries, in `seq` order; see `Backend.prune`. */
export function pruneMemory(tables: MemoryTables, options: PruneOptions): PruneResult {
  const result: PruneResult = { deliveries: 0, tasks: 0, bytes: 0, tombstones: 0, cursor: null };
  const tasksOf = new Map<string, TaskRow[]>();
  for (const t of tables.tasks.values()) {
    const list = tasksOf.get(t.deliveryId);
    if (list) list.push(t);
    else tasksOf.set(t.deliveryId, [t]);
  }
  const after = options.cursor === undefined ? 0 : Number(options.cursor);
  const rows = [...tables.deliveries.values()].filter((d) => d.seq > after && d.receivedAt < options.before).sort((a, b) => a.seq - b.seq);
  for (const [i, d] of rows.entries()) {
    if (i >= options.limit) {
      result.cursor = String(rows[i - 1]!.seq);
      break;
    }
    const tasks = tasksOf.get(d.id) ?? [];
    if (!prunable(d.receivedAt, tasks, options)) continue;
    result.deliveries += 1;
    result.tasks += tasks.length;
    result.bytes += d.body.length + Buffer.byteLength(JSON.stringify(d.headers));
    if (options.dryRun) continue;
    for (const t of tasks) tables.tasks.delete(t.id);
    tables.deliveries.delete(d.id);
    tables.tombstones.set(d.id, d.receivedAt);
  }
  // up to `limit` a batch; a dry run counts them all in its first batch
  if (options.dryRun && options.cursor !== undefined) return result;
  for (const [id, receivedAt] of tables.tombstones) {
    if (!options.dryRun && result.tombstones >= options.limit) break;
    if (receivedAt >= options.tombstonesBefore) continue;
    result.tombstones += 1;
    if (!options.dryRun) tables.tombstones.delete(id);
  }
  return result;
}
