// The services around the pipeline: the webserver (healthz, versions, Prometheus metrics) and the
// periodic metrics snapshot.
export {
  fileDigests,
  fromAgentSummary,
  fromWebhookStats,
  ruleMatches,
  type FileDigest,
  type K8sAuditMetrics,
  type OutputsMetrics,
  type MetricsSnapshot,
  type MetricsSource,
  type RuleInfo,
  type RuleMatchCount,
  type RulesMetrics,
  type SyscallMetrics,
} from "./metrics-source.js";
export {
  FALCO_METRICS_HELP,
  SakerMetrics,
  type MetricsReading,
  type SakerMetricsOptions,
} from "./metrics.js";
export {
  METRICS_SNAPSHOT_MESSAGE,
  METRICS_SNAPSHOT_RULE,
  MetricsRecorder,
  metricsFileLine,
  sanitizeName,
  type MetricsRecord,
} from "./metrics-record.js";
export {
  METRICS_SNAPSHOT_ERRORS,
  MetricsSnapshotTimer,
  startMetricsSnapshots,
  type MetricsSnapshotError,
  type MetricsSnapshotErrorCode,
  type MetricsSnapshotOptions,
} from "./metrics-snapshot.js";
export { readProcessStats, type ProcessStats } from "./process-stats.js";
export { sakerVersions, versionsJson, type VersionsInfo } from "./versions.js";
export {
  HEALTHZ_BODY,
  WEBSERVER_ERRORS,
  startWebserver,
  type StartWebserverResult,
  type Webserver,
  type WebserverDeps,
  type WebserverError,
  type WebserverErrorCode,
} from "./webserver.js";
