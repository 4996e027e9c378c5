// Stage 1 of loading: rules file text -> items with positions (Falco's rule_loader::reader).
//
// The YAML is parsed with the failsafe schema, so every scalar stays the string that was written
// (`0x10` stays "0x10", `yes` stays "yes") and each consumer decodes it the way yaml-cpp's converters
// do for Falco: booleans accept y/yes/true/on and their negatives in three letter cases, integers accept
// decimal, 0x hex and leading-0 octal. Null is a plain `~`, `null`, `Null`, `NULL` or nothing.
//
// Structural problems are reported with Falco's codes, item types and messages. A problem inside an
// item ends that item (as Falco's reader throws), but reading goes on with the next item, so one pass
// reports every broken item; the loader stops at the first error when asked to behave exactly as Falco.
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, Scalar, visit } from "yaml";
import type { Alias, Document, Node as YamlNode, YAMLMap } from "yaml";
import type { ContextFrame } from "../../diagnostics/diagnostic.js";
import type { DiagnosticCode, ErrorCode, WarningCode } from "../../diagnostics/codes.js";
import { parsePriority } from "../priority.js";
import type { Priority } from "../priority.js";
import type {
  ExceptionEntry,
  ExceptionInfo,
  PluginRequirement,
  ReadResult,
  ReadStep,
  RulesItem,
  RuleUpdate,
  SemVer,
  SourcedString,
} from "./items.js";
import { ItemType } from "./items.js";
import { MappedText, scalarSource, SourceFile } from "./positions.js";
import { formatYamlCppMessage, translateYamlError, unknownAnchorError } from "./yaml-errors.js";

/** Falco's deprecation and override messages (userspace/engine/rule_loading_messages.h). */
export const MESSAGES = {
  WARNING_APPEND:
    "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
  WARNING_ENABLED:
    "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry " +
    "under the 'override' key (i.e. 'enabled: replace').",
  ERROR_OVERRIDE_APPEND:
    "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. " +
    "'condition: append') under 'override' instead.",
} as const;

// libsinsp's grammar tokens, used by Falco to warn about macro and list names its parser cannot refer to.
const RGX_IDENTIFIER = "([a-zA-Z]+[a-zA-Z0-9_]*)";
const RGX_BARESTR = "([^()\"'[:space:]=,]+)";
const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;
const BARESTR = /^[^()"'\s=,]+$/;

const RULE_APPENDABLE = ["condition", "output", "desc", "tags", "exceptions"] as const;
const RULE_REPLACEABLE = [
  "condition",
  "output",
  "desc",
  "priority",
  "capture",
  "capture_duration",
  "tags",
  "exceptions",
  "enabled",
  "warn_evttypes",
  "skip-if-unknown-filter",
] as const;
const RULE_KEYS = new Set([
  "rule",
  "condition",
  "output",
  "desc",
  "priority",
  "source",
  "enabled",
  "capture",
  "capture_duration",
  "warn_evttypes",
  "skip-if-unknown-filter",
  "tags",
  "exceptions",
  "override",
  "append",
]);
const LIST_KEYS = new Set(["list", "items", "append", "override"]);
const MACRO_KEYS = new Set(["macro", "condition", "append", "override"]);

/** An error that ends the reading of the current item (Falco's rule_load_exception). */
class ItemError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly ctx: readonly ContextFrame[],
  ) {
    super(message);
  }
}

type Value = YamlNode | null;

/** Read one rules file. `name` is how the file is named in diagnostics (as the user gave it). */
export function readRules(name: string, text: string): ReadResult {
  return new Reader(new SourceFile(name, text)).read();
}

class Reader {
  private readonly steps: ReadStep[] = [];
  private doc: Document | undefined;
  private readonly root: readonly ContextFrame[];

  constructor(private readonly file: SourceFile) {
    this.root = [{ itemType: ItemType.RULES_CONTENT, itemName: "", location: file.location(0) }];
  }

