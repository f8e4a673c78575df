/**
 * A developer's laptop after `llmux login`: a separate HOME and state directory and an emptied environment, a
 * remote llmux (another process on another port, a key minted there for the developer), then the real Claude
 * Code and Codex through the launchers. No llmux starts on the laptop (no pid file, the launcher says which llmux
 * it used), and the remote's request log has the requests under the developer's key. Then the browser sign-in
 * (`llmux login URL` without a key): the code confirmed in Chromium at the identity provider, a key of the
 * person's own minted within their team's caps.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { browserStep } from "../signin/support/device-client.js";
import { signinConfig } from "../signin/support/signin-gateway.js";
import { ensureClient } from "../support/clients.js";
import { type Instance, startInstance, stopInstance, writeConfig } from "../support/instances.js";
import { backgroundPids, type Home, type Launched, launch, makeHome, removeHome, stopAll } from "../support/launch.js";
import { launch as launchBrowser } from "../ui/support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";

const ADMIN = `admin-${randomBytes(12).toString("hex")}`;

let mock: MockServer;
let issuer: FakeIssuer;
let remote: Instance;
let laptop: Home;
let claudeDir: string;
let codexDir: string;
let key: { id: string; key: string };
let storeDir: string;

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${remote.url}/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
  return (await res.json()) as any;
}

/** Whether the remote's request log has a model call of this alias by this tool under the member's key. */
async function servedUnderKey(alias: string, tool: string): Promise<boolean> {
  const rows = (await admin("GET", `/requests?key_id=${key.id}`)).rows as Record<string, unknown>[];
  return rows.some(
    (r) => r.alias === alias && r.client_tool === tool && r.key_name === "dev-laptop" && r.status === 200,
  );
}

const run = (r: Launched) => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
const onLaptop = (args: string[], path: string[] = []) => launch(laptop, args, { path, env: {} });

beforeAll(async () => {
  const [claude, codex] = await Promise.all([ensureClient("claude-code"), ensureClient("codex")]);
  claudeDir = dirname(claude);
  codexDir = dirname(codex);
  mock = await startMockServer();
  issuer = await startFakeIssuer();
  issuer.groups.set("dev@example.com", ["data-team"]);
  storeDir = mkdtempSync(join(tmpdir(), "llmux-remote-"));
  const config = writeConfig({
    admin: { keys: [ADMIN] },
    store: { path: join(storeDir, "llmux.db") },
    providers: {
      anthropic: { type: "anthropic", base_url: mock.url, api_key: "an-key" },
      azure: { type: "azure", base_url: mock.url, api_key: "az-key", api: "responses" },
    },
    models: {
      "sonnet-alias": { provider: "anthropic", model: "claude-sonnet-4-5" },
      "haiku-alias": { provider: "anthropic", model: "claude-haiku-4-5" },
      "codex-alias": { provider: "azure", model: "gpt-5-codex" },
      "via-anthropic": { provider: "anthropic", model: "claude-sonnet-4-5" },
    },
    signin: signinConfig(issuer),
  });
  remote = await startInstance(config, 0, []);
  const team = await admin("POST", "/teams", { name: "data", budget: { usd: 50, period: "month" } });
  key = await admin("POST", "/keys", { name: "dev-laptop", user: "dev@example.com", team_id: team.id });
  laptop = makeHome();
}, 300_000);

