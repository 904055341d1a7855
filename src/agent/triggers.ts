import { isFailing } from "./github/gather.js";
import { issueOfBranch } from "./runs.js";
import { ciSignalOf } from "./stages/fix-ci.js";

// The `when` checks of the agent's handlers (HandlerOptions.when): quick, synchronous looks at a
// delivery's payload that rule out the deliveries a stage would ignore at once, so that they store
// no task. Each stage checks again, and checks what needs the API (write access, the run record,
// the repository's .github/hookyard.yml), so these may only say no where the stage surely would.

const COMMAND = /^\/agent(?:\s+([\s\S]*))?$/;

interface User {
  type?: string;
}

/** The text after `/agent` at the start of a comment (empty string for a bare `/agent`), or null. */
export function agentCommandOf(body: string | null | undefined): string | null {
  const m = COMMAND.exec((body ?? "").trim());
  return m ? (m[1] ?? "").trim() : null;
}

/** Whether a user is a GitHub App or another bot (never a trigger). */
export function isBot(user: User | undefined): boolean {
  return user?.type === "Bot";
}

/**
 * `issue_comment.created`: an `/agent` comment, not from a bot, on an issue or pull request.
 *
 * @example
 * ```ts
 * app.on("issue_comment.created", onComment, { when: commentMayStart });
 * ```
 */
export function commentMayStart(payload: unknown): boolean {
  const p = payload as { comment?: { body?: string; user?: User }; issue?: { number?: number } };
  return agentCommandOf(p.comment?.body) !== null && !isBot(p.comment?.user) && typeof p.issue?.number === "number";
}

/** A completed check suite, check run or workflow run that failed on an agent branch. */
export function ciMayStart(payload: unknown, event: string): boolean {
  const signal = ciSignalOf(event, payload);
  return signal !== null && isFailing(signal.conclusion) && issueOfBranch(signal.branch) !== null;
}

/** `pull_request_review.submitted`: changes requested, not by a bot, on an agent branch. */
export function reviewMayStart(payload: unknown): boolean {
  const p = payload as { review?: { state?: string; user?: User }; pull_request?: { head?: { ref?: string } } };
  return p.review?.state?.toLowerCase() === "changes_requested" && !isBot(p.review.user) && issueOfBranch(p.pull_request?.head?.ref) !== null;
}
