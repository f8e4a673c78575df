/**
 * `llmux env TOOL`: lines a real shell evaluates into the launcher's own variables (and, for Codex, a function
 * that adds its -c arguments — run here with the real Codex CLI). `llmux cursor`: the settings to paste and
 * why a local address cannot work for Cursor; `--tunnel` with a stand-in cloudflared printing cloudflared's
 * real log format.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseConfigYaml } from "@continuedev/config-yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPrivateAddress, quickTunnelUrl } from "../../src/launch/cursor.js";
import { exportLine, unsetLine, wrapperLine } from "../../src/launch/shell.js";
import { BIN } from "../cli/run.js";
import { CODEX_MODEL, claudeCodeEnv } from "../clients/cells.js";
import { ensureClient, MINIMAL_PATH } from "../support/clients.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { freePort } from "../support/instances.js";
import { type Home, launch, makeHome, removeHome, stopAll, until } from "../support/launch.js";
import { type Recorded, writeStandIns } from "./stand-in.js";

const KEY = `k'ey "with" $quotes ${randomBytes(3).toString("hex")}`;

let h: Harness;
let home: Home;
let bin: string;
const homes: Home[] = [];

beforeAll(async () => {
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    models: { [CODEX_MODEL]: { provider: "azure-responses", model: "gpt-5-codex" } },
  }));
  home = makeHome();
  homes.push(home);
  bin = writeStandIns(join(home.root, "bin"));
});

afterAll(async () => {
  await stopAll(homes.map((x) => x.state));
  await h?.close();
  for (const x of homes) removeHome(x);
});

/** Runs `sh -c SCRIPT` with the stand-ins (or `path`) first on PATH. */
function sh(
  script: string,
  env: Record<string, string> = {},
  path = bin,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "/bin/sh",
      ["-c", `${script} </dev/null`],
      {
        cwd: home.cwd,
        env: { PATH: `${path}:${MINIMAL_PATH}`, HOME: home.home, LLMUX: BIN, ...env },
        timeout: 120_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }),
    );
  });
}

const llmuxEnv = (args: string) => `eval "$(node "$LLMUX" env ${args} --url "$URL" --key "$KEY")"`;