  read(): ReadResult {
    const docs = parseAllDocuments(this.file.text, {
      schema: "failsafe",
      uniqueKeys: false,
      prettyErrors: false,
      strict: false,
    });
    const list = Array.isArray(docs) ? docs : [];
    // yaml-cpp parses every document before Falco looks at any: a syntax error anywhere fails the file.
    for (const doc of list) {
      const syntax = doc.errors[0];
      const err =
        syntax !== undefined ? translateYamlError(this.file.text, syntax) : this.firstUnresolvedAlias(doc);
      if (err !== undefined) {
        const loc = this.file.location(err.offset);
        this.error("LOAD_ERR_YAML_PARSE", formatYamlCppMessage(loc.line, loc.column, err.message), [
          ...this.root,
          { itemType: ItemType.VALUE_FOR, itemName: "", location: loc },
        ]);
        return { file: this.file, steps: this.steps };
      }
    }
    for (const doc of list) {
      this.doc = doc;
      const contents = doc.contents;
      if (isNullNode(contents)) continue;
      if (!isMap(contents) && !isSeq(contents)) {
        this.error("LOAD_ERR_YAML_VALIDATE", "Rules content is not yaml", this.root);
        continue;
      }
      if (!isSeq(contents)) {
        this.error("LOAD_ERR_YAML_VALIDATE", "Rules content is not yaml array of objects", this.root);
        continue;
      }
      for (const raw of contents.items) {
        const item = this.deref(raw as Value);
        if (isNullNode(item)) continue;
        this.readItemSafely(item as YamlNode);
      }
    }
    return { file: this.file, steps: this.steps };
  }

  private firstUnresolvedAlias(doc: Document) {
    let found: ReturnType<typeof unknownAnchorError> | undefined;
    visit(doc, {
      Alias: (_key, node: Alias) => {
        if (node.resolve(doc) === undefined) {
          found = unknownAnchorError(node.range?.[0] ?? 0, node.source);
          return visit.BREAK;
        }
        return undefined;
      },
    });
    return found;
  }

  private readItemSafely(item: YamlNode): void {
    try {
      this.readItem(item);
    } catch (e) {
      if (!(e instanceof ItemError)) throw e;
      const failed = this.failedName(item);
      if (failed !== undefined) this.steps.push({ kind: "failed", ...failed });
      this.error(e.code, e.message, e.ctx);
    }
  }

  /** The kind and name of an item that failed, when they can be told, for cascade suppression. */
  private failedName(item: YamlNode): { itemKind: "list" | "macro" | "rule"; name: string } | undefined {
    if (!isMap(item)) return undefined;
    for (const kind of ["list", "macro", "rule"] as const) {
      const v = this.deref((lookup(item, kind)?.value ?? null) as Value);
      if (isScalar(v) && !isNullNode(v)) return { itemKind: kind, name: String(v.value) };
      if (lookup(item, kind) !== undefined) return undefined;
    }
    return undefined;
  }

  // ---- context and diagnostics ---------------------------------------------------------------------

  private frame(
    itemType: string,
    itemName: string,
    node: Value | { range?: readonly number[] | null },
  ): ContextFrame {
    const offset = node?.range?.[0] ?? 0;
    return { itemType, itemName, location: this.file.location(offset) };
  }

  private child(
    parent: readonly ContextFrame[],
    itemType: string,
    itemName: string,
    node: Value | { range?: readonly number[] | null },
  ): ContextFrame[] {
    return [...parent, this.frame(itemType, itemName, node)];
  }

  private error(code: ErrorCode, message: string, ctx: readonly ContextFrame[]): void {
    this.diagnostic(code, "error", message, ctx);
  }

  private warn(code: WarningCode, message: string, ctx: readonly ContextFrame[]): void {
    this.diagnostic(code, "warning", message, ctx);
  }

  private diagnostic(
    code: DiagnosticCode,
    severity: "error" | "warning",
    message: string,
    ctx: readonly ContextFrame[],
  ): void {
    this.steps.push({ kind: "diagnostic", diagnostic: { code, severity, message, context: ctx } });
  }

  private emit(item: RulesItem): void {
    this.steps.push({ kind: "item", item });
  }

  // ---- node helpers --------------------------------------------------------------------------------

  private deref(node: Value | undefined): Value {
    if (node === undefined || node === null) return null;
    if (isAlias(node)) return (node.resolve(this.doc!) as YamlNode | undefined) ?? null;
    return node;
  }

  private value(item: YAMLMap, key: string): { found: boolean; node: Value; keyNode: Value } {
    const pair = lookup(item, key);
    if (pair === undefined) return { found: false, node: null, keyNode: null };
    return { found: true, node: this.deref(pair.value as Value), keyNode: pair.key as Value };
  }

  private defined(item: YAMLMap, key: string): boolean {
    return lookup(item, key) !== undefined;
  }

