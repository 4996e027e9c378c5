// Rule priorities, most severe first, numbered as Falco numbers them (0 = Emergency) so that
// "priority >= minimum" reads as "numeric value <= minimum's".
export const enum Priority {
  Emergency = 0,
  Alert = 1,
  Critical = 2,
  Error = 3,
  Warning = 4,
  Notice = 5,
  Informational = 6,
  Debug = 7,
}

const NAMES = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"];

/** Case-insensitive, as Falco; "info" is accepted for Informational (a legacy alias Falco keeps). */
export function parsePriority(text: string): Priority | undefined {
  const lower = text.toLowerCase();
  if (lower === "info") return Priority.Informational;
  const index = NAMES.findIndex((n) => n.toLowerCase() === lower);
  return index < 0 ? undefined : (index as Priority);
}

/** The name Falco prints: "Informational" in full (alerts use this), "Info" in Falco's short form. */
export function priorityName(priority: Priority, short = false): string {
  if (short && priority === Priority.Informational) return "Info";
  return NAMES[priority];
}

/** True when `priority` is at least as severe as `minimum`. */
export function meetsMinimum(priority: Priority, minimum: Priority): boolean {
  return priority <= minimum;
}
