// Falco's detection summary read back from a run's stdout, for the conformance tests that compare it
// with the corpus's expected counts.

/** The summary's total, counts per severity (upper case, as printed) and per rule. */
export function parseSummary(stdout: string): {
  total: number | undefined;
  bySeverity: Map<string, number>;
  byRule: Map<string, number>;
} {
  const bySeverity = new Map<string, number>();
  const byRule = new Map<string, number>();
  let total: number | undefined;
  let section: "severity" | "rule" | undefined;
  for (const line of stdout.split("\n")) {
    const m = /^Events detected: (\d+)$/.exec(line);
    if (m !== null) {
      total = Number(m[1]);
      section = undefined;
    } else if (line === "Rule counts by severity:") section = "severity";
    else if (line === "Triggered rules by rule name:") section = "rule";
    else if (section !== undefined && line.startsWith("   ")) {
      const at = line.lastIndexOf(": ");
      (section === "severity" ? bySeverity : byRule).set(line.slice(3, at), Number(line.slice(at + 2)));
    } else section = undefined;
  }
  return { total, bySeverity, byRule };
}

/** A corpus priority as the summary's severity key (Falco prints INFORMATIONAL as INFO). */
export const severityKey = (p: string): string => {
  const up = p.toUpperCase();
  return up === "INFORMATIONAL" ? "INFO" : up;
};