describe("llmux env", { timeout: 120_000 }, () => {
  it("claude: sh evaluates the lines into exactly the documented variables, the key quoted safely", async () => {
    const r = await sh(`${llmuxEnv("claude --model sonnet-x")} && node -e 'console.log(JSON.stringify(process.env))'`, {
      URL: h.url,
      KEY,
      ANTHROPIC_AUTH_TOKEN: "users-own",
    });
    expect(r.code, r.stderr).toBe(0);
    const env = JSON.parse(r.stdout) as Record<string, string>;
    for (const [k, v] of Object.entries(claudeCodeEnv(h.url, KEY))) expect(env[k], k).toBe(v);
    expect(env.ANTHROPIC_MODEL).toBe("sonnet-x");
    expect(env.ANTHROPIC_AUTH_TOKEN).toBeUndefined();
  });

  it("codex: a shell function adds the launcher's -c arguments; the real Codex CLI answers through it", async () => {
    const out = join(home.root, "codex-rec.json");
    const r = await sh(`${llmuxEnv(`codex --model ${CODEX_MODEL}`)} && codex exec "two words"`, {
      URL: h.url,
      KEY,
      FAKE_OUT: out,
    });
    expect(r.code, r.stderr).toBe(0);
    const rec = JSON.parse(readFileSync(out, "utf8")) as Recorded;
    expect(rec.argv.slice(0, 2)).toEqual(["-c", "model_provider=llmux"]);
    expect(rec.argv.slice(-2)).toEqual(["exec", "two words"]);
    expect(rec.env.LLMUX_KEY).toBe(KEY);

    const codex = await ensureClient("codex");
    const answer = `Codex via llmux env ${randomBytes(3).toString("hex")}`;
    h.mock.enqueue({ match: { model: "gpt-5-codex" }, model: "gpt-5-codex", blocks: [{ type: "text", text: answer }] });
    const real = await sh(
      `${llmuxEnv(`codex --model ${CODEX_MODEL}`)} && codex exec --skip-git-repo-check --ephemeral "Reply with the scripted text."`,
      { URL: h.url, KEY },
      dirname(codex),
    );
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout.trim()).toBe(answer);
  });

  it("fish and PowerShell lines quote the same values their way", () => {
    expect(exportLine("fish", "K", `a'b\\c`)).toBe(`set -gx K 'a\\'b\\\\c'`);
    expect(exportLine("powershell", "K", "a'b")).toBe("$env:K = 'a''b'");
    expect(exportLine("sh", "K", "a'b")).toBe(`export K='a'\\''b'`);
    expect(unsetLine("fish", "K")).toBe("set -e K");
    expect(unsetLine("powershell", "K")).toBe("Remove-Item Env:K -ErrorAction SilentlyContinue");
    expect(wrapperLine("fish", "codex", ["-c", "x=1"])).toBe("function codex; command codex '-c' 'x=1' $argv; end");
    expect(wrapperLine("powershell", "codex", ["-c"])).toBe(
      "function codex { & (Get-Command codex -CommandType Application | Select-Object -First 1).Source '-c' @args }",
    );
  });

  it("an unknown tool or shell is a usage error", async () => {
    const r = await launch(home, ["env", "vim", "--url", h.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown tool 'vim'");
    const s = await launch(home, ["env", "claude", "--url", h.url, "--shell", "tcsh"]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain("--shell must be one of sh, fish, powershell");
    const c = await launch(home, ["env", "claude", "--url", h.url, "--embed", "embed"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain("--embed is for continue only");
  });

  it("continue: a config.yaml Continue's own parser reads, every role on llmux with the key", async () => {
    const r = await launch(home, [
      "env",
      "continue",
      "--url",
      h.url,
      "--key",
      KEY,
      "--model",
      "coder",
      "--autocomplete",
      "fim",
      "--embed",
      "embed",
      "--rerank",
      "rank",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const parsed = parseConfigYaml(r.stdout);
    const models = (parsed.models ?? []) as {
      provider: string;
      model: string;
      apiBase: string;
      apiKey: string;
      roles: string[];
    }[];
    expect(models.map((m) => [m.roles[0], m.provider, m.model, m.apiBase, m.apiKey])).toEqual([
      ["chat", "openai", "coder", `${h.url}/v1`, KEY],
      ["autocomplete", "mistral", "fim", `${h.url}/v1/`, KEY],
      ["embed", "openai", "embed", `${h.url}/v1`, KEY],
      ["rerank", "cohere", "rank", `${h.url}/v1/`, KEY],
    ]);
  });
});

describe("llmux cursor", { timeout: 120_000 }, () => {
  it("prints the settings to paste, and why a local http address cannot work (exit 1), with the options", async () => {
    const r = await launch(home, ["cursor", "--url", h.url, "--key", KEY]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(`OpenAI API Key: ${KEY}`);
    expect(r.stdout).toContain(`Override OpenAI Base URL: ${h.url}/cursor`);
    expect(r.stdout).toMatch(
      new RegExp(`Add Model, once per name, and switch each on: .*${CODEX_MODEL.replace(".", "\\.")}`),
    );
    expect(r.stdout).toContain("✗ http:// — Cursor calls its base URL over HTTPS only");
    expect(r.stdout).toContain("✗ 127.0.0.1 is a local or private address");
    expect(r.stdout).toContain("✓ llmux answers there");
    expect(r.stdout).toContain("llmux cursor --tunnel");
  });

  it("names a public host that does not resolve", async () => {
    const r = await launch(home, ["cursor", "--url", "https://llm.example.invalid", "--key", "k"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✓ HTTPS");
    expect(r.stdout).toContain("✗ llm.example.invalid does not resolve here");
  });

  it("--tunnel: starts llmux and cloudflared, prints the quick tunnel's address in Cursor's settings, closes the tunnel on SIGTERM", async () => {
    const port = await freePort();
    const config = join(home.root, "cursor.yaml");
    writeFileSync(
      config,
      JSON.stringify({ server: { port }, auth: { keys: [KEY] }, store: { path: join(home.root, "c.db") }, models: {} }),
    );
    const out = join(home.root, `cloudflared-${randomBytes(3).toString("hex")}.json`);
    const name = `gentle-river-${randomBytes(3).toString("hex")}`;
    let stdout = "";
    const r = await launch(home, ["cursor", "--tunnel", "--config", config], {
      path: [bin],
      env: { FAKE_CLOUDFLARED_OUT: out, FAKE_TUNNEL_NAME: name },
      onSpawn: (child) => {
        child.stdout!.on("data", (d: Buffer) => {
          stdout += d.toString();
        });
        void until(() => stdout.includes("Override OpenAI Base URL"), 60_000, "the settings").then(() =>
          child.kill("SIGTERM"),
        );
      },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(["tunnel", "--url", `http://127.0.0.1:${port}`]);
    expect(r.stdout).toContain(`Tunnel: https://${name}.trycloudflare.com → http://127.0.0.1:${port}`);
    expect(r.stdout).toContain(`Override OpenAI Base URL: https://${name}.trycloudflare.com/cursor`);
    expect(r.stdout).toContain(`OpenAI API Key: ${KEY}`);
    expect(r.stderr).toContain("started llmux in the background");
    expect(readFileSync(`${out}.stopped`, "utf8")).toBe("SIGTERM");
  });

  it("--tunnel refuses to publish an llmux that requires no key, and says how to get cloudflared", async () => {
    const port = await freePort();
    const open = join(home.root, "open.yaml");
    writeFileSync(open, JSON.stringify({ server: { port }, store: { path: join(home.root, "o.db") } }));
    const out = join(home.root, "never.json");
    const refused = await launch(home, ["cursor", "--tunnel", "--config", open], {
      path: [bin],
      env: { FAKE_CLOUDFLARED_OUT: out },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("requires no key, and a tunnel makes it public");
    expect(existsSync(out)).toBe(false);
    const keyed = join(home.root, "keyed.yaml");
    writeFileSync(keyed, JSON.stringify({ server: { port }, auth: { keys: ["k"] } }));
    const missing = await launch(home, ["cursor", "--tunnel", "--config", keyed]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("cloudflared is not installed");
    expect(missing.stderr).toContain("https://developers.cloudflare.com/");
  });

  it("reads the address from cloudflared's box, not the other URLs of its log; tells private addresses", () => {
    const log = [
      "2026-11-23T10:00:00Z INF Thank you for trying Cloudflare Tunnel. … (https://www.cloudflare.com/website-terms/) … https://developers.cloudflare.com/cloudflare-one/connections/connect-apps",
      "2026-11-23T10:00:00Z INF Requesting new quick Tunnel on trycloudflare.com...",
      "2026-11-23T10:00:01Z INF +------------------------------------------+",
      "2026-11-23T10:00:01Z INF |  https://seen-words-here.trycloudflare.com  |",
    ].join("\n");
    expect(quickTunnelUrl(log)).toBe("https://seen-words-here.trycloudflare.com");
    expect(quickTunnelUrl(log.split("\n").slice(0, 2).join("\n"))).toBeUndefined();
    for (const ip of [
      "10.1.2.3",
      "172.16.0.1",
      "192.168.1.1",
      "127.0.0.1",
      "100.64.0.1",
      "::1",
      "fd00::1",
      "fe80::1",
      "::ffff:10.0.0.1",
    ]) {
      expect(isPrivateAddress(ip), ip).toBe(true);
    }
    for (const ip of ["8.8.8.8", "172.32.0.1", "2606:4700::1111"]) expect(isPrivateAddress(ip), ip).toBe(false);
  });
});
