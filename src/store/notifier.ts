/** A tiny listener set for "tasks were queued" wake-ups; a throwing listener never breaks the caller. */
export class TaskNotifier {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many listeners there are. */
  get size(): number {
    return this.listeners.size;
  }

  notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own; the store carries on
      }
    }
  }
}