  /**
   * Falco's decode_val: a scalar under `key`, checked in Falco's order. Returns undefined when the key
   * is absent and optional, or null/empty and allowed to be.
   */
  private scalar(
    item: YAMLMap,
    key: string,
    ctx: readonly ContextFrame[],
    opts: { optional?: boolean; canBeEmpty?: boolean } = {},
  ): { value: string; node: Scalar; ctx: ContextFrame[] } | undefined {
    const { found, node } = this.value(item, key);
    if (!found && opts.optional === true) return undefined;
    if (!found) throw new ItemError("LOAD_ERR_YAML_VALIDATE", `Item has no mapping for key '${key}'`, ctx);
    if (isNullNode(node) && opts.canBeEmpty === true) return undefined;
    if (isNullNode(node))
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", `Mapping for key '${key}' is empty`, ctx);
    const valctx = this.child(ctx, ItemType.VALUE_FOR, key, node);
    if (!isScalar(node)) throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Value is not a scalar value", valctx);
    const value = String(node.value);
    if (value === "" && opts.canBeEmpty === true) return undefined;
    if (value === "") throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Value must be non-empty", valctx);
    return { value, node, ctx: valctx };
  }

  private string(
    item: YAMLMap,
    key: string,
    ctx: readonly ContextFrame[],
    optional = false,
  ): string | undefined {
    return this.scalar(item, key, ctx, { optional })?.value;
  }

  private bool(
    item: YAMLMap,
    key: string,
    ctx: readonly ContextFrame[],
    optional = false,
  ): boolean | undefined {
    const s = this.scalar(item, key, ctx, { optional });
    if (s === undefined) return undefined;
    const b = decodeBool(s.value);
    if (b === undefined)
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Can't decode YAML scalar value", s.ctx);
    return b;
  }

  private uint(
    item: YAMLMap,
    key: string,
    ctx: readonly ContextFrame[],
    max: number,
    optional = false,
  ): number | undefined {
    const s = this.scalar(item, key, ctx, { optional });
    if (s === undefined) return undefined;
    const n = decodeUnsigned(s.value, max);
    if (n === undefined)
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Can't decode YAML scalar value", s.ctx);
    return n;
  }

  /** A condition or output: the scalar's value with its map back into the file. */
  private text(
    item: YAMLMap,
    key: string,
    ctx: readonly ContextFrame[],
    frameType: string,
    trim = false,
  ): { text: MappedText; frames: ContextFrame[] } {
    const s = this.scalar(item, key, ctx)!;
    const frames = this.child(ctx, frameType, "", s.node);
    const source = scalarSource(this.file, s.node, frames);
    if (!trim) return { text: MappedText.of(s.value, source), frames };
    const lead = s.value.length - s.value.replace(/^[ \t\r\n]+/, "").length;
    const trimmed = s.value.trim();
    return { text: MappedText.of(trimmed, source, lead), frames };
  }

  /** Falco's decode_seq: a sequence of scalars under `key`. */
  private sequence(
    item: YAMLMap,
    key: string,
    ctx: readonly ContextFrame[],
    optional: boolean,
  ): SourcedString[] | undefined {
    const { found, node } = this.value(item, key);
    if (!found && optional) return undefined;
    if (!found) throw new ItemError("LOAD_ERR_YAML_VALIDATE", `Item has no mapping for key '${key}'`, ctx);
    const valctx = this.child(ctx, ItemType.VALUE_FOR, key, node);
    if (!isSeq(node)) throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Value is not a sequence", valctx);
    const out: SourcedString[] = [];
    for (const raw of node.items) {
      const v = this.deref(raw as Value);
      const ictx = this.child(valctx, ItemType.LIST_ITEM, "", v ?? (raw as Value));
      if (!isScalar(v)) throw new ItemError("LOAD_ERR_YAML_VALIDATE", "sequence value is not scalar", ictx);
      out.push({ value: String(v.value), source: scalarSource(this.file, v, ictx) });
    }
    return out;
  }

  private tags(item: YAMLMap, ctx: readonly ContextFrame[]): string[] | undefined {
    const seq = this.sequence(item, "tags", ctx, true);
    return seq === undefined ? undefined : sortedUnique(seq.map((s) => s.value));
  }

