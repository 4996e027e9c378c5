// The alert settings a configuration asks for (falco.yaml's json_* and time keys), in one place for
// every command that prints alerts.
import type { SakerConfig } from "../config/index.js";
import { DEFAULT_ALERT_CONFIG, type AlertConfig } from "./alert.js";

export function alertConfigFromConfig(config: SakerConfig, hostname: string): AlertConfig {
  return {
    ...DEFAULT_ALERT_CONFIG,
    hostname,
    timeFormatIso8601: config.timeFormatIso8601,
    jsonOutput: config.json.output,
    jsonIncludeOutputProperty: config.json.includeOutputProperty,
    jsonIncludeTagsProperty: config.json.includeTagsProperty,
    jsonIncludeMessageProperty: config.json.includeMessageProperty,
    jsonIncludeOutputFieldsProperty: config.json.includeOutputFieldsProperty,
  };
}
