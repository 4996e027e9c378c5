// The k8s_audit source's schema: what rules for `source: k8s_audit` are validated against. Classes in
// Falco's order for a plugin source: the generic evt.* fields every source has, then the k8saudit
// plugin's ka.*, then the json plugin's json.*/jevt.*, then the legacy jevt time fields. The registry
// (src/fields/registry.ts) imports this; it imports nothing from the runtime side.
import type { SourceSchema } from "../engine/source.js";
import { createCatalogue } from "../fields/catalogue.js";
import { genericEventClass } from "../fields/syscall/evt.js";
import type { FieldClass } from "../fields/types.js";
import { k8sAuditFieldClasses } from "./fields/index.js";

export const K8S_AUDIT_SOURCE_NAME = "k8s_audit";

export const k8sAuditClasses: readonly FieldClass[] = [genericEventClass, ...k8sAuditFieldClasses];

export const k8sAuditSchema: SourceSchema = {
  name: K8S_AUDIT_SOURCE_NAME,
  catalogue: createCatalogue(K8S_AUDIT_SOURCE_NAME, k8sAuditClasses),
  eventTypeNames: undefined,
};
