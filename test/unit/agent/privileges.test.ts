// Privilege separation: the user to drop to, the loader wrapper, and the drop itself (in a child
// process, as root): afterwards the engine has no capabilities, cannot read /etc/shadow, cannot regain root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loaderWrapper, resolveUser, shQuote } from "../../../src/agent/privileges.js";
import { repoRoot } from "../../support/paths.js";

const PASSWD =
  "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nsvc:x:999:998::/:/bin/false\n";

test("the target user is found by name or uid, with its primary group", () => {
  assert.deepEqual(resolveUser("nobody", PASSWD), { name: "nobody", uid: 65534, gid: 65534 });
  assert.deepEqual(resolveUser("999", PASSWD), { name: "svc", uid: 999, gid: 998 });
  assert.equal(resolveUser("nosuchuser", PASSWD), null);
});

test("shell quoting leaves nothing for the shell to interpret", () => {
  for (const s of ["/plain/path", "/with space/x", "/it's/here", "$(reboot)", "`id`;rm -rf /", "a\nb"]) {
    const out = execFileSync("/bin/sh", ["-c", `printf %s ${shQuote(s)}`], { encoding: "utf8" });
    assert.equal(out, s);
  }
});

test(
  "the loader wrapper runs the loader as the user, with CAP_BPF and CAP_PERFMON only",
  { skip: process.platform !== "linux" },
  () => {
    const w = loaderWrapper("/opt/it's here/saker-probe", { name: "nobody", uid: 65534, gid: 65534 });
    if (w === null) return; // no setpriv on this machine: covered by the agent's warning
    try {
      const script = readFileSync(w.path, "utf8");
      assert.match(script, /--reuid=65534 --regid=65534 --clear-groups/);
      assert.match(
        script,
        /--inh-caps=-all,\+bpf,\+perfmon --ambient-caps=-all,\+bpf,\+perfmon --bounding-set=-all,\+bpf,\+perfmon/,
      );
      assert.ok(script.includes(`'/opt/it'\\''s here/saker-probe' "$@"`), script);
    } finally {
      w.cleanup();
    }
  },
);

test("dropping privileges is for good", { skip: process.getuid?.() !== 0 ? "needs root" : false }, () => {
  const mod = resolve(repoRoot, "dist/src/agent/privileges.js");
  const child = `
    import { dropPrivileges, effectiveCapabilities } from ${JSON.stringify(mod)};
    import { readFileSync } from "node:fs";
    const r = dropPrivileges({ name: "nobody", uid: 65534, gid: 65534 });
    let shadow = "readable";
    try { readFileSync("/etc/shadow"); } catch (e) { shadow = e.code; }
    let regain = "refused";
    try { process.setuid(0); regain = "REGAINED"; } catch {}
    console.log(JSON.stringify({ ok: r.ok, uid: process.getuid(), gid: process.getgid(), groups: process.getgroups(),
      caps: effectiveCapabilities().toString(), shadow, regain }));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    ok: true,
    uid: 65534,
    gid: 65534,
    groups: [65534], // Node always lists the effective gid: no supplementary group is left
    caps: "0",
    shadow: "EACCES",
    regain: "refused",
  });
});
