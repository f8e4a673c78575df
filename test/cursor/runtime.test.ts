/**
 * The runtime the `cursor` provider installs on first use: the pinned SDK (without its optional native
 * package) and, under Node < 22.13, a pinned Node 22, from the npm registry into `runtime_dir`; found again
 * without reinstalling; never installed with `install: false`. And the helper's permission flags: no child
 * processes, writes only to its own directory.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { permissionFlags } from "../../src/cursor/permissions.js";
import { ensureRuntime, nodeIsRecentEnough, type Runtime, SDK_VERSION } from "../../src/cursor/runtime.js";
import { CURSOR_INSTALL_TIMEOUT_MS, CURSOR_RUNTIME_DIR, cursorRuntime } from "../support/cursor.js";

let runtime: Runtime;
beforeAll(async () => {
  const { runtime: r, ms } = await cursorRuntime();
  runtime = r;
  process.stderr.write(`[cursor runtime] ready in ${ms} ms (an install when it was missing)\n`);
}, CURSOR_INSTALL_TIMEOUT_MS);

describe("the Cursor runtime", () => {
  it("holds the pinned SDK and a Node that can run it", () => {
    const sdk = JSON.parse(readFileSync(join(runtime.dir, "node_modules/@cursor/sdk/package.json"), "utf8"));
    expect(sdk.version).toBe(SDK_VERSION);
    expect(existsSync(runtime.sdkEntry)).toBe(true);
    const version = execFileSync(runtime.node, ["--version"], { encoding: "utf8" }).trim();
    expect(nodeIsRecentEnough(version)).toBe(true);
    if (!nodeIsRecentEnough(process.version)) {
      expect(version).toBe("v22.23.3");
      expect(runtime.node.startsWith(runtime.dir)).toBe(true);
    } else expect(runtime.node).toBe(process.execPath);
    // The SDK's optional native package (ripgrep, a sandbox, tree-sitter) serves only the tools llmux turns off.
    expect(existsSync(join(runtime.dir, `node_modules/@cursor/sdk-${process.platform}-${process.arch}`))).toBe(false);
  });

  it("is found again without installing", async () => {
    const before = statSync(join(runtime.dir, "llmux-runtime.json"));
    const again = await ensureRuntime({ dir: CURSOR_RUNTIME_DIR, install: true });
    expect(again).toEqual(runtime);
    const after = statSync(join(runtime.dir, "llmux-runtime.json"));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("is never installed with install: false", async () => {
    const empty = mkdtempSync(join(tmpdir(), "llmux-cursor-none-"));
    await expect(ensureRuntime({ dir: empty, install: false })).rejects.toThrow(/not installed in .*install: false/);
    expect(existsSync(join(empty, "node_modules"))).toBe(false);
    rmSync(empty, { recursive: true, force: true });
  });

  it("tells which Node versions can run the SDK", () => {
    expect(["v20.19.5", "22.12.0", "21.9.0"].map(nodeIsRecentEnough)).toEqual([false, false, false]);
    expect(["22.13.0", "v22.23.3", "23.0.0", "24.1.0"].map(nodeIsRecentEnough)).toEqual([true, true, true, true]);
  });
});

it("runs the helper with no child processes and writes to its own directory only", () => {
  const flags = permissionFlags(
    { runtimeDir: "/rt", script: "/app/helper.js", workdir: "/tmp/w", workspace: "/tmp/w/workspace" },
    "/rt/node",
  );
  expect(flags[0]).toBe("--permission");
  expect(flags.filter((f) => f.startsWith("--allow-fs-write"))).toEqual(["--allow-fs-write=/tmp/w"]);
  expect(flags.some((f) => /--allow-(child-process|worker|addons|wasi)/.test(f))).toBe(false);
  const reads = flags.filter((f) => f.startsWith("--allow-fs-read=")).map((f) => f.slice(16));
  expect(reads).toContain("/rt");
  expect(reads).toContain("/app/helper.js");
  expect(reads).toContain("/tmp/w");
  // Beyond those, only the exact paths the SDK probes when it starts.
  for (const r of reads.filter((r) => !["/rt", "/app/helper.js", "/tmp/w"].includes(r)))
    expect(r).toMatch(/(\/\.git|\/node_modules\/@cursor\/(sdk|february)-[a-z0-9]+-[a-z0-9]+\*)$/);
});
