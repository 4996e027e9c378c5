// The field classes of the k8s_audit source, in lookup order.
import type { FieldClass } from "../../fields/types.js";
import { jevtTimeFieldClass, jsonFieldClass } from "./json.js";
import { k8sAuditFieldClass } from "./k8saudit.js";

export { jevtTimeFieldClass, jsonFieldClass } from "./json.js";
export { k8sAuditFieldClass, k8sAuditFields } from "./k8saudit.js";

export const k8sAuditFieldClasses: readonly FieldClass[] = [
  k8sAuditFieldClass,
  jsonFieldClass,
  jevtTimeFieldClass,
];
