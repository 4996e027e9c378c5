// watch_config_files: tell the agent when a configuration or rules file changed, once per burst.
//
// Files are watched through their parent directories, not by inode: editors save by writing a new file
// and renaming it over the old one, and Kubernetes updates a mounted ConfigMap by swapping a `..data`
// symlink, so a watch on the old inode would go quiet after the first change. A watched directory (a
// rules directory) reports any change to an entry in it. Changes are gathered for `debounceMs` and then
// reported together, with the paths that changed, so one `kubectl apply` or one editor save is one reload.
//
// Nothing here allocates per event: this runs on file-system notifications only.
import { type FSWatcher, statSync, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";

export interface WatchOptions {
  /** Quiet time after the last change before reporting (default 250 ms). */
  readonly debounceMs?: number;
  /** Called when a directory could not be watched (it is skipped; the others stay watched). */
  readonly onError?: (path: string, error: Error) => void;
}

export interface FileWatch {
  /** The directories being watched (for logs and tests). */
  readonly directories: readonly string[];
  close(): void;
}

/** What to react to in one watched directory: every entry, or only some names. */
interface DirInterest {
  all: boolean;
  names: Set<string>;
}

/**
 * Watch `paths` (files or directories) and call `onChange` with the changed paths, sorted, once changes
 * have been quiet for `debounceMs`. Paths that do not exist yet are watched through their directory, so
 * creating them counts as a change.
 */
export function watchFiles(
  paths: readonly string[],
  onChange: (changed: readonly string[]) => void,
  options: WatchOptions = {},
): FileWatch {
  const debounceMs = options.debounceMs ?? 250;
  const interests = new Map<string, DirInterest>();
  const interest = (dir: string): DirInterest => {
    let i = interests.get(dir);
    if (i === undefined) interests.set(dir, (i = { all: false, names: new Set() }));
    return i;
  };
  for (const p of paths) {
    const abs = resolve(p);
    if (isDirectory(abs)) {
      interest(abs).all = true;
      // The directory itself may be replaced (a ConfigMap mount): watch its entry in the parent too.
      interest(dirname(abs)).names.add(basename(abs));
    } else {
      interest(dirname(abs)).names.add(basename(abs));
    }
  }

  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = (): void => {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const changed = [...pending].sort();
    pending.clear();
    onChange(changed);
  };
  const note = (path: string): void => {
    pending.add(path);
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  };

  const watchers: FSWatcher[] = [];
  const directories: string[] = [];
  for (const [dir, want] of interests) {
    let w: FSWatcher;
    try {
      w = watch(dir, { persistent: false });
    } catch (e) {
      options.onError?.(dir, e as Error);
      continue;
    }
    w.on("change", (_kind, name) => {
      const entry = typeof name === "string" ? name : (name?.toString() ?? "");
      // A Kubernetes ConfigMap swap shows up as `..data` / `..2024_...` entries: any of them counts.
      if (want.all || want.names.has(entry) || (entry.startsWith("..") && want.names.size > 0)) {
        note(resolve(dir, entry));
      }
    });
    w.on("error", (e) => options.onError?.(dir, e));
    watchers.push(w);
    directories.push(dir);
  }

  return {
    directories,
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