  private warnUnknownKeys(item: YAMLMap, expected: ReadonlySet<string>, ctx: readonly ContextFrame[]): void {
    for (const pair of item.items) {
      const key = keyString(pair.key);
      if (key !== undefined && !expected.has(key)) {
        this.warn("LOAD_UNKNOWN_KEY", `Unknown key '${key}'. The key will be ignored.`, ctx);
      }
    }
  }

  // ---- items ---------------------------------------------------------------------------------------

  private readItem(item: YamlNode): void {
    const tmp = this.child(this.root, ItemType.RULES_CONTENT_ITEM, "", item);
    if (!isMap(item)) {
      throw new ItemError(
        "LOAD_ERR_YAML_VALIDATE",
        "Unexpected element type. Each element should be a yaml associative array.",
        tmp,
      );
    }
    if (this.defined(item, "required_engine_version")) this.readEngineVersion(item);
    else if (this.defined(item, "required_plugin_versions")) this.readPluginVersions(item);
    else if (this.defined(item, "list")) this.readList(item);
    else if (this.defined(item, "macro")) this.readMacro(item);
    else if (this.defined(item, "rule")) this.readRule(item);
    else this.warn("LOAD_UNKNOWN_ITEM", "Unknown top level item", tmp);
  }

  private readEngineVersion(item: YAMLMap): void {
    const ctx = this.child(this.root, ItemType.REQUIRED_ENGINE_VERSION, "", item);
    const s = this.scalar(item, "required_engine_version", ctx)!;
    let version: SemVer | undefined;
    const legacy = decodeUnsigned(s.value, 0xffffffff);
    if (legacy !== undefined) version = { major: 0, minor: legacy, patch: 0 };
    else version = parseSemVer(s.value);
    if (version === undefined) {
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Can't decode YAML scalar value", s.ctx);
    }
    this.emit({ kind: "engine_version", ctx, version, text: s.value });
    this.warnUnknownKeys(item, new Set(["required_engine_version"]), ctx);
  }

  private readPluginVersions(item: YAMLMap): void {
    const { node } = this.value(item, "required_plugin_versions");
    const ctx = this.child(this.root, ItemType.REQUIRED_PLUGIN_VERSIONS, "", node);
    if (!isSeq(node)) {
      throw new ItemError(
        "LOAD_ERR_YAML_VALIDATE",
        "Value of required_plugin_versions must be a sequence",
        ctx,
      );
    }
    for (const raw of node.items) {
      const plugin = this.deref(raw as Value);
      const tmp = this.child(ctx, ItemType.REQUIRED_PLUGIN_VERSIONS_ENTRY, "", plugin);
      if (!isMap(plugin))
        throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Plugin version must be a mapping", tmp);
      const name = this.string(plugin, "name", tmp)!;
      const pctx = this.child(ctx, ItemType.REQUIRED_PLUGIN_VERSIONS_ENTRY, name, plugin);
      const alternatives: PluginRequirement[] = [{ name, version: this.string(plugin, "version", pctx)! }];
      const alts = this.value(plugin, "alternatives");
      if (alts.found) {
        if (!isSeq(alts.node)) {
          throw new ItemError(
            "LOAD_ERR_YAML_VALIDATE",
            "Value of plugin version alternatives must be a sequence",
            pctx,
          );
        }
        for (const rawAlt of alts.node.items) {
          const alt = this.deref(rawAlt as Value);
          const atmp = this.child(pctx, ItemType.REQUIRED_PLUGIN_VERSIONS_ALTERNATIVE, "", alt);
          if (!isMap(alt)) {
            throw new ItemError(
              "LOAD_ERR_YAML_VALIDATE",
              "Plugin version alternative must be a mapping",
              atmp,
            );
          }
          const altName = this.string(alt, "name", atmp)!;
          const actx = this.child(pctx, ItemType.REQUIRED_PLUGIN_VERSIONS_ALTERNATIVE, altName, alt);
          alternatives.push({ name: altName, version: this.string(alt, "version", actx)! });
        }
      }
      this.emit({ kind: "plugin_versions", ctx: pctx, alternatives });
    }
    const rctx = this.child(this.root, ItemType.REQUIRED_PLUGIN_VERSIONS, "", item);
    this.warnUnknownKeys(item, new Set(["required_plugin_versions"]), rctx);
  }

