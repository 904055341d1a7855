export { deliveryLogPages, succeeded, type AppOctokit, type DeliveryAttempt, type LogPage } from "./delivery-log.js";
export { missedDeliveries, type MissedDelivery } from "./select.js";
export { recoverMissedDeliveries, REDELIVERY_WINDOW_MS, type RecoverOptions, type RecoveryReport } from "./recover.js";
export { FileRecoveryState, MemoryRecoveryState, recoveryStateFor, type RecoveryState, type RecoveryStateStore, type RequestedRedelivery } from "./state.js";
export { RedeliveryScheduler, redeliverySchedulerFor, type RedeliverySchedulerOptions, type RedeliveryTotals } from "./scheduler.js";
