// The live agent (`saker run`): capture -> state -> rules -> outputs, with privilege separation.
export {
  AGENT_ERRORS,
  Agent,
  formatAgentFigures,
  formatAgentStats,
  formatAgentSummary,
  type AgentError,
  type AgentErrorCode,
  type AgentExit,
  type AgentOptions,
  type AgentSummary,
  type ReloadResult,
} from "./agent.js";
export { LiveDropMonitor, dropFields, type LiveDropHooks } from "./drops.js";
export {
  DEFAULT_QUEUE_BOUND,
  MemoryChannel,
  OutputQueue,
  StreamChannel,
  type OutputChannel,
  type OutputMessage,
  type OutputQueueOptions,
  type OutputQueueStats,
} from "../outputs/index.js";
export {
  PRIVILEGE_ERRORS,
  dropPrivileges,
  loaderWrapper,
  resolveUser,
  runningAsRoot,
  shQuote,
  type PrivilegeErrorCode,
  type TargetUser,
} from "./privileges.js";
export {
  IGNORED_SYSCALLS,
  PROCEXIT,
  STATE_SYSCALLS,
  repairSet,
  selectSyscalls,
  syscallsForEventTypes,
  type BaseSyscalls,
  type SyscallSelection,
} from "./syscalls.js";
export { agentSettingsFromConfig, type AgentSettings } from "./settings.js";
export {
  AUDIT_SOURCE_ERRORS,
  openAuditSource,
  type AuditSource,
  type AuditSourceErrorCode,
  type AuditSourceHooks,
  type AuditSourceStats,
} from "./audit-source.js";
export {
  BUILT_IN_PLUGINS,
  SOURCE_ERRORS,
  SYSCALL_SOURCE_NAME,
  parseAuditInit,
  parseAuditOpenParams,
  planSources,
  type AuditInput,
  type AuditSourceSpec,
  type SourceError,
  type SourceErrorCode,
  type SourceFlags,
  type SourcePlan,
} from "./audit-sources.js";