  /** Falco's decode_overrides: which keys the `override:` mapping appends to and which it replaces. */
  private overrides(
    item: YAMLMap,
    ctx: readonly ContextFrame[],
    appendable: readonly string[],
    replaceable: readonly string[],
  ): { append: Set<string>; replace: Set<string> } {
    const append = new Set<string>();
    const replace = new Set<string>();
    const { found, node } = this.value(item, "override");
    if (!found) return { append, replace };
    const overridectx = this.child(ctx, ItemType.OVERRIDE, "", item);
    if (isNullNode(node)) return { append, replace };
    if (!isMap(node)) {
      throw new ItemError(
        "LOAD_ERR_YAML_VALIDATE",
        "Value is not a mapping",
        this.child(overridectx, ItemType.VALUE_FOR, "override", node),
      );
    }
    for (const pair of node.items) {
      const key = keyString(pair.key) ?? "";
      const opNode = this.deref(pair.value as Value);
      const keyctx = this.child(overridectx, ItemType.OVERRIDE, key, pair.key as Value);
      const opctx = this.child(overridectx, ItemType.VALUE_FOR, key, opNode);
      if (!isScalar(opNode))
        throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Value is not a scalar value", opctx);
      const op = String(opNode.value);
      const canAppend = appendable.includes(key);
      const canReplace = replaceable.includes(key);
      if (op === "append") {
        if (!canAppend) {
          throw new ItemError(
            "LOAD_ERR_YAML_VALIDATE",
            `Key '${key}' cannot be appended to, use 'replace' instead`,
            keyctx,
          );
        }
        append.add(key);
      } else if (op === "replace") {
        if (!canReplace)
          throw new ItemError("LOAD_ERR_YAML_VALIDATE", `Key '${key}' cannot be replaced`, keyctx);
        replace.add(key);
      } else {
        const allowed = (canAppend ? "append " : "") + (canReplace ? "replace " : "");
        throw new ItemError(
          "LOAD_ERR_YAML_VALIDATE",
          `Invalid override operation for key '${key}': '${op}'. Allowed values are: ${allowed}`,
          opctx,
        );
      }
    }
    return { append, replace };
  }

  private readList(item: YAMLMap): void {
    const tmp = this.child(this.root, ItemType.LIST, "", item);
    const name = this.string(item, "list", tmp)!;
    const ctx = this.child(this.root, ItemType.LIST, name, item);
    if (!BARESTR.test(name)) {
      this.warn(
        "LOAD_INVALID_LIST_NAME",
        `List has an invalid name. List names should match a regular expression: ${RGX_BARESTR}`,
        ctx,
      );
    }
    const items = this.sequence(item, "items", ctx, false)!;
    const legacyAppend = this.bool(item, "append", ctx, true) ?? false;
    if (legacyAppend) this.warn("LOAD_DEPRECATED_ITEM", MESSAGES.WARNING_APPEND, ctx);
    const ov = this.overrides(item, ctx, ["items"], ["items"]);
    const hasOverrides = ov.append.size > 0 || ov.replace.size > 0;
    if (legacyAppend && hasOverrides)
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", MESSAGES.ERROR_OVERRIDE_APPEND, ctx);
    const append = legacyAppend ? "append" : ov.append.has("items") ? "override" : undefined;
    this.emit({ kind: "list", name, ctx, items, append });
    this.warnUnknownKeys(item, LIST_KEYS, ctx);
  }

  private readMacro(item: YAMLMap): void {
    const tmp = this.child(this.root, ItemType.MACRO, "", item);
    const name = this.string(item, "macro", tmp)!;
    const ctx = this.child(this.root, ItemType.MACRO, name, item);
    if (!IDENTIFIER.test(name)) {
      this.warn(
        "LOAD_INVALID_MACRO_NAME",
        `Macro has an invalid name. Macro names should match a regular expression: ${RGX_IDENTIFIER}`,
        ctx,
      );
    }
    const condition = this.text(item, "condition", ctx, ItemType.MACRO_CONDITION).text;
    const legacyAppend = this.bool(item, "append", ctx, true) ?? false;
    if (legacyAppend) this.warn("LOAD_DEPRECATED_ITEM", MESSAGES.WARNING_APPEND, ctx);
    const ov = this.overrides(item, ctx, ["condition"], ["condition"]);
    const hasOverrides = ov.append.size > 0 || ov.replace.size > 0;
    if (legacyAppend && hasOverrides)
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", MESSAGES.ERROR_OVERRIDE_APPEND, ctx);
    const append = legacyAppend ? "append" : ov.append.has("condition") ? "override" : undefined;
    this.emit({ kind: "macro", name, ctx, condition, append });
    this.warnUnknownKeys(item, MACRO_KEYS, ctx);
  }

