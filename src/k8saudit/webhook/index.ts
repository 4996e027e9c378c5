// The Kubernetes audit webhook: an HTTP(S) endpoint for the API server's webhook audit backend, feeding
// the detector through a bounded queue. See server.ts for the request path and its refusals.
export {
  AuditWebhook,
  WEBHOOK_ERRORS,
  type AuditWebhookOptions,
  type RejectionCode,
  type WebhookAddress,
  type WebhookErrorCode,
  type WebhookStats,
  type WebhookTlsOptions,
} from "./server.js";
export { BoundedQueue } from "./queue.js";
export { LatencyHistogram } from "./latency.js";
