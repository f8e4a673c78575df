/**
 * The quick start's web UI (`npm start`, no configuration file): `/ui` tells a browser what to set while
 * the admin API is off, and `LLMUX_ADMIN_KEY` in the environment turns the admin API and the UI on.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, emptyDir } from "../cli/run.js";

const ADMIN = "quick-start-admin-key-0123456789";
let proc: ChildProcess | undefined;

afterEach(() => {
  if (proc && proc.exitCode === null) proc.kill("SIGKILL");
  proc = undefined;
});

/** `llmux start` with no configuration file in an empty directory; resolves with its URL. */
async function start(env: Record<string, string>): Promise<{ url: string; out: () => string }> {
  const dir = emptyDir();
  let out = "";
  proc = spawn(process.execPath, [BIN, "start", "--port", "0"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, LLMUX_STORE: `${dir}/llmux.db`, ...env },
  });
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const end = Date.now() + 30_000;
  for (;;) {
    const m = /llmux listening on (http:\/\/[\d.:]+)/.exec(out);
    if (m) return { url: m[1]!, out: () => out };
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`llmux did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the quick start's /ui", () => {
  it("shows a browser a page saying how to turn the UI on; other callers get the JSON error", async () => {
    const { url } = await start({});
    const page = await fetch(`${url}/ui`, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain("The web UI is off");
    expect(html).toContain("LLMUX_ADMIN_KEY=");
    expect(html).toContain("admin:");
    const api = await fetch(`${url}/ui`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { message: string } }).error.message).toMatch(/set admin\.keys/);
  }, 60_000);

  it("is on with LLMUX_ADMIN_KEY: the UI's page, sign-in with that key, the admin API", async () => {
    const { url, out } = await start({ LLMUX_ADMIN_KEY: ADMIN });
    expect(out()).toContain("The admin API and the web UI (/ui) are on");
    expect(out()).not.toContain(ADMIN);
    const page = await fetch(`${url}/ui`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="root">|<script/);
    const keys = await fetch(`${url}/admin/v1/keys`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(keys.status).toBe(200);
    const wrong = await fetch(`${url}/admin/v1/keys`, { headers: { authorization: "Bearer not-the-key-000000" } });
    expect(wrong.status).toBe(401);
    // The mock still answers model calls (no key asked of callers until one is minted).
    const chat = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "llmux-mock", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(200);
  }, 60_000);
});
