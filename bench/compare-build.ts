/**
 * The compared build of `npm run bench -- --compare REV`: REV checked out (git worktree, detached) into
 * .cache/bench-compare/<sha>, its dependencies installed (`npm ci`, the npm registry only) and its server
 * compiled (tsc -p tsconfig.build.json; the web UI is not built, the benchmark never asks for it). A worktree
 * already built for that commit is reused. `--compare-dist DIR` names an already-built dist/ instead.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { log } from "./progress.js";

export interface ComparedBuild {
  /** The directory like dist/ whose bundle/llmux.js (or, built before the bundle, cli/main.js) is started. */
  dist: string;
  /** How the report names it: "llmux@3c151be", or "llmux@<dir>" for --compare-dist. */
  label: string;
  /** What was asked for: the revision as given, or the directory. */
  rev: string;
  /** The commit, when built from a revision. */
  sha?: string;
}

/** The label of a compared build in the report and the log. */
export function compareLabel(rev: string): string {
  return `llmux@${rev}`;
}

function git(root: string, args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function run(cwd: string, command: string, args: string[]): void {
  log(`compare: ${command} ${args.join(" ")} (in ${cwd})`);
  execFileSync(command, args, { cwd, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "1" } });
}

/** Resolves REV to a commit, and checks it out and builds it unless that was done before. */
export function buildRevision(root: string, cacheDir: string, rev: string): ComparedBuild {
  let sha: string;
  try {
    sha = git(root, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`]);
  } catch {
    throw new Error(`--compare ${rev}: not a commit of this repository`);
  }
  const short = git(root, ["rev-parse", "--short", sha]);
  const dir = join(cacheDir, "bench-compare", sha);
  const dist = join(dir, "dist");
  // Named anew when what a build includes changed (the bundles since 2026-11-26): older builds are made again.
  const stamp = join(dir, ".bench-shipped");
  const build: ComparedBuild = { dist, label: compareLabel(/^[0-9a-f]{7,40}$/i.test(rev) ? short : rev), rev, sha };
  if (existsSync(stamp) && existsSync(join(dist, "cli", "main.js"))) {
    log(`compare: reusing the build of ${short} in ${dir}`);
    return build;
  }
  mkdirSync(join(cacheDir, "bench-compare"), { recursive: true });
  if (!existsSync(join(dir, "package.json"))) {
    git(root, ["worktree", "prune"]);
    run(root, "git", ["worktree", "add", "--detach", dir, sha]);
  }
  // No lifecycle scripts: `prepare` would build the web UI too, and no dependency needs its install script.
  if (!existsSync(join(dir, "node_modules", "typescript")))
    run(dir, "npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"]);
  run(dir, process.execPath, [join("node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]);
  // Then its build's bundles, those the revision has (Kysely's, the command's): the build as `npm run build`
  // ships it, as llmux itself runs in the bench.
  for (const script of ["prune-dist.mjs", "vendor-bundle.mjs", "serve-bundle.mjs"])
    if (existsSync(join(dir, "scripts", script))) run(dir, process.execPath, [join("scripts", script)]);
  if (!existsSync(join(dist, "cli", "main.js")))
    throw new Error(`--compare ${rev}: the build left no dist/cli/main.js`);
  writeFileSync(stamp, `${sha}\n`);
  log(`compare: built ${short} in ${dir}`);
  return build;
}

/** The compared build the options ask for, if any: built from --compare REV, or --compare-dist DIR as it is. */
export function comparedBuild(
  root: string,
  cacheDir: string,
  opts: { compare?: string; compareDist?: string },
): ComparedBuild | undefined {
  if (opts.compareDist !== undefined) {
    const dist = resolve(root, opts.compareDist);
    if (!existsSync(join(dist, "cli", "main.js"))) throw new Error(`--compare-dist ${dist}: no cli/main.js in it`);
    return { dist, label: compareLabel(opts.compareDist), rev: opts.compareDist };
  }
  return opts.compare === undefined ? undefined : buildRevision(root, cacheDir, opts.compare);
}
