// The outputs moved to src/outputs/; this keeps the agent's imports (and anyone else's) working.
export {
  DEFAULT_QUEUE_BOUND,
  OutputQueue,
  reopenChannels,
  type ChannelStats,
  type OutputChannel,
  type OutputMessage,
  type OutputQueueOptions,
  type OutputQueueStats,
} from "../outputs/queue.js";
export { MemoryChannel, StreamChannel } from "../outputs/stream.js";
