// YAML syntax errors worded as yaml-cpp words them. Falco parses rules files with yaml-cpp and puts its
// exception text in the `-V` result ("yaml-cpp: error at line 1, column 11: illegal map value"); tools
// and tests match on it. We parse with the `yaml` package, so we translate its error codes to yaml-cpp's
// messages and positions. Only the common cases are translated; anything else keeps the `yaml`
// package's own wording (first line), still in yaml-cpp's "error at line L, column C" frame.
import type { YAMLError } from "yaml";

/** yaml-cpp's messages (include/yaml-cpp/exceptions.h, namespace ErrorMsg). */
const YAML_CPP = {
  MAP_VALUE: "illegal map value",
  END_OF_SEQ_FLOW: "end of sequence flow not found",
  END_OF_MAP_FLOW: "end of map flow not found",
  EOF_IN_SCALAR: "illegal EOF in scalar",
  INVALID_ESCAPE: "unknown escape character: ",
  MULTIPLE_ANCHORS: "cannot assign multiple anchors to the same node",
  MULTIPLE_TAGS: "cannot assign multiple tags to the same node",
  UNKNOWN_TOKEN: "unknown token",
  FLOW_END: "illegal flow end",
  UNKNOWN_ANCHOR: "the referenced anchor is not defined: ",
} as const;

export interface YamlCppError {
  /** 0-based offset of yaml-cpp's mark. */
  readonly offset: number;
  /** yaml-cpp's message without the "yaml-cpp: error at ..." prefix. */
  readonly message: string;
}

/** Translate the first error the `yaml` package reported. */
export function translateYamlError(text: string, error: YAMLError): YamlCppError {
  const pos = error.pos[0];
  const first = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
  switch (error.code) {
    case "BLOCK_AS_IMPLICIT_KEY":
    case "MULTILINE_IMPLICIT_KEY": {
      // `a : b : c`: yaml-cpp stops at the ':' that would open the nested mapping.
      const colon = nextMapIndicator(text, pos);
      return { offset: colon ?? pos, message: YAML_CPP.MAP_VALUE };
    }
    case "BAD_INDENT":
      if (first.startsWith("Flow sequence")) return { offset: pos, message: YAML_CPP.END_OF_SEQ_FLOW };
      if (first.startsWith("Flow map")) return { offset: pos, message: YAML_CPP.END_OF_MAP_FLOW };
      break;
    case "MISSING_CHAR":
      if (/closing "quote|closing 'quote/.test(first))
        return { offset: pos, message: YAML_CPP.EOF_IN_SCALAR };
      break;
    case "BAD_DQ_ESCAPE": {
      const m = /Invalid escape sequence \\?(.)/.exec(first);
      return { offset: pos, message: YAML_CPP.INVALID_ESCAPE + (m?.[1] ?? "") };
    }
    case "MULTIPLE_ANCHORS":
      return { offset: pos, message: YAML_CPP.MULTIPLE_ANCHORS };
    case "MULTIPLE_TAGS":
      return { offset: pos, message: YAML_CPP.MULTIPLE_TAGS };
    case "BAD_SCALAR_START":
      return { offset: pos, message: YAML_CPP.UNKNOWN_TOKEN };
    case "UNEXPECTED_TOKEN":
      if (/flow-(seq|map)-end/.test(first)) return { offset: pos, message: YAML_CPP.FLOW_END };
      break;
  }
  return { offset: pos, message: first.length > 0 ? first[0].toLowerCase() + first.slice(1) : "parse error" };
}

export function unknownAnchorError(offset: number, name: string): YamlCppError {
  return { offset, message: YAML_CPP.UNKNOWN_ANCHOR + name };
}

/** yaml-cpp's exception text: line and column are 1-based in the message (its marks are 0-based). */
export function formatYamlCppMessage(line: number, column: number, message: string): string {
  return `yaml-cpp: error at line ${line}, column ${column}: ${message}`;
}

/** The first ': ' (or ':' at end of line) at or after `from` on the same line, outside quotes. */
function nextMapIndicator(text: string, from: number): number | undefined {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") return undefined;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === ":" && (i + 1 >= text.length || /\s/.test(text[i + 1]))) return i;
  }
  return undefined;
}
