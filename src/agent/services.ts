// What runs beside a started agent: the webserver (/healthz, /versions, /metrics), the periodic metrics
// snapshot (an internal alert and/or a JSON line per interval), and watch_config_files (a changed rules
// or configuration file reloads the rules, as SIGHUP does).
//
// All of it is off the event path: the metrics source reads `agent.summary()` when scraped or when the
// interval fires; file digests are computed at start and after each reload, never per scrape.
import type { SakerConfig } from "../config/types.js";
import { type FileWatch, watchFiles } from "../lifecycle/watch.js";
import { expandRulesPaths } from "../rules/loader/load.js";
import {
  type FileDigest,
  type MetricsSnapshotTimer,
  SakerMetrics,
  type Webserver,
  fileDigests,
  fromAgentSummary,
  sakerVersions,
  startMetricsSnapshots,
  startWebserver,
} from "../service/index.js";
import { escapeText } from "../alerts/escape.js";
import type { Agent } from "./agent.js";

const LOG_ERR = 3;
const LOG_INFO = 6;

export interface AgentServicesOptions {
  readonly agent: Agent;
  readonly config: SakerConfig;
  readonly hostname: string;
  readonly log: (level: number, message: string) => void;
  readonly rulesPaths: readonly string[];
  /** The configuration files read (main file and config_files), for digests and watching. */
  readonly configFiles: readonly string[];
  /** Called when a watched file changed (the caller reloads, as for SIGHUP). */
  readonly onFilesChanged?: (changed: readonly string[]) => void;
}

export interface AgentServices {
  /** The webserver's address, when it runs. */
  readonly webserver: Webserver | null;
  /** Recompute the rules and config digests and the reload time (after a reload). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export type StartServicesResult =
  | { readonly ok: true; readonly services: AgentServices }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

export async function startAgentServices(o: AgentServicesOptions): Promise<StartServicesResult> {
  const { agent, config, log } = o;
  let reloadTsNs = BigInt(Date.now()) * 1_000_000n;
  let rulesFiles: FileDigest[] = [];
  let configFiles: FileDigest[] = [];
  const refresh = async (): Promise<void> => {
    reloadTsNs = BigInt(Date.now()) * 1_000_000n;
    [rulesFiles, configFiles] = await Promise.all([
      fileDigests(expandRulesPaths(o.rulesPaths)),
      fileDigests(o.configFiles),
    ]);
  };
  await refresh();

  const metrics = config.metrics.enabled
    ? new SakerMetrics({
        config: config.metrics,
        hostname: o.hostname,
        source: {
          snapshot: () => ({
            reloadTsNs,
            rulesFiles,
            configFiles,
            ...fromAgentSummary(agent.summary(), (name) => agent.ruleInfo(name)),
          }),
        },
      })
    : null;

  let webserver: Webserver | null = null;
  if (config.webserver.enabled) {
    const started = await startWebserver(config.webserver, { metrics, versions: sakerVersions(), log });
    if (!started.ok) return { ok: false, error: started.error };
    webserver = started.server;
    log(LOG_INFO, `Starting HTTP server listening on ${webserver.url}`);
  }

  let snapshots: MetricsSnapshotTimer | null = null;
  if (metrics !== null && (config.metrics.outputRule || config.metrics.outputFile !== "")) {
    const started = startMetricsSnapshots({
      config: config.metrics,
      read: () => metrics.read(),
      hostname: o.hostname,
      onRecord: (r) => agent.emitInternal(r.time, r.priority, r.rule, r.message, r.fields),
      log,
    });
    if (!started.ok) {
      await webserver?.close();
      return { ok: false, error: started.error };
    }
    snapshots = started.timer;
  }

  let watch: FileWatch | null = null;
  if (config.watchConfigFiles && o.onFilesChanged !== undefined) {
    const onChange = o.onFilesChanged;
    watch = watchFiles([...o.configFiles, ...o.rulesPaths], onChange, {
      onError: (path, e) =>
        log(LOG_ERR, `watch_config_files: cannot watch ${escapeText(path)}: ${escapeText(e.message)}`),
    });
  }

  return {
    ok: true,
    services: {
      webserver,
      refresh,
      async close() {
        watch?.close();
        await snapshots?.stop();
        await webserver?.close();
      },
    },
  };
}
