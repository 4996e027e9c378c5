// Alert outputs: the per-channel bounded queues and Falco's channels (stdout, file, program, syslog, http).
export {
  DEFAULT_QUEUE_BOUND,
  ChannelQueue,
  OutputQueue,
  reopenChannels,
  type ChannelStats,
  type OutputChannel,
  type OutputMessage,
  type OutputQueueOptions,
  type OutputQueueStats,
} from "./queue.js";
export { OUTPUT_ERRORS, type OutputError, type OutputErrorCode } from "./errors.js";
export { MemoryChannel, StreamChannel } from "./stream.js";
export { FileChannel, type FileChannelOptions } from "./file.js";
export { ProgramChannel, type ProgramChannelOptions } from "./program.js";
export { SyslogChannel, type SyslogChannelOptions } from "./syslog.js";
export { HttpChannel, type HttpChannelOptions } from "./http.js";
export { outputChannelsFromConfig, type ChannelsFromConfigOptions } from "./from-config.js";
