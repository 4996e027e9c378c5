// program_output: alerts written to a program's standard input, one line each.
//
// As Falco (popen), the configured command runs under `/bin/sh -c` exactly as written: it is the
// operator's configuration, never built from event content; alerts only ever travel on the program's
// stdin. keep_alive: false starts one process per alert and waits for it to exit before the next (Falco's
// popen/pclose per alert, which also keeps the order for commands like `cat >> file`); keep_alive: true
// keeps one process and streams every alert to it. reopen() (SIGUSR1) ends the process and starts a new
// one. A program that fails to start, exits early or breaks its pipe is logged (once per failure streak)
// and its lost alerts counted; it never stops the agent. A kept-alive program that died is started again
// at the next alert.
import { spawn, type ChildProcess } from "node:child_process";
import type { OutputError } from "./errors.js";
import { LOG_ERR, LOG_INFO, type OutputChannel, type OutputMessage } from "./queue.js";
import { untilWritable } from "./writable.js";

export interface ProgramChannelOptions {
  /** program_output.program: a shell command line. */
  readonly program: string;
  /** program_output.keep_alive. */
  readonly keepAlive: boolean;
  readonly log?: (level: number, message: string) => void;
  /** Where the program's stdout goes; absent: inherited (the agent's stdout, as with Falco's popen). */
  readonly stdout?: (text: string) => void;
  readonly name?: string;
}

/** How long close() lets a kept-alive program finish reading before it is killed. */
const CLOSE_GRACE_MS = 5000;

export class ProgramChannel implements OutputChannel {
  readonly name: string;
  /** Alerts that did not reach a program (start failures, broken pipes, non-zero exits per alert). */
  errors = 0;
  lastError: OutputError | null = null;
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  private failing = false;
  private restartAt = 0;
  private readonly options: ProgramChannelOptions;
  private readonly log: (level: number, message: string) => void;

  constructor(options: ProgramChannelOptions) {
    this.options = options;
    this.name = options.name ?? "program";
    this.log = options.log ?? (() => undefined);
  }

  write(message: OutputMessage): void | Promise<void> {
    if (!this.options.keepAlive) return this.once(message.line);
    let child = this.child;
    if (child === null) {
      // A program that keeps dying is started again at most once a second, not once per alert.
      if (Date.now() < this.restartAt) {
        this.errors++;
        return;
      }
      child = this.start();
    }
    const stdin = child?.stdin;
    if (stdin === null || stdin === undefined || stdin.destroyed) {
      this.errors++;
      return;
    }
    if (stdin.write(message.line + "\n")) return;
    // A full pipe: wait until the program reads, or dies.
    return untilWritable(stdin);
  }

  async reopen(): Promise<void> {
    await this.stop();
    if (this.options.keepAlive) this.start();
  }

  close(): Promise<void> {
    return this.stop();
  }

  /** keep_alive: false — one process for this line, awaited. */
  private async once(line: string): Promise<void> {
    const child = this.start();
    if (child === null) return;
    child.stdin?.end(line + "\n");
    const code = await this.exited;
    this.child = null;
    this.exited = null;
    if (code !== 0) this.errors++;
  }

  private start(): ChildProcess | null {
    let child: ChildProcess;
    try {
      child = spawn("/bin/sh", ["-c", this.options.program], {
        stdio: ["pipe", this.options.stdout === undefined ? "inherit" : "pipe", "inherit"],
      });
    } catch (e) {
      this.fail(`Failed to open program output: ${this.options.program} (error: ${(e as Error).message})`);
      this.errors++;
      return null;
    }
    const forward = this.options.stdout;
    if (forward !== undefined) child.stdout?.setEncoding("utf8").on("data", (t: string) => forward(t));
    // EPIPE when the program exits without reading: counted through the exit status, not thrown.
    child.stdin?.on("error", () => undefined);
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once("error", (e) => {
        this.fail(`Failed to open program output: ${this.options.program} (error: ${e.message})`);
        resolve(null);
      });
      child.once("close", (code, signal) => {
        if (this.child === child && this.options.keepAlive) {
          this.child = null;
          this.exited = null;
          this.restartAt = Date.now() + 1000;
        }
        if (code === 0 || signal === "SIGTERM") {
          if (this.failing) this.log(LOG_INFO, `${this.name}: program running normally again`);
          this.failing = false;
        } else if (code !== null)
          this.fail(`${this.name}: '${this.options.program}' exited with status ${code}`);
        else this.fail(`${this.name}: '${this.options.program}' killed by ${signal ?? "a signal"}`);
        resolve(code);
      });
    });
    return child;
  }

  /** End the program: close its stdin so it reads to the end, and kill it if it takes too long. */
  private async stop(): Promise<void> {
    const child = this.child;
    const exited = this.exited;
    this.child = null;
    this.exited = null;
    if (child === null || exited === null) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private fail(text: string): void {
    this.lastError = { code: "SAKER_OUTPUT_PROGRAM", message: text };
    if (!this.failing) this.log(LOG_ERR, `${text} (SAKER_OUTPUT_PROGRAM)`);
    this.failing = true;
  }
}
