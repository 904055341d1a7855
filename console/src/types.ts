// What the management API answers (see docs/reference/api.md).

export type TaskState = "queued" | "running" | "retrying" | "completed" | "failed" | "cancelled";
export const TASK_STATES: TaskState[] = ["queued", "running", "retrying", "completed", "failed", "cancelled"];

export interface ErrorInfo { message: string; code?: string; stack?: string }

export interface Task {
  id: string; name: string; deliveryId: string; event: string; action: string | null; repository: string | null;
  state: TaskState; attempts: number; maxAttempts: number; runAt: string; createdAt: string; updatedAt: string;
  lastError: ErrorInfo | null;
}

export interface Attempt { attempt: number; startedAt: string; endedAt: string | null; outcome: string; error: ErrorInfo | null }

export interface TaskDetail extends Task {
  timeoutMs: number;
  backoff: { type: string; delay: number; maxDelay: number; jitter: string };
  attemptLog: Attempt[];
}

export interface Delivery {
  id: string; event: string; action: string | null; repository: string | null; installationId: number | null;
  status: "accepted" | "ignored"; receivedAt: string;
}

export interface DeliveryDetail extends Delivery {
  headers: Record<string, string>; contentType: string; size: number; payload: unknown; tasks: Task[];
}

export interface Page<T> { items: T[]; nextCursor: string | null }

export interface Stats {
  now: string; windowMinutes: number;
  deliveriesPerMinute: number[]; deliveriesLastHour: number;
  failuresPerMinute: number[]; failuresLastHour: number;
  tasksByState: Record<TaskState, number>; queueDepth: number; partial: boolean;
}

export interface AgentRun {
  key: string; repo: string; issue: number; stage: string; branch: string; prNumber: number | null; prUrl: string | null;
  issueUrl: string | null; fixAttempts: number; costUsd: number; lastError: string | null; taskId: string | null;
  history: { at: string | null; stage: string; note: string }[]; startedAt: string | null; updatedAt: string | null;
}

export interface ConsoleConfig { githubLogin: boolean; loginUrl: string; tokenConfigured: boolean }
