// Waiting on a full stream: a channel whose write() returned false is busy until the stream drains,
// or until it can never drain (closed, errored, or its process gone: `gone`). The output queue waits
// on the returned promise, which is how a slow reader slows its own channel and nothing else.
import type { Writable } from "node:stream";

export function untilWritable(stream: Writable, gone?: Promise<unknown> | null): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
    stream.once("error", done);
    void gone?.then(done, done);
  });
}
