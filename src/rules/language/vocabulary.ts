// The words of the condition language, each group in the order libsinsp's parser tries them (order
// matters: "<=" before "<", "bcontains" before "contains" is not needed but "in" after "intersects" is).
// One definition serves the parser (lexing), the rules loader (exception `comps`) and the engine (which
// operator suits which field type), so the three cannot drift apart.
import type { BinaryOperator, OperatorModifier, TransformerName, UnaryOperator } from "./ast.js";

export const UNARY_OPERATORS: readonly UnaryOperator[] = ["exists"];
export const NUMERIC_OPERATORS = ["<=", "<", ">=", ">"] as const satisfies readonly BinaryOperator[];
export const STRING_SYMBOL_OPERATORS = ["==", "=", "!="] as const satisfies readonly BinaryOperator[];
/** Word operators; the parser requires a blank after them. */
export const STRING_WORD_OPERATORS = [
  "glob",
  "iglob",
  "contains",
  "icontains",
  "bcontains",
  "startswith",
  "bstartswith",
  "endswith",
  "regex",
] as const satisfies readonly BinaryOperator[];
/** Operators whose right-hand side is a list (or a list name, or a field). */
export const LIST_OPERATORS = ["intersects", "in", "pmatch"] as const satisfies readonly BinaryOperator[];
/** `fd.name startswith anyof (a, b)`: the modifiers, allowed after the string operators only. */
export const OPERATOR_MODIFIERS: readonly OperatorModifier[] = ["oneof", "anyof", "allof"];
/** The string operators, which take a modifier. */
export const MODIFIABLE_OPERATORS: readonly BinaryOperator[] = [
  ...STRING_SYMBOL_OPERATORS,
  ...STRING_WORD_OPERATORS,
];

/** Every check operator, in libsinsp's supported_operators order. */
export const ALL_OPERATORS: readonly (BinaryOperator | UnaryOperator)[] = [
  ...UNARY_OPERATORS,
  ...NUMERIC_OPERATORS,
  ...STRING_SYMBOL_OPERATORS,
  ...STRING_WORD_OPERATORS,
  ...LIST_OPERATORS,
];

/** Every field transformer (libsinsp's supported_field_transformers), `val` aside. */
export const TRANSFORMER_NAMES: readonly TransformerName[] = [
  "tolower",
  "toupper",
  "b64",
  "basename",
  "len",
  "join",
  "concat",
  "getopt",
];
