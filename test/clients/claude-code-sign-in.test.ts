/**
 * The real, newest Claude Code signs in to llmux with `/login`, driven in a terminal (tmux send-keys and
 * capture-pane), the browser step with Chromium at the fake OpenID Connect provider: Claude Code takes the
 * gateway's address from a managed settings file (put in /etc/claude-code inside a private mount namespace,
 * so that no other process on the machine sees it), trusts the gateway, runs the device flow, shows the
 * approving account, fetches the group's managed settings (its model picker then lists the group's models),
 * answers a prompt through llmux (attributed to the person and their team in the request log), and `/logout`
 * revokes the session at llmux.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { browserStep } from "../signin/support/device-client.js";
import { adminGet, signinConfig, until } from "../signin/support/signin-gateway.js";
import { Terminal } from "../signin/support/terminal.js";
import { clientBin, ensureClient, makeWorkspace, removeWorkspace, type Workspace } from "../support/clients.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { launch } from "../ui/support/browser.js";
import { type FakeIssuer, startFakeIssuer } from "../ui/support/fake-issuer.js";

const ADMIN = "signin-admin-key-0123456789abcdef";
const REPLY = "Hello from llmux through sign-in.";

describe("the real Claude Code signs in to llmux with /login", { timeout: 300_000 }, () => {
  let issuer: FakeIssuer;
  let h: Harness;
  let ws: Workspace;
  let browser: Browser;
  let term: Terminal | undefined;

  beforeAll(async () => {
    if (process.getuid?.() !== 0)
      throw new Error("this test puts a managed settings file in a private mount namespace: it must run as root");
    await ensureClient("claude-code-latest");
    issuer = await startFakeIssuer();
    issuer.groups.set("ada@example.com", ["data-team"]);
    issuer.groups.set("wes@example.com", ["web-team"]);
    const signin = signinConfig(issuer);
    signin.groups["data-team"] = {
      team: "data",
      models: ["claude-*"],
      settings: { availableModels: ["claude-sonnet-4-5", "claude-haiku-4-5"] },
    } as (typeof signin.groups)["data-team"];
    signin.groups["web-team"] = {
      team: "web",
      models: ["claude-*"],
      settings: { availableModels: ["claude-sonnet-4-6"] },
    } as (typeof signin.groups)["web-team"];
    h = await startHarness(() => ({
      logging: { level: "warn" },
      admin: { keys: [ADMIN] },
      providers: { "signin-mock": { type: "mock", dialect: "anthropic", reply: REPLY } },
      models: { "*": { provider: "signin-mock" } },
      signin,
    }));
    ws = await makeWorkspace("claude-code-latest");
    // Onboarding done and the folder trusted (remembered per project folder); put back before each start, since
    // signing out starts the onboarding again.
    const onboarded = JSON.stringify({
      hasCompletedOnboarding: true,
      theme: "dark",
      numStartups: 1,
      projects: { [ws.cwd]: { hasTrustDialogAccepted: true } },
    });
    await writeFile(join(ws.root, "claude.json"), onboarded);
    for (const d of ["etc-upper", "etc-work"]) await mkdir(join(ws.root, d));
    await writeFile(
      join(ws.root, "managed-settings.json"),
      JSON.stringify({ forceLoginMethod: "gateway", forceLoginGatewayUrl: h.url }),
    );
    // Inside `unshare -m`: /etc gets an overlay whose upper layer holds claude-code/managed-settings.json.
    await writeFile(
      join(ws.root, "run.sh"),
      [
        "#!/bin/bash",
        "set -e",
        "mount --make-rprivate /",
        `mount -t overlay overlay -o lowerdir=/etc,upperdir=${ws.root}/etc-upper,workdir=${ws.root}/etc-work /etc`,
        "mkdir -p /etc/claude-code",
        `cp ${ws.root}/managed-settings.json /etc/claude-code/managed-settings.json`,
        `cp ${ws.root}/claude.json ${ws.home}/.claude.json`,
        `cd ${ws.cwd}`,
        `exec env -i PATH=/usr/bin:/bin HOME=${ws.home} TERM=xterm-256color DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 BROWSER=/bin/true ${clientBin("claude-code-latest")}`,
      ].join("\n"),
      { mode: 0o755 },
    );
    browser = await launch();
  }, 400_000);

  afterAll(async () => {
    await term?.close();
    await browser?.close();
    await h?.close();
    await issuer?.close();
    if (ws) await removeWorkspace(ws);
  });

  /**
   * Answers the screens Claude Code may show as it starts (security notes, trusting the folder, approving managed
   * settings) until its prompt is ready, the same screen twice in a row a second apart (not one a restart is
   * about to replace).
   */
  async function untilPrompt(t: Terminal): Promise<void> {
    const end = Date.now() + 60_000;
    let readySince: number | undefined;
    for (;;) {
      const screen = await t.screen();
      if (/Yes, I trust these settings/.test(screen)) await t.keys("Down", "Enter");
      else if (/Security notes[\s\S]*Press Enter to continue/.test(screen)) await t.keys("Enter");
      else if (/Yes, I trust this folder/.test(screen)) await t.keys("Down", "Enter");
      else if (/Choose the text style/.test(screen)) await t.keys("Enter");
      else if (/^❯\s*$/m.test(screen) && !/Login\s*$/m.test(screen)) {
        if (readySince !== undefined && Date.now() - readySince >= 1000) return;
        readySince ??= Date.now();
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      readySince = undefined;
      if (Date.now() > end) throw new Error(`Claude Code never came to its prompt; it shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** `/login` in the running Claude Code, the browser step as `email`, and the confirmations that follow. */
  async function login(t: Terminal, email: string): Promise<void> {
    await untilPrompt(t);
    // The managed settings file was read: Claude Code names the gateway sign-in.
    await t.waitFor(/Cloud gateway/);
    await t.type("/login");
    await t.waitFor(new RegExp(`Gateway:\\s+${h.url.replace(/\./g, "\\.")}`));
    await t.keys("Enter");
    // First contact: trust the gateway (a loopback http:// gateway has no certificate to pin).
    const next = await t.waitFor(/Trust gateway 127\.0\.0\.1\?|Code:\s+[A-Z]{4}-[A-Z]{4}/);
    if (next[0].startsWith("Trust")) await t.keys("Up", "Enter");
    const [, code] = await t.waitFor(/Code:\s+([A-Z]{4}-[A-Z]{4})/);
    expect(await browserStep(browser, `${h.url}/device?user_code=${code}`, email)).toContain(`Signed in as ${email}`);
    // Claude Code shows the account the token endpoint named and asks to confirm it.
    await t.waitFor(new RegExp(`Signed in to Cloud gateway as ${email.replace(/\./g, "\\.")}`));
    await t.keys("Up", "Enter");
    await t.waitFor(/Connected to Cloud gateway/);
    await t.keys("Enter");
    // Claude Code restarts to apply the managed settings; answer the screens it may show on the way.
    await untilPrompt(t);
  }

  /** The model picker's text. */
  async function picker(t: Terminal): Promise<string> {
    await t.type("/model");
    const [text] = await t.waitFor(/Select model[\s\S]*Esc to cancel/);
    await t.keys("Escape");
    return text;
  }

  /** Requests to /v1/messages that llmux answered for a person (from the request log). */
  async function answered(email: string): Promise<Record<string, unknown>[]> {
    const rows = (await adminGet(h, `/requests?user=${email}`)).rows as Record<string, unknown>[];
    return rows.filter((r) => r.path === "/v1/messages" && r.status === 200);
  }

  it("completes /login, answers a prompt attributed to the person and team, shows each group's models, and signs out", async () => {
    const run = `unshare -m ${join(ws.root, "run.sh")}`;
    term = await Terminal.start(`${run}; clear; ${run}; sleep 600`);
    await login(term, "ada@example.com");

    await term.type("say hi");
    await term.waitFor(new RegExp(REPLY.replace(/\./g, "\\.")), 60_000);
    const teams = (await adminGet(h, "/teams")).data as { id: string; name: string }[];
    const data = teams.find((t) => t.name === "data");
    expect(data).toBeDefined();
    const ada = await answered("ada@example.com");
    expect(ada.length).toBeGreaterThan(0);
    for (const r of ada)
      expect(r).toMatchObject({ user: "ada@example.com", team_id: data!.id, key_name: "signin:ada@example.com" });

    // The model picker lists the models the group's managed settings allow.
    const adaModels = await picker(term);
    expect(adaModels).toContain("claude-sonnet-4-5");
    expect(adaModels).toContain("claude-haiku-4-5");
    expect(adaModels).not.toContain("Sonnet 4.6");

    // Sign-out revokes the session at llmux (and Claude Code exits; the terminal starts it again).
    expect((await h.gateway.signin!.store.live()).map((s) => s.email)).toEqual(["ada@example.com"]);
    await term.type("/logout");
    // Its "logged out" line can be gone before a look: Claude Code exits and the terminal starts it again at
    // once. What counts is that llmux ended the session, and that the new Claude Code is not signed in.
    await until(async () => ((await h.gateway.signin!.store.live()).length === 0 ? true : undefined), 60_000);
    expect(await h.gateway.signin!.store.live()).toEqual([]);
    await term.waitFor(/Not logged in/);

    // Someone of another group: their own team and models.
    await login(term, "wes@example.com");
    const wesModels = await picker(term);
    // (a model Claude Code knows is listed by its name)
    expect(wesModels).toContain("Sonnet 4.6");
    expect(wesModels).not.toContain("Haiku 4.5");
    await term.type("say hi");
    await until(async () => ((await answered("wes@example.com")).length > 0 ? true : undefined), 60_000);
    const web = ((await adminGet(h, "/teams")).data as { id: string; name: string }[]).find((t) => t.name === "web");
    for (const r of await answered("wes@example.com")) expect(r).toMatchObject({ team_id: web!.id });
  });
});
