// Stable codes for what can go wrong inside an output channel. Channels log a line carrying the code
// (once per failure streak, not per alert) and keep the last one in `lastError`; tests assert on codes.
export const OUTPUT_ERRORS = {
  /** file_output: the file could not be opened or written. */
  SAKER_OUTPUT_FILE: "failed to open output file",
  /** program_output: the program could not start, exited non-zero or closed its input. */
  SAKER_OUTPUT_PROGRAM: "program output failed",
  /** syslog_output: the syslog socket, logger or remote host could not take the message. */
  SAKER_OUTPUT_SYSLOG: "syslog output failed",
  /** http_output: the URL is not an http(s) URL. */
  SAKER_OUTPUT_HTTP_URL: "invalid http_output.url",
  /** http_output: a certificate or key file could not be read. */
  SAKER_OUTPUT_HTTP_TLS_FILE: "cannot read a TLS file of http_output",
  /** http_output: the request failed (connection refused, TLS handshake refused, reset, timeout). */
  SAKER_OUTPUT_HTTP_REQUEST: "http output request failed",
  /** http_output: the server answered with an error status. */
  SAKER_OUTPUT_HTTP_STATUS: "http output rejected by the server",
} as const;

export type OutputErrorCode = keyof typeof OUTPUT_ERRORS;

export interface OutputError {
  readonly code: OutputErrorCode;
  readonly message: string;
}
