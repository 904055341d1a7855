import type { Context } from "../../events/context.js";
import type { Backend } from "../../store/backend.js";
import type { OAuthService } from "./service.js";

/**
 * The handler Hookyard registers for `github_app_authorization.revoked` when GitHub login is on:
 * the sender's sessions that began before the delivery arrived end, in every process (the time is
 * kept in the store). Taken from the delivery's arrival, not the handler's run, so a retry does
 * not end a session the user started after re-authorizing.
 *
 * @example
 * ```ts
 * app.on("github_app_authorization.revoked", endSessionsOnRevoke(oauth, () => app.store, Date.now));
 * ```
 */
export function endSessionsOnRevoke(oauth: OAuthService, store: () => Backend, now: () => number) {
  return async function oauthRevoked(ctx: Context<"github_app_authorization.revoked">): Promise<void> {
    const userId = ctx.payload.sender?.id;
    if (typeof userId !== "number") return;
    const delivery = await store().getDelivery(ctx.id);
    // the login clock may differ from the wall clock (tests move it): carry the delivery's age over
    const age = delivery ? Math.max(0, Date.now() - delivery.receivedAt) : 0;
    await oauth.revoked(userId, now() - age);
    ctx.log.info({ userId, user: ctx.payload.sender?.login }, "GitHub authorization revoked: the user's sessions are over");
  };
}
