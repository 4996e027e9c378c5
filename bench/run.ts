// `npm run bench`: every benchmark in one run. Each section opens with the question it answers and
// prints ratios against a reference measured in the same process (hand-written JavaScript, a reader that
// decodes nothing), because absolute numbers on a shared 2-core machine mean little on their own.
import { benchEvaluate } from "./engine.js";
import { benchFormat } from "./alerts.js";
import { benchDecode } from "./capture.js";
import { benchRulesLoad } from "./rules-load.js";
import { benchLive } from "./live.js";
import { benchK8sAudit } from "./k8saudit.js";
import { benchReplay } from "./replay.js";
import { benchAgent } from "./agent.js";
import { benchOutputs } from "./outputs.js";

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (name: string): boolean => only.length === 0 || only.includes(name);
  const log = (line: string): void => console.log(line);

  if (want("rules")) {
    benchRulesLoad({ log });
    log("");
  }
  if (want("engine")) {
    benchEvaluate({ log });
    log("");
  }
  if (want("alerts")) {
    log(benchFormat().report);
    log("");
  }
  if (want("k8saudit")) {
    benchK8sAudit({ log });
    log("");
  }
  if (want("capture")) {
    await benchDecode({ log });
    log("");
  }
  if (want("replay")) {
    await benchReplay({ log });
    log("");
  }
  if (want("live")) {
    if (process.getuid?.() === 0) await benchLive({ log });
    else log("live: skipped (the probe needs root to load)");
    log("");
  }
  if (want("outputs")) {
    await benchOutputs({ log });
    log("");
  }
  if (want("agent")) {
    if (process.getuid?.() === 0) await benchAgent({ log });
    else log("agent: skipped (the probe needs root to load)");
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