  private priority(item: YAMLMap, ctx: readonly ContextFrame[]): Priority {
    const text = this.string(item, "priority", ctx)!;
    const parsed = parsePriority(text);
    if (parsed === undefined) {
      const prictx = this.child(ctx, ItemType.RULE_PRIORITY, "", this.value(item, "priority").node);
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Invalid priority", prictx);
    }
    return parsed;
  }

  private readRule(item: YAMLMap): void {
    const tmp = this.child(this.root, ItemType.RULE, "", item);
    const name = this.string(item, "rule", tmp)!;
    const ctx = this.child(this.root, ItemType.RULE, name, item);
    const source = this.scalar(item, "source", ctx, { optional: true, canBeEmpty: true })?.value ?? "";
    const legacyAppend = this.bool(item, "append", ctx, true) ?? false;
    if (legacyAppend) this.warn("LOAD_DEPRECATED_ITEM", MESSAGES.WARNING_APPEND, ctx);
    const ov = this.overrides(item, ctx, RULE_APPENDABLE, RULE_REPLACEABLE);
    const hasOverrides = ov.append.size > 0 || ov.replace.size > 0;
    if (legacyAppend && hasOverrides)
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", MESSAGES.ERROR_OVERRIDE_APPEND, ctx);

    if (hasOverrides) {
      this.readRuleOverrides(item, name, source, ctx, ov);
    } else if (legacyAppend) {
      const update: Mutable<RuleUpdate> = { name, ctx, source };
      if (this.defined(item, "condition")) {
        update.condition = this.text(item, "condition", ctx, ItemType.RULE_CONDITION).text;
      }
      if (this.defined(item, "exceptions")) update.exceptions = this.exceptions(item, ctx, true);
      this.emit({ kind: "rule_append", update, via: "append" });
    } else if (!["condition", "output", "desc", "priority"].some((k) => this.defined(item, k))) {
      // Only `enabled`: Falco's legacy way of enabling or disabling a rule defined earlier.
      const enabled = this.bool(item, "enabled", ctx)!;
      this.warn("LOAD_DEPRECATED_ITEM", MESSAGES.WARNING_ENABLED, ctx);
      this.emit({ kind: "rule_enable", name, ctx, enabled });
    } else {
      const condition = this.text(item, "condition", ctx, ItemType.RULE_CONDITION).text;
      const output = this.text(item, "output", ctx, ItemType.RULE_OUTPUT, true).text;
      const desc = this.string(item, "desc", ctx)!;
      const priority = this.priority(item, ctx);
      this.emit({
        kind: "rule",
        rule: {
          name,
          ctx,
          condition,
          output,
          desc,
          priority,
          source: this.string(item, "source", ctx, true) ?? "syscall",
          enabled: this.bool(item, "enabled", ctx, true) ?? true,
          capture: this.bool(item, "capture", ctx, true) ?? false,
          captureDuration: this.uint(item, "capture_duration", ctx, Number.MAX_SAFE_INTEGER, true) ?? 0,
          warnEvttypes: this.bool(item, "warn_evttypes", ctx, true) ?? true,
          skipIfUnknownFilter: this.bool(item, "skip-if-unknown-filter", ctx, true) ?? false,
          tags: this.tags(item, ctx) ?? [],
          exceptions: this.exceptions(item, ctx, false),
        },
      });
    }
    this.warnUnknownKeys(item, RULE_KEYS, ctx);
  }

