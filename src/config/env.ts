// `${VAR}` expansion in config files, with Falco's exact rules (yaml_helper's pre-processing), applied to
// every scalar value of every config file as it is read (keys and `-o` values are left alone):
//
// - `${NAME}` is replaced by the variable's value, or removed when it is unset; the result is scanned
//   again from the same place, so a value holding `${OTHER}` expands too;
// - `$${...}` is an escape: one `$` is dropped and the rest kept as text (`$${HOME}` -> `${HOME}`);
// - a `$` followed by anything else (`$HOME`, `$$X`) ends the scan: the rest of the value stays as is;
// - `${` or `$${` with no `}` after it ends the scan too.
// Falco loops forever on a variable that expands to itself; Saker stops after a bounded number of steps
// and reports SAKER_CONFIG_ENV.
import type { CNode } from "./tree.js";
import type { ConfigDiagnostic } from "./diagnostics.js";
import { configError } from "./diagnostics.js";
import { escapeKey } from "./tree.js";

export type Env = Readonly<Record<string, string | undefined>>;

const MAX_STEPS = 10_000;

/** Expand one scalar's text; undefined when the expansion does not terminate. */
export function expandEnv(text: string, env: Env): string | undefined {
  let value = text;
  let start = value.indexOf("$");
  let steps = 0;
  while (start >= 0) {
    if (++steps > MAX_STEPS) return undefined;
    const rest = value.slice(start);
    if (rest.startsWith("${")) {
      const end = rest.indexOf("}");
      if (end < 0) break;
      const name = rest.slice(2, end);
      const replacement = env[name];
      value = value.slice(0, start) + (replacement ?? "") + value.slice(start + name.length + 3);
    } else if (rest.startsWith("$${")) {
      if (rest.indexOf("}") < 0) break;
      value = value.slice(0, start) + value.slice(start + 1);
      start++;
    } else {
      break;
    }
    start = value.indexOf("$", start);
  }
  return value;
}

/** Expand every scalar value of a file's tree in place. */
export function expandTree(node: CNode, env: Env, path: string, diagnostics: ConfigDiagnostic[]): void {
  switch (node.kind) {
    case "scalar": {
      if (node.isNull || !node.text.includes("$")) return;
      const expanded = expandEnv(node.text, env);
      if (expanded === undefined) {
        diagnostics.push(
          configError(
            "SAKER_CONFIG_ENV",
            path,
            "environment variable expansion does not terminate (a variable refers to itself)",
            node.loc,
          ),
        );
        return;
      }
      node.text = expanded;
      return;
    }
    case "seq":
      node.items.forEach((item, i) => expandTree(item, env, `${path}[${i}]`, diagnostics));
      return;
    case "map":
      for (const e of node.entries) {
        expandTree(e.value, env, path === "" ? escapeKey(e.key) : `${path}.${escapeKey(e.key)}`, diagnostics);
      }
      return;
  }
}