afterAll(async () => {
  await stopAll([laptop?.state ?? ""]);
  await stopInstance(remote);
  await mock?.close();
  await issuer?.close();
  if (laptop) removeHome(laptop);
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

describe("a laptop after llmux login: the launchers use the remote llmux, none starts here", {
  timeout: 120_000,
}, () => {
  it("without a login, a minted key alone is refused with the way out (no mock llmux started for it)", async () => {
    const r = await launch(laptop, ["claude", "--", "-p", "hi"], { path: [claudeDir], env: { LLMUX_KEY: key.key } });
    expect(r.code, run(r)).not.toBe(0);
    expect(r.stderr).toContain("holds a minted key");
    expect(backgroundPids(laptop.state)).toEqual([]);
  });

  it("llmux login URL --key K checks the key there and keeps it (0600), never printing it", async () => {
    const bad = await onLaptop(["login", remote.url, "--key", "lx-not-a-real-key"]);
    expect(bad.code, run(bad)).toBe(1);
    expect(bad.stderr).toContain(`llmux at ${remote.url} refuses this key (401)`);
    expect(existsSync(join(laptop.state, "login.json"))).toBe(false);

    const r = await onLaptop(["login", remote.url, "--key", key.key]);
    expect(r.code, run(r)).toBe(0);
    expect(r.stdout).toContain(`Logged in to ${remote.url} with key dev-laptop (${key.id}), team data.`);
    expect(r.stdout + r.stderr).not.toContain(key.key);
    const file = join(laptop.state, "login.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ url: remote.url, key: key.key });
  });

  it("llmux claude -p …: the real Claude Code answers through the remote llmux, under the member's key", async () => {
    const answer = `Remote answer ${randomBytes(4).toString("hex")}.`;
    mock.enqueue({
      match: { model: "claude-sonnet-4-5" },
      model: "claude-sonnet-4-5",
      blocks: [{ type: "text", text: answer }],
    });
    const r = await onLaptop(
      ["claude", "--model", "sonnet-alias", "--small-model", "haiku-alias", "--", "-p", "Reply with the text."],
      [claudeDir],
    );
    expect(r.code, run(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    expect(r.stderr).toContain(`using the llmux running on ${remote.url}`);
    expect(r.stderr).toContain(`Claude Code → ${remote.url} (key: llmux login (key dev-laptop`);
    expect(r.stderr).not.toContain("started llmux in the background");
    expect(backgroundPids(laptop.state)).toEqual([]);
    await expect.poll(() => servedUnderKey("sonnet-alias", "claude-code"), { timeout: 10_000 }).toBe(true);
  }, 180_000);

  it("llmux codex exec …: the real Codex answers through the remote llmux, under the member's key", async () => {
    const answer = `Codex remote answer ${randomBytes(4).toString("hex")}.`;
    mock.enqueue({ match: { model: "gpt-5-codex" }, model: "gpt-5-codex", blocks: [{ type: "text", text: answer }] });
    const r = await onLaptop(
      ["codex", "--model", "codex-alias", "--", "exec", "--skip-git-repo-check", "--ephemeral", "Reply with the text."],
      [codexDir],
    );
    expect(r.code, run(r)).toBe(0);
    expect(r.stdout.trim()).toBe(answer);
    expect(r.stderr).toContain(`using the llmux running on ${remote.url}`);
    expect(backgroundPids(laptop.state)).toEqual([]);
    await expect.poll(() => servedUnderKey("codex-alias", "codex"), { timeout: 10_000 }).toBe(true);
  }, 180_000);

  it("llmux env claude prints the remote's address and the stored key; llmux logout forgets them", async () => {
    const env = await onLaptop(["env", "claude"]);
    expect(env.code, run(env)).toBe(0);
    expect(env.stdout).toContain(`export ANTHROPIC_BASE_URL='${remote.url}'`);
    expect(env.stdout).toContain(key.key);
    const out = await onLaptop(["logout"]);
    expect(out.code, run(out)).toBe(0);
    expect(out.stdout).toContain(`Logged out of ${remote.url}`);
    expect(existsSync(join(laptop.state, "login.json"))).toBe(false);
  });
});

describe("llmux login URL without a key: the browser sign-in, a key of the person's own within the caps", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("prints the address and code, waits for the browser, mints a key within the team's caps and keeps it", async () => {
    const teams = (await admin("GET", "/teams")).data as { id: string; name: string }[];
    const data = teams.find((t) => t.name === "data")!;
    await admin("POST", `/teams/${data.id}/member-caps`, { budget_usd: 5, max_keys: 1 });
    let seen = "";
    const child = new Promise<Launched>((resolve) => {
      void launch(laptop, ["login", remote.url], {
        env: {},
        onSpawn: (c) => c.stderr!.on("data", (d: Buffer) => (seen += d.toString())),
      }).then(resolve);
    });
    const printed = /Open (\S+) in your browser and check the code ([A-Z]{4}-[A-Z]{4})/;
    await expect.poll(() => printed.test(seen), { timeout: 30_000 }).toBe(true);
    const m = printed.exec(seen)!;
    expect(m[1]).toBe(`${remote.url}/device?user_code=${m[2]}`);
    expect(await browserStep(browser, m[1]!, "dev@example.com")).toContain("Signed in as dev@example.com");
    const r = await child;
    expect(r.code, run(r)).toBe(0);
    expect(r.stdout).toMatch(/Logged in to \S+ with key llmux login \S+ \(key_\w+\), team data\./);
    const stored = JSON.parse(readFileSync(join(laptop.state, "login.json"), "utf8")) as { key: string };
    expect(r.stdout + r.stderr).not.toContain(stored.key);
    const mine = (await admin("GET", `/keys?team_id=${data.id}`)).data as { user: string; budget: unknown }[];
    expect(mine.filter((k) => k.user === "dev@example.com" && k.budget !== null)).toHaveLength(1);
    expect(mine.find((k) => k.user === "dev@example.com" && k.budget !== null)!.budget).toEqual({
      usd: 5,
      period: "month",
    });
  }, 120_000);
});
