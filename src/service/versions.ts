// What the webserver serves on /versions: Falco's keys (versions_info::as_json), so tooling that reads
// them (falcoctl matches rules artifacts by engine_version / engine_version_semver) works unchanged, plus
// `engine: "saker"` and `saker_version` so a reader can tell it is not Falco.
//
// Saker fills Falco's keys with its own versions: falco_version, libs_version and default_driver_version
// are Saker's version (the engine, decoders and probe ship together); the driver API and schema versions
// are the probe protocol's; plugin_api_version is "0.0.0" (Saker loads no plugins). The engine versions
// are the Falco rules-engine version Saker implements. Built once at start; nothing per request.
import { PROTOCOL_VERSION } from "../capture/live/protocol.js";
import { ENGINE_VERSION, SAKER_VERSION } from "../version.js";

export interface VersionsInfo {
  readonly default_driver_version: string;
  readonly driver_api_version: string;
  readonly driver_schema_version: string;
  readonly engine: string;
  /** The engine version's minor number alone (Falco keeps this older key for falcoctl). */
  readonly engine_version: string;
  readonly engine_version_semver: string;
  readonly falco_version: string;
  readonly libs_version: string;
  readonly plugin_api_version: string;
  /** Plugin name -> version; absent without plugins, as in Falco. */
  readonly plugin_versions?: Readonly<Record<string, string>>;
  readonly saker_version: string;
}

export function sakerVersions(plugins: Readonly<Record<string, string>> = {}): VersionsInfo {
  const minor = ENGINE_VERSION.split(".")[1] ?? "0";
  const names = Object.keys(plugins).sort();
  return {
    default_driver_version: SAKER_VERSION,
    driver_api_version: `${PROTOCOL_VERSION}.0.0`,
    driver_schema_version: `${PROTOCOL_VERSION}.0.0`,
    engine: "saker",
    engine_version: String(Number(minor)),
    engine_version_semver: ENGINE_VERSION,
    falco_version: SAKER_VERSION,
    libs_version: SAKER_VERSION,
    plugin_api_version: "0.0.0",
    ...(names.length > 0 ? { plugin_versions: Object.fromEntries(names.map((n) => [n, plugins[n]!])) } : {}),
    saker_version: SAKER_VERSION,
  };
}

/** The /versions body: keys sorted, as nlohmann writes an object. */
export function versionsJson(info: VersionsInfo): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(info).sort()) sorted[key] = info[key as keyof VersionsInfo];
  return JSON.stringify(sorted);
}