  private readRuleOverrides(
    item: YAMLMap,
    name: string,
    source: string,
    ctx: readonly ContextFrame[],
    ov: { append: Set<string>; replace: Set<string> },
  ): void {
    // Keys that may be overridden and are present; each must be claimed by an override entry.
    const expected = new Set<string>();
    for (const k of [...RULE_APPENDABLE, ...RULE_REPLACEABLE]) if (this.defined(item, k)) expected.add(k);
    const claim = (set: Set<string>, op: string, key: string): boolean => {
      if (!set.has(key)) return false;
      if (!expected.has(key)) {
        throw new ItemError(
          "LOAD_ERR_YAML_VALIDATE",
          `An ${op} override for '${key}' was specified but '${key}' is not defined`,
          ctx,
        );
      }
      expected.delete(key);
      return true;
    };
    if (ov.append.size > 0) {
      const u: Mutable<RuleUpdate> = { name, ctx, source };
      if (claim(ov.append, "append", "condition")) {
        u.condition = this.text(item, "condition", ctx, ItemType.RULE_CONDITION).text;
      }
      if (claim(ov.append, "append", "exceptions")) u.exceptions = this.exceptions(item, ctx, true);
      if (claim(ov.append, "append", "output"))
        u.output = this.text(item, "output", ctx, ItemType.RULE_OUTPUT).text;
      if (claim(ov.append, "append", "desc")) u.desc = this.string(item, "desc", ctx);
      if (claim(ov.append, "append", "tags")) u.tags = this.tags(item, ctx);
      this.emit({ kind: "rule_append", update: u, via: "override" });
    }
    if (ov.replace.size > 0) {
      const u: Mutable<RuleUpdate> = { name, ctx, source };
      if (claim(ov.replace, "replace", "condition")) {
        u.condition = this.text(item, "condition", ctx, ItemType.RULE_CONDITION).text;
      }
      if (claim(ov.replace, "replace", "exceptions")) u.exceptions = this.exceptions(item, ctx, false);
      if (claim(ov.replace, "replace", "output")) {
        u.output = this.text(item, "output", ctx, ItemType.RULE_OUTPUT, true).text;
      }
      if (claim(ov.replace, "replace", "desc")) u.desc = this.string(item, "desc", ctx);
      if (claim(ov.replace, "replace", "tags")) u.tags = this.tags(item, ctx);
      if (claim(ov.replace, "replace", "priority")) u.priority = this.priority(item, ctx);
      if (claim(ov.replace, "replace", "capture")) u.capture = this.bool(item, "capture", ctx);
      if (claim(ov.replace, "replace", "capture_duration")) {
        u.captureDuration = this.uint(item, "capture_duration", ctx, Number.MAX_SAFE_INTEGER);
      }
      if (claim(ov.replace, "replace", "enabled")) u.enabled = this.bool(item, "enabled", ctx);
      if (claim(ov.replace, "replace", "warn_evttypes"))
        u.warnEvttypes = this.bool(item, "warn_evttypes", ctx);
      if (claim(ov.replace, "replace", "skip-if-unknown-filter")) {
        u.skipIfUnknownFilter = this.bool(item, "skip-if-unknown-filter", ctx);
      }
      this.emit({ kind: "rule_replace", update: u });
    }
    for (const key of expected) {
      const keyctx = this.child(ctx, ItemType.OVERRIDE, key, this.value(item, key).node);
      throw new ItemError(
        "LOAD_ERR_YAML_VALIDATE",
        `Unexpected key '${key}': no corresponding entry under 'override' is defined.`,
        keyctx,
      );
    }
  }

  // ---- exceptions ----------------------------------------------------------------------------------

  private exceptions(item: YAMLMap, parent: readonly ContextFrame[], append: boolean): ExceptionInfo[] {
    const { found, node } = this.value(item, "exceptions");
    const out: ExceptionInfo[] = [];
    if (!found || isNullNode(node)) return out;
    const exesCtx = this.child(parent, ItemType.EXCEPTIONS, "", node);
    if (!isSeq(node))
      throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Rule exceptions must be a sequence", exesCtx);
    for (const raw of node.items) {
      const ex = this.deref(raw as Value);
      const tmp = this.child(exesCtx, ItemType.EXCEPTION, "", ex ?? (raw as Value));
      if (!isMap(ex)) throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Rule exception must be a mapping", tmp);
      const name = this.string(ex, "name", tmp)!;
      const exCtx = this.child(parent, ItemType.EXCEPTION, name, ex);
      if (out.some((e) => e.name === name)) {
        this.warn(
          "LOAD_EXCEPTION_NAME_NOT_UNIQUE",
          `Multiple definitions of exception '${name}' in the same rule`,
          exCtx,
        );
      }
      const fields = this.exceptionEntry(ex, "fields", exCtx, append);
      const comps = this.exceptionEntry(ex, "comps", exCtx, true);
      const values: ExceptionEntry[] = [];
      const vals = this.value(ex, "values");
      if (vals.found) {
        const valsCtx = this.child(exCtx, ItemType.EXCEPTION_VALUES, "", vals.node);
        if (!isSeq(vals.node)) {
          throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Rule exception values must be a sequence", valsCtx);
        }
        for (const rawVal of vals.node.items) {
          const v = this.deref(rawVal as Value);
          const vctx = this.child(valsCtx, ItemType.EXCEPTION_VALUE, "", v ?? (rawVal as Value));
          values.push(this.entry(v, undefined, vctx, exCtx, ItemType.EXCEPTION_VALUE));
        }
      } else if (append) {
        this.warn("LOAD_APPEND_NO_VALUES", "Overriding/appending exception with no values", exCtx);
      }
      out.push({ name, ctx: exCtx, fields, comps, values });
    }
    return out;
  }

