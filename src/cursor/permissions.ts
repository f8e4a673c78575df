/**
 * Node's permission model for the Cursor helper: it may read its runtime (the SDK) and its own script, read
 * and write its temporary directory, and nothing else; it may not start processes, workers or native addons.
 * Whatever Cursor's backend asks the SDK's local executor to do (run a shell command, write or read a
 * file), it cannot reach the gateway's disk or run anything.
 *
 * The SDK looks for a few paths when it starts (a `.git` above its working directory, its optional native
 * package beside its script and its Node); under the permission model a look at a path not allowed throws, so
 * these paths are allowed for reading, whether they exist or not (a path that does not exist is allowed with
 * its subpaths by a trailing `*`).
 */
import { dirname, join, parse, resolve } from "node:path";

export interface PermissionPaths {
  runtimeDir: string;
  script: string;
  /** The helper's temporary HOME. */
  workdir: string;
  /** The SDK's (empty) working directory, inside workdir. */
  workspace: string;
}

/** `dir` and each of its parents up to the root. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  let d = resolve(dir);
  const root = parse(d).root;
  for (;;) {
    out.push(d);
    if (d === root) return out;
    d = dirname(d);
  }
}

export function permissionFlags(p: PermissionPaths, node = process.execPath): string[] {
  const reads = new Set<string>([p.runtimeDir, p.script, p.workdir]);
  for (const d of ancestors(p.workspace)) reads.add(join(d, ".git"));
  const platform = `${process.platform}-${process.arch}`;
  for (const start of [dirname(p.script), dirname(node)])
    for (const d of ancestors(start))
      for (const pkg of [`sdk-${platform}`, `february-${platform}`])
        reads.add(`${join(d, "node_modules", "@cursor", pkg)}*`);
  return ["--permission", ...[...reads].map((r) => `--allow-fs-read=${r}`), `--allow-fs-write=${p.workdir}`];
}
