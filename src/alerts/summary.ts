// Falco's end-of-run detection summary, printed by every command that runs rules (capture and audit
// replay, the live agent), so all of them read alike and parse alike.
import { priorityName, type Priority } from "../rules/priority.js";
import { escapeControls } from "./escape.js";

export interface DetectionCounts {
  readonly alertsTotal: number;
  /** Indexed by Priority. */
  readonly alertsByPriority: readonly number[];
  /** In rule load order. */
  readonly alertsByRule: ReadonlyMap<string, number>;
}

/**
 * Total alerts, then per severity (most severe first, upper case, "INFO" for Informational) and per rule
 * in load order, each listing only what is non-zero. Rule names print as written, control characters aside.
 */
export function formatDetectionSummary(counts: DetectionCounts): string {
  let out = `Events detected: ${counts.alertsTotal}\nRule counts by severity:\n`;
  counts.alertsByPriority.forEach((n, p) => {
    if (n > 0) out += `   ${priorityName(p as Priority, true).toUpperCase()}: ${n}\n`;
  });
  out += "Triggered rules by rule name:\n";
  for (const [rule, n] of counts.alertsByRule) if (n > 0) out += `   ${escapeControls(rule)}: ${n}\n`;
  return out;
}