  private exceptionEntry(
    ex: YAMLMap,
    key: string,
    ctx: readonly ContextFrame[],
    optional: boolean,
  ): ExceptionEntry | undefined {
    const { found, node } = this.value(ex, key);
    if (!found && optional) return undefined;
    if (!found) throw new ItemError("LOAD_ERR_YAML_VALIDATE", `Item has no mapping for key '${key}'`, ctx);
    return this.entry(node, key, ctx, ctx, ItemType.VALUE_FOR);
  }

  /**
   * Falco's decode_exception_info_entry: a non-empty scalar, or a sequence of entries. Errors carry
   * Falco's context chain; the text of each scalar is mapped under `srcBase` plus one frame for the
   * piece (`srcType`), which is how a condition error inside an exception is reported.
   */
  private entry(
    node: Value,
    key: string | undefined,
    ctx: readonly ContextFrame[],
    srcBase: readonly ContextFrame[],
    srcType: string,
  ): ExceptionEntry {
    const valctx = this.child(ctx, ItemType.VALUE_FOR, key ?? "", node);
    if (isScalar(node) && !isNullNode(node)) {
      const value = String(node.value);
      if (value === "") throw new ItemError("LOAD_ERR_YAML_VALIDATE", "Value must be non-empty", valctx);
      const frames = this.child(srcBase, srcType, srcType === ItemType.VALUE_FOR ? (key ?? "") : "", node);
      return { isList: false, item: value, source: scalarSource(this.file, node, frames) };
    }
    if (isSeq(node)) {
      const items: ExceptionEntry[] = [];
      for (const raw of node.items) {
        const v = this.deref(raw as Value);
        const lctx = this.child(valctx, ItemType.EXCEPTION, "", v ?? (raw as Value));
        items.push(this.entry(v, undefined, lctx, srcBase, srcType));
      }
      return { isList: true, items };
    }
    // Null or a mapping: Falco leaves the entry empty, which later checks reject with their own message.
    return { isList: false, item: "", source: undefined };
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function lookup(map: YAMLMap, key: string) {
  // yaml-cpp's node[key] finds the first pair with that key; duplicates are not an error there.
  return map.items.find((p) => keyString(p.key) === key);
}

function keyString(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

/** yaml-cpp's IsNull: a missing node, or a plain scalar `~`, `null`, `Null`, `NULL` or empty. */
export function isNullNode(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  if (!isScalar(node)) return false;
  if (node.type !== Scalar.PLAIN) return false;
  const v = String(node.value);
  return v === "" || v === "~" || v === "null" || v === "Null" || v === "NULL";
}

/** yaml-cpp's convert<bool>: y/yes/true/on and n/no/false/off, lower, upper or capitalised. */
export function decodeBool(text: string): boolean | undefined {
  const flexible = text === text.toLowerCase() || /^[A-Z]([a-z]*|[A-Z]*)$/.test(text);
  if (!flexible) return undefined;
  const lower = text.toLowerCase();
  if (["y", "yes", "true", "on"].includes(lower)) return true;
  if (["n", "no", "false", "off"].includes(lower)) return false;
  return undefined;
}

/** yaml-cpp's unsigned conversion: decimal, 0x hex, leading-0 or 0o octal, trailing blanks allowed. */
export function decodeUnsigned(text: string, max: number): number | undefined {
  const m = /^\+?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)[ \t\n\r]*$/.exec(text);
  if (m === null) return undefined;
  const digits = m[1];
  let n: number;
  if (/^0[xX]/.test(digits)) n = parseInt(digits.slice(2), 16);
  else if (/^0[oO]/.test(digits)) n = parseInt(digits.slice(2), 8);
  else if (digits.length > 1 && digits.startsWith("0")) n = parseInt(digits.slice(1), 8);
  else n = parseInt(digits, 10);
  return Number.isFinite(n) && n <= max ? n : undefined;
}

export function parseSemVer(text: string): SemVer | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (m === null) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
