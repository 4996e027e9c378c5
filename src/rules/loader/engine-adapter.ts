// The engine's condition checking and event-type narrowing, as the compiler consumes them.

import { checkCondition } from "../../engine/compile.js";
import { eventTypesOf, warnsNoEvttype } from "../../engine/evttypes.js";
import { unsafeNaComparisons } from "../../engine/warnings.js";
import type { ConditionChecker, ConditionProblem } from "./compiler.js";

export const defaultChecker: ConditionChecker = {
  check(expr, schema) {
    const warnings: ConditionProblem[] = [];
    // Falco's filter_warning_resolver runs before the condition is compiled; its message is empty.
    for (const span of unsafeNaComparisons(expr)) {
      warnings.push({
        code: "LOAD_UNSAFE_NA_CHECK",
        message: "",
        start: span.start,
        end: span.end,
        unknownFilter: false,
      });
    }
    const checked = checkCondition(expr, schema);
    if (!checked.ok) {
      const errors = checked.errors.map((e) => ({
        message: e.message,
        start: e.start,
        end: e.end,
        // Falco's err_is_unknown_type_or_field: what skip-if-unknown-filter tolerates.
        unknownFilter: e.code === "unknown_field" || e.code === "unknown_evttype",
      }));
      return { errors, warnings };
    }
    for (const w of checked.warnings) {
      warnings.push({
        code:
          w.code === "list_element_comparison" ? "SAKER_LIST_ELEMENT_COMPARISON" : "LOAD_COMPILE_CONDITION",
        message: w.message,
        start: w.start,
        end: w.end,
        unknownFilter: false,
      });
    }
    return { errors: [], warnings };
  },
  eventTypes: eventTypesOf,
  tooManyEventTypes: warnsNoEvttype,
};
