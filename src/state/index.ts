// The state engine: threads, fds, users, groups, containers and interfaces rebuilt from capture
// records and events, and the processor that applies each event before rules see it.
export {
  ContainerInfo,
  ContainerStore,
  ContainerType,
  containerFromCgroups,
  containerTypeName,
} from "./containers.js";
export { SyscallEvent } from "./event.js";
export { FdFlag, FdInfo, FdTable, FdType, fdTypeChar, fdTypeName } from "./fdinfo.js";
export { EventProcessor, type ProcessorOptions } from "./processor.js";
export { SystemState, StateCounters, type StateOptions, type UserInfo, type GroupInfo } from "./state.js";
export { CloneFlag, ThreadInfo } from "./threadinfo.js";
export {
  scanProc,
  procScanRecords,
  type ProcScanOptions,
  type ProcScanResult,
  type ProcScanCounters,
} from "./proc-scan.js";
