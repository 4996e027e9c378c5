// What the tests that load the real probe share: whether this machine can (Linux on x86_64, root, a
// kernel with BTF), and the upstream syscall rules files they run.
import { existsSync } from "node:fs";
import { corpusPath } from "./paths.js";

/** Why the probe cannot load here (the test's skip reason), or false when it can. */
export function liveSkipReason(): string | false {
  if (process.platform !== "linux" || process.arch !== "x64") return "the probe needs Linux on x86_64";
  if (process.getuid?.() !== 0) return "the probe needs root (CAP_BPF + CAP_PERFMON) to load: skipped";
  if (!existsSync("/sys/kernel/btf/vmlinux"))
    return "the kernel has no BTF (/sys/kernel/btf/vmlinux): skipped";
  return false;
}

/** Falco's three upstream syscall rules files, from the corpus. */
export const UPSTREAM_SYSCALL_RULES = [
  "falco_rules.yaml",
  "falco-incubating_rules.yaml",
  "falco-sandbox_rules.yaml",
].map((f) => corpusPath("rules", "upstream", f));
