// Privilege separation for the agent.
//
// Started as root, the agent does the three things that need privileges first, then gives them up for
// good before it reads a single event:
//   1. spawns the probe loader, itself reduced to CAP_BPF + CAP_PERFMON under the target uid (setpriv:
//      ambient capabilities, a bounding set of those two, no supplementary groups), in its own session so
//      a terminal's Ctrl-C reaches the agent, which then stops the loader in order;
//   2. scans /proc (other users' processes: cmdline, environ, fds);
//   3. drops the engine's own credentials: supplementary groups cleared, then setgid, then setuid to the
//      target user (`nobody` unless configured), which also empties its capability sets. Regaining root
//      is then checked to fail.
// What remains privileged is the loader: a small C program that only loads the BPF objects, drains the
// ring buffer and applies selections; it cannot be ptraced by the engine (its capabilities are not a
// subset of the engine's). The engine, which parses attacker-controlled event content, runs with none.
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Why privileges could not be dropped. Tests assert on the code. */
export const PRIVILEGE_ERRORS = {
  /** The target user is not in /etc/passwd. */
  SAKER_PRIV_UNKNOWN_USER: "unknown user",
  /** setgroups/setgid/setuid failed, or root could be regained afterwards. */
  SAKER_PRIV_DROP_FAILED: "could not drop privileges",
} as const;

export type PrivilegeErrorCode = keyof typeof PRIVILEGE_ERRORS;

export interface TargetUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

export type PrivilegeResult =
  | { readonly ok: true; readonly user: TargetUser }
  | { readonly ok: false; readonly code: PrivilegeErrorCode; readonly message: string };

/** The user `name` (or a numeric uid) from passwd text; its primary group. */
export function resolveUser(name: string, passwd: string = readQuiet("/etc/passwd")): TargetUser | null {
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f.length < 7) continue;
    if (f[0] === name || f[2] === name) {
      const uid = Number.parseInt(f[2]!, 10);
      const gid = Number.parseInt(f[3]!, 10);
      if (Number.isInteger(uid) && Number.isInteger(gid)) return { name: f[0]!, uid, gid };
    }
  }
  return null;
}

/** True when the process runs as root (and so should drop privileges). */
export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Drop to `user` for good: groups cleared, gid, then uid; then check root cannot be regained. */
export function dropPrivileges(user: TargetUser): PrivilegeResult {
  if (process.setuid === undefined || process.setgid === undefined || process.setgroups === undefined) {
    return fail("SAKER_PRIV_DROP_FAILED", "this platform cannot change credentials");
  }
  try {
    process.setgroups([]);
    process.setgid(user.gid);
    process.setuid(user.uid);
  } catch (e) {
    return fail(
      "SAKER_PRIV_DROP_FAILED",
      `${PRIVILEGE_ERRORS.SAKER_PRIV_DROP_FAILED}: ${(e as Error).message}`,
    );
  }
  if (process.getuid!() !== user.uid || process.geteuid!() !== user.uid || process.getegid!() !== user.gid) {
    return fail(
      "SAKER_PRIV_DROP_FAILED",
      `${PRIVILEGE_ERRORS.SAKER_PRIV_DROP_FAILED}: credentials did not change`,
    );
  }
  if (user.uid !== 0) {
    let regained = false;
    try {
      process.setuid(0);
      regained = true;
    } catch {
      // expected: EPERM
    }
    if (regained || effectiveCapabilities() !== 0n) {
      return fail(
        "SAKER_PRIV_DROP_FAILED",
        `${PRIVILEGE_ERRORS.SAKER_PRIV_DROP_FAILED}: root could be regained`,
      );
    }
  }
  return { ok: true, user };
}

/** CapEff of this process (0n when unknown). */
export function effectiveCapabilities(): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)/m.exec(readQuiet("/proc/self/status"));
  return m === null ? 0n : BigInt("0x" + m[1]);
}

export interface LoaderWrapper {
  /** The executable to give startLiveCapture as the loader. */
  readonly path: string;
  /** Removes the wrapper (call once the loader has started). */
  cleanup(): void;
}

/**
 * A wrapper that runs the loader as `user` with only CAP_BPF and CAP_PERFMON, in its own session, or
 * null when setpriv or setsid is not available (the loader then runs as root, in the agent's session).
 * The wrapper is a script in a fresh root-only directory; the loader path is quoted for the shell.
 */
export function loaderWrapper(loaderPath: string, user: TargetUser): LoaderWrapper | null {
  const setpriv = which("setpriv");
  const setsid = which("setsid");
  if (setpriv === null || setsid === null) return null;
  const dir = mkdtempSync(join(tmpdir(), "saker-loader-"));
  chmodSync(dir, 0o700);
  const path = join(dir, "saker-probe");
  const caps = "-all,+bpf,+perfmon";
  const script =
    "#!/bin/sh\n" +
    "# Saker: run the probe loader with CAP_BPF and CAP_PERFMON only, as an unprivileged user.\n" +
    `exec ${shQuote(setsid)} ${shQuote(setpriv)} --reuid=${user.uid} --regid=${user.gid} --clear-groups ` +
    `--inh-caps=${caps} --ambient-caps=${caps} --bounding-set=${caps} ${shQuote(loaderPath)} "$@"\n`;
  writeFileSync(path, script, { mode: 0o700 });
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Single-quoted for sh: nothing inside is interpreted. */
export function shQuote(s: string): string {
  return "'" + s.replace(/'/g, "'\\''") + "'";
}

function which(cmd: string): string | null {
  for (const dir of ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return join(dir, cmd);
    } catch {
      // not there
    }
  }
  return null;
}

function readQuiet(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function fail(code: PrivilegeErrorCode, message: string): PrivilegeResult {
  return { ok: false, code, message };
}
