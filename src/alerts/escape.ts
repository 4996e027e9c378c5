// Making text from events and input files safe to print. Event content is attacker-controlled: a newline
// in a file name could forge a second alert line, a terminal escape could rewrite the screen.

const CONTROLS = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS_G = new RegExp(CONTROLS.source, "g");

/**
 * An alert line made safe to print: event content can hold newlines (a forged second alert line) and
 * terminal escapes, which become \uXXXX; tabs and everything printable are left alone, so ordinary alerts
 * print exactly as Falco prints them. JSON alerts are escaped already and pass through unchanged.
 */
export function escapeControls(line: string): string {
  if (!CONTROLS.test(line)) return line;
  return line.replace(CONTROLS_G, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

/**
 * Text that came from input (event content in parser messages, file names) made safe for a terminal:
 * control characters (C0, DEL, C1) and lone surrogates become \uXXXX, and backslashes are doubled so the
 * escapes stay unambiguous.
 */
export function escapeText(text: string): string {
  return text.replace(
    /[\\\u0000-\u001f\u007f-\u009f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => (c === "\\" ? "\\\\" : "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")),
  );
}
