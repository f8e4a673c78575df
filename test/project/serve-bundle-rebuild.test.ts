/**
 * A rebuild beside a running gateway (the background llmux a launcher left running, an instance rebuilt in place
 * before its restart): the gateway still loads what it loads on first need (the admin API) from the files it was
 * built with, which the rebuild kept. Run on a copy of the build (dist/ and the script, the checkout's
 * node_modules linked), so that the tests running the shared build meanwhile see no rebuild.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DIST, ROOT } from "../support/built.js";

const ADMIN = "rebuild-admin-key-0123456789";
let dir = "";
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The admin API's file of the copy's current build. */
function adminFile(root: string): string {
  const list = JSON.parse(readFileSync(join(root, "dist/bundle/modules.json"), "utf8")) as Record<string, string[]>;
  return Object.entries(list).find(([, ids]) => ids.includes("dist/admin/routes.js"))![0];
}

describe("scripts/serve-bundle.mjs beside a running gateway", () => {
  it("keeps the files of the build the gateway runs: its admin API loads after a rebuild that renamed them", async () => {
    dir = mkdtempSync(join(tmpdir(), "llmux-rebuild-"));
    const root = join(dir, "llmux");
    mkdirSync(join(root, "scripts"), { recursive: true });
    cpSync(DIST, join(root, "dist"), { recursive: true, filter: (p) => !p.startsWith(join(DIST, "ui")) });
    for (const f of ["package.json", "package-lock.json", "scripts/serve-bundle.mjs"])
      cpSync(join(ROOT, f), join(root, f));
    symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"));
    const bundle = () => execFileSync(process.execPath, [join(root, "scripts/serve-bundle.mjs")]);
    bundle();
    const before = adminFile(root);

    writeFileSync(join(dir, "llmux.yaml"), `admin: { keys: [${ADMIN}] }\n`);
    child = spawn(process.execPath, [join(root, "dist/bundle/llmux.js"), "start", "--port", "0", "-c", "llmux.yaml"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: dir },
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d));
    child.stderr!.on("data", (d: Buffer) => (out += d));
    let url = "";
    for (let i = 0; i < 400 && !url; i++) {
      url = /llmux listening on (http:\/\/[\d.:]+)/.exec(out)?.[1] ?? "";
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    expect(url, out).not.toBe("");

    // A change to an admin route module: its file of the bundle (and those importing it) get new names.
    appendFileSync(join(root, "dist/admin/keys-route.js"), "\n// changed\n");
    bundle();
    expect(adminFile(root)).not.toBe(before);
    expect(existsSync(join(root, "dist/bundle", before))).toBe(true);

    const r = await fetch(`${url}/admin/v1/keys`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(r.status, out).toBe(200);
    expect(out).not.toContain("ERR_MODULE_NOT_FOUND");
  }, 60_000);
});
