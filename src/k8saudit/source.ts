// The k8s_audit event source at run time: the schema plus extractors over AuditEvent objects. Rules are
// compiled against this once; each field reference gets its closure from `extractor` (arguments such as
// JSON pointers and indexes parsed there), and the engine calls that closure per event.
import type { EventSource, Extractor, FieldValue } from "../engine/source.js";
import type { ResolvedField } from "../fields/types.js";
import type { AuditEvent } from "./event.js";
import { planExtractor, renderValue } from "./extract.js";
import { k8sAuditSchema } from "./schema.js";

/** A field that is not of this source reached `extractor`: a wiring mistake, not bad input. */
export class K8sAuditSourceError extends Error {
  readonly code = "SAKER_K8SAUDIT_UNKNOWN_FIELD";
}

export const k8sAuditSource: EventSource<AuditEvent> = {
  name: k8sAuditSchema.name,
  catalogue: k8sAuditSchema.catalogue,
  eventTypeNames: k8sAuditSchema.eventTypeNames,

  extractor(field: ResolvedField): Extractor<AuditEvent> {
    const ex = planExtractor(field.info.name, field.arg);
    if (ex === undefined) {
      throw new K8sAuditSourceError(`field '${field.info.name}' does not belong to the k8s_audit source`);
    }
    return ex;
  },

  render(field: ResolvedField, value: FieldValue): string {
    return renderValue(field.info.name, value);
  },
};
