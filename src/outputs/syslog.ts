// syslog_output: each alert as one syslog message, facility LOG_USER, the alert's priority as severity
// (Falco's priorities are numbered as syslog's severities: Emergency 0 ... Debug 7), tag "falco", as
// Falco's syslog(3) call without openlog() writes it.
//
// Transports:
// - local (syslog_output.host empty, the default): the host's syslog socket, /dev/log. That is a unix
//   DATAGRAM socket (rsyslog's imuxsock, journald), which Node cannot open (it has unix stream sockets
//   only). So one long-lived `logger` (util-linux, in every Debian install: bsdutils is Essential) does the
//   socket work: it is started without a shell, with fixed arguments, and reads our messages on its stdin,
//   one per line, each with its own `<PRI>` prefix (--prio-prefix), so one process serves every severity.
//   Alert text only ever travels on that pipe. A logger that dies (syslog restarted, socket gone) is
//   started again at most once a second; alerts in between are counted as errors.
// - remote (Saker extension: host, port, protocol udp|tcp): RFC 3164 lines sent directly, UDP datagrams
//   or TCP with newline framing (RFC 6587 non-transparent framing, what rsyslog's imtcp reads by default).
//   Alert lines hold no newline (they are escaped), so the framing cannot be forged.
import { spawn, type ChildProcess } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { statSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { hostname as osHostname } from "node:os";
import type { OutputError } from "./errors.js";
import { LOG_ERR, LOG_INFO, type OutputChannel, type OutputMessage } from "./queue.js";
import { untilWritable } from "./writable.js";

/** LOG_USER: facility 1, shifted left by 3 as syslog(3) encodes it. */
const LOG_USER = 1 << 3;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const RETRY_MS = 1000;
/** What a TCP socket may hold while it connects; past it, messages are counted as lost. */
const MAX_CONNECTING_BYTES = 1 << 20;
/** Largest message handed to logger (its default is 1 KiB, less than a JSON alert). */
const MAX_MESSAGE = 64 * 1024;

export interface SyslogChannelOptions {
  /** Remote host; "" for the local syslog socket. */
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: "udp" | "tcp";
  /** The local socket (default /dev/log). */
  readonly socketPath?: string;
  readonly log?: (level: number, message: string) => void;
  readonly name?: string;
}

export class SyslogChannel implements OutputChannel {
  readonly name: string;
  /** Messages that could not be handed to syslog. */
  errors = 0;
  lastError: OutputError | null = null;
  private readonly options: SyslogChannelOptions;
  private readonly log: (level: number, message: string) => void;
  private readonly localHost = osHostname();
  private logger: ChildProcess | null = null;
  private loggerExited: Promise<void> | null = null;
  private udp: UdpSocket | null = null;
  private tcp: Socket | null = null;
  private tcpReady = false;
  private retryAt = 0;
  private failing = false;
  private closed = false;

  constructor(options: SyslogChannelOptions = {}) {
    this.options = options;
    this.name = options.name ?? "syslog";
    this.log = options.log ?? (() => undefined);
  }

  write(message: OutputMessage): void | Promise<void> {
    if (this.closed) return;
    const pri = LOG_USER | (message.priority & 7);
    const host = this.options.host ?? "";
    if (host === "") return this.writeLocal(pri, message.line);
    const line = `<${pri}>${timestamp(message.time)} ${this.localHost} falco: ${message.line}`;
    if (this.options.protocol === "tcp") return this.writeTcp(host, line);
    this.writeUdp(host, line);
  }

  close(): Promise<void> {
    this.closed = true;
    this.udp?.close();
    this.udp = null;
    const tcp = this.tcp;
    this.tcp = null;
    const logger = this.logger;
    const exited = this.loggerExited;
    this.logger = null;
    const waits: Promise<void>[] = [];
    if (tcp !== null) waits.push(new Promise((resolve) => tcp.end(resolve)));
    if (logger !== null && exited !== null) {
      logger.stdin?.end();
      waits.push(exited);
    }
    return Promise.all(waits).then(() => undefined);
  }

  private writeLocal(pri: number, line: string): void | Promise<void> {
    if (this.logger === null && !this.startLogger()) {
      this.errors++;
      return;
    }
    const stdin = this.logger!.stdin!;
    if (stdin.write(`<${pri}>${line}\n`)) return;
    // Busy until the pipe drains, or until logger is gone (then nothing will ever drain it).
    return untilWritable(stdin, this.loggerExited);
  }

  private startLogger(): boolean {
    if (Date.now() < this.retryAt) return false;
    const socket = this.options.socketPath ?? "/dev/log";
    // No syslog daemon (a container, a minimal host): say so once and retry later, without starting a
    // logger that can only fail and without holding the queue.
    let isSocket = false;
    try {
      isSocket = statSync(socket).isSocket();
    } catch {
      isSocket = false;
    }
    if (!isSocket) {
      this.fail(
        `${this.name}: ${socket} is not a socket (no local syslog daemon?): alerts to syslog are counted as errors`,
      );
      this.retryAt = Date.now() + RETRY_MS;
      return false;
    }
    const args = [
      "--prio-prefix",
      "--socket-errors=on",
      "-t",
      "falco",
      "-S",
      String(MAX_MESSAGE),
      "-u",
      socket,
    ];
    let child: ChildProcess;
    try {
      child = spawn("logger", args, { stdio: ["pipe", "ignore", "pipe"] });
    } catch (e) {
      this.fail(`${this.name}: cannot start logger for ${socket}: ${(e as Error).message}`);
      this.retryAt = Date.now() + RETRY_MS;
      return false;
    }
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (t: string) => {
      if (stderr.length < 512) stderr += t;
    });
    child.stdin?.on("error", () => undefined);
    this.logger = child;
    this.loggerExited = new Promise((resolve) => {
      const gone = (why: string): void => {
        if (this.logger === child) {
          this.logger = null;
          this.retryAt = Date.now() + RETRY_MS;
          if (!this.closed) this.fail(`${this.name}: logger for ${socket} ${why}`);
        }
        resolve();
      };
      child.once("error", (e) => gone(`failed: ${e.message}`));
      child.once("close", (code) => gone(`exited (status ${code ?? "signal"}): ${stderr.trim()}`));
    });
    return true;
  }

  private writeUdp(host: string, line: string): void {
    if (this.udp === null) {
      this.udp = createSocket(host.includes(":") ? "udp6" : "udp4");
      this.udp.on("error", (e) => this.fail(`${this.name}: ${host}: ${e.message}`));
      this.udp.unref();
    }
    this.udp.send(line, this.options.port ?? 514, host, (e) => {
      if (e !== null && e !== undefined) {
        this.errors++;
        this.fail(`${this.name}: ${host}: ${e.message}`);
      } else this.recovered();
    });
  }

  private writeTcp(host: string, line: string): void | Promise<void> {
    if (this.tcp === null) {
      if (Date.now() < this.retryAt) {
        this.errors++;
        return;
      }
      const port = this.options.port ?? 514;
      const sock = connect({ host, port });
      this.tcp = sock;
      this.tcpReady = false;
      sock.on("connect", () => {
        this.tcpReady = true;
        this.recovered();
      });
      sock.on("error", (e) => this.fail(`${this.name}: ${host}:${port}: ${e.message}`));
      sock.on("close", () => {
        if (this.tcp === sock) {
          this.tcp = null;
          this.retryAt = Date.now() + RETRY_MS;
        }
      });
    }
    const sock = this.tcp;
    if (!this.tcpReady && sock.writableLength > MAX_CONNECTING_BYTES) {
      this.errors++;
      return;
    }
    // Queued by the socket until it connects; lost (and counted) if it never does.
    if (sock.write(line + "\n", (e) => e && this.errors++)) return;
    if (!this.tcpReady) return;
    return new Promise((resolve) => {
      const done = (): void => {
        sock.off("drain", done);
        sock.off("close", done);
        resolve();
      };
      sock.once("drain", done);
      sock.once("close", done);
    });
  }

  private fail(text: string): void {
    this.lastError = { code: "SAKER_OUTPUT_SYSLOG", message: text };
    if (!this.failing) this.log(LOG_ERR, `${text} (SAKER_OUTPUT_SYSLOG)`);
    this.failing = true;
  }

  private recovered(): void {
    if (this.failing) this.log(LOG_INFO, `${this.name}: delivering again`);
    this.failing = false;
  }
}

/** RFC 3164 TIMESTAMP, local time: "Mmm dd hh:mm:ss" (day space-padded). */
function timestamp(ns: bigint): string {
  const d = new Date(Number(ns / 1_000_000n));
  const pad = (n: number): string => (n < 10 ? "0" + n : String(n));
  const day = d.getDate();
  return (
    `${MONTHS[d.getMonth()]} ${day < 10 ? " " + day : day} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}
