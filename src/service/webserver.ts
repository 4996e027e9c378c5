// The agent's webserver, as Falco's (`webserver` in falco.yaml): GET on
//   <k8s_healthz_endpoint> (default /healthz)  {"status": "ok"}, the body Falco sends
//   /versions                                  Falco's versions JSON (see versions.ts)
//   /metrics                                   Prometheus text, when metrics.enabled and
//                                              webserver.prometheus_metrics_enabled (else 404, as Falco
//                                              registers no such route)
// over HTTPS when ssl_enabled, with the private key and the certificate both read from the one PEM file
// ssl_certificate (Falco passes that file as both). Anything else is a bare 404.
//
// Start-up problems are values with stable codes (SAKER_WEBSERVER_*), never a throw: the port taken, an
// address that cannot be bound, a PEM file missing or without a usable key and certificate, a bad path.
// A failure while serving (the metrics could not be read) is a 500 and one log line, never a crash. Close
// ends open connections too, so stopping never waits on an idle keep-alive client.
//
// Allocates per request: fastify's request and reply objects; /metrics renders its text per scrape; the
// healthz and versions bodies are built once.
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { createSecureContext } from "node:tls";
import Fastify, { type FastifyInstance } from "fastify";
import { escapeText } from "../alerts/escape.js";
import type { WebserverConfig } from "../config/types.js";
import type { SakerMetrics } from "./metrics.js";
import { versionsJson, type VersionsInfo } from "./versions.js";

export const WEBSERVER_ERRORS = {
  SAKER_WEBSERVER_PORT_IN_USE: "the webserver's address and port are already in use",
  SAKER_WEBSERVER_LISTEN: "the webserver cannot listen on its address",
  SAKER_WEBSERVER_SSL_CERT_UNREADABLE: "webserver.ssl_certificate cannot be read",
  SAKER_WEBSERVER_SSL_CERT_INVALID:
    "webserver.ssl_certificate must be one PEM file holding a private key and its certificate",
  SAKER_WEBSERVER_BAD_CONFIG: "invalid webserver settings",
} as const;

export type WebserverErrorCode = keyof typeof WEBSERVER_ERRORS;

export interface WebserverError {
  readonly code: WebserverErrorCode;
  readonly message: string;
}

/** Falco's healthz body, byte for byte. */
export const HEALTHZ_BODY = '{"status": "ok"}';

export interface WebserverDeps {
  /** Null when metrics.enabled is off: /metrics is then a 404 whatever prometheus_metrics_enabled says. */
  readonly metrics: SakerMetrics | null;
  readonly versions: VersionsInfo;
  /** Falco's log (syslog level, message). */
  readonly log: (level: number, message: string) => void;
}

export interface Webserver {
  /** Bound address (the real port when listen_port is 0). */
  readonly host: string;
  readonly port: number;
  /** http(s)://host:port */
  readonly url: string;
  close(): Promise<void>;
}

export type StartWebserverResult =
  { readonly ok: true; readonly server: Webserver } | { readonly ok: false; readonly error: WebserverError };

const LOG_ERR = 3;

export async function startWebserver(
  config: WebserverConfig,
  deps: WebserverDeps,
): Promise<StartWebserverResult> {
  const healthz = config.k8sHealthzEndpoint;
  if (!healthz.startsWith("/") || healthz === "/versions" || healthz === "/metrics") {
    return fail(
      "SAKER_WEBSERVER_BAD_CONFIG",
      `k8s_healthz_endpoint ${quote(healthz)} must be a path of its own`,
    );
  }
  if (!Number.isInteger(config.listenPort) || config.listenPort < 0 || config.listenPort > 65535) {
    return fail("SAKER_WEBSERVER_BAD_CONFIG", `listen_port ${config.listenPort} is not a port number`);
  }

  let https: { key: Buffer; cert: Buffer } | null = null;
  if (config.sslEnabled) {
    const tls = await readPem(config.sslCertificate);
    if (!tls.ok) return tls;
    https = { key: tls.pem, cert: tls.pem };
  }

  let app: FastifyInstance;
  try {
    app = Fastify({
      logger: false,
      forceCloseConnections: true,
      ...(https !== null ? { https } : {}),
    }) as unknown as FastifyInstance;
  } catch (e) {
    return fail("SAKER_WEBSERVER_SSL_CERT_INVALID", `${quote(config.sslCertificate)}: ${message(e)}`);
  }
  route(app, healthz, deps, config.prometheusMetricsEnabled);

  try {
    await app.listen({ host: config.listenAddress, port: config.listenPort });
  } catch (e) {
    await app.close().catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    const where = `${config.listenAddress}:${config.listenPort}`;
    if (code === "EADDRINUSE") return fail("SAKER_WEBSERVER_PORT_IN_USE", where);
    return fail("SAKER_WEBSERVER_LISTEN", `${where}: ${message(e)}`);
  }
  const addr = app.server.address() as AddressInfo;
  const urlHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | null = null;
  return {
    ok: true,
    server: {
      host: addr.address,
      port: addr.port,
      url: `${https !== null ? "https" : "http"}://${urlHost}:${addr.port}`,
      close: () => (closing ??= app.close()),
    },
  };
}

function route(app: FastifyInstance, healthz: string, deps: WebserverDeps, prometheus: boolean): void {
  const versions = versionsJson(deps.versions);
  app.get(healthz, async (_req, reply) => reply.type("application/json").send(HEALTHZ_BODY));
  app.get("/versions", async (_req, reply) => reply.type("application/json").send(versions));
  const metrics = deps.metrics;
  if (prometheus && metrics !== null) {
    app.get("/metrics", async (_req, reply) => {
      const text = await metrics.render();
      return reply.type(metrics.contentType).send(text);
    });
  }
  app.setNotFoundHandler(async (_req, reply) => reply.code(404).type("text/plain").send("Not Found"));
  app.setErrorHandler(async (error, _req, reply) => {
    deps.log(LOG_ERR, `webserver: request failed: ${escapeText(message(error))}`);
    const status = (error as { statusCode?: number }).statusCode;
    const code = typeof status === "number" && status >= 400 && status < 500 ? status : 500;
    return reply
      .code(code)
      .type("text/plain")
      .send(code === 500 ? "Internal Server Error" : "Bad Request");
  });
}

type PemResult = { ok: true; pem: Buffer } | { ok: false; error: WebserverError };

// The one file must hold both a private key and a certificate that match: checked here so that a bad
// file is a clear error at start rather than a failed handshake per client.
async function readPem(path: string): Promise<PemResult> {
  if (path === "")
    return fail("SAKER_WEBSERVER_SSL_CERT_UNREADABLE", "ssl_enabled is on but ssl_certificate is empty");
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (e) {
    return fail("SAKER_WEBSERVER_SSL_CERT_UNREADABLE", `${quote(path)}: ${message(e)}`);
  }
  const text = pem.toString("latin1");
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text) || !text.includes("-----BEGIN CERTIFICATE-----")) {
    return fail("SAKER_WEBSERVER_SSL_CERT_INVALID", `${quote(path)} lacks a PEM private key or certificate`);
  }
  try {
    createSecureContext({ key: pem, cert: pem });
  } catch (e) {
    return fail("SAKER_WEBSERVER_SSL_CERT_INVALID", `${quote(path)}: ${message(e)}`);
  }
  return { ok: true, pem };
}

function fail(code: WebserverErrorCode, detail: string): { ok: false; error: WebserverError } {
  return { ok: false, error: { code, message: `${WEBSERVER_ERRORS[code]}: ${detail}` } };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function quote(text: string): string {
  return JSON.stringify(text);
}
