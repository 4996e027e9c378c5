// fs.path.*: paths a syscall acts on directly. Facts follow libsinsp's sinsp_filtercheck_fspath.cpp.
import { sinspField as f } from "../define.js";
import type { FieldClass } from "../types.js";

export const fsPathClass: FieldClass = {
  name: "fs.path",
  description:
    "Paths given to a syscall, including syscalls that act on a path without an fd (unlink, rename, mkdir, ...), which fd.* does not cover.",
  fields: [
    f(
      "fs.path.name",
      "CHARBUF",
      "Path the syscall acts on, made absolute with the thread's working directory.",
    ),
    f("fs.path.nameraw", "CHARBUF", "Path the syscall acts on, exactly as passed to it."),
    f(
      "fs.path.source",
      "CHARBUF",
      "For syscalls with a source and a target (rename, link, ...), the source path, made absolute.",
    ),
    f("fs.path.sourceraw", "CHARBUF", "For syscalls with a source and a target, the source path as passed."),
    f(
      "fs.path.target",
      "CHARBUF",
      "For syscalls with a source and a target, the target path, made absolute.",
    ),
    f("fs.path.targetraw", "CHARBUF", "For syscalls with a source and a target, the target path as passed."),
  ],
};
