/**
 * Closed means closed, for the launchers: a gateway of minted keys (no auth.keys) is a team gateway.
 * `llmux cursor` tells each developer to paste their own key (never "any text works") and gives the team
 * recipe; `llmux cursor --tunnel` opens the tunnel for it (refused only while no key exists at all);
 * `llmux keys create`'s "ready to paste" lines always name the gateway's address; a launcher given a minted key
 * on a machine with no configuration refuses to start a mock llmux of its own.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { CommandInput, Running } from "../../src/cli/command.js";
import { cursorCommand } from "../../src/cli/cursor.js";
import { envCommand } from "../../src/cli/env.js";
import { keysCommand } from "../../src/cli/keys.js";
import { claudeCommand } from "../../src/cli/launch.js";
import { start } from "../../src/cli/start.js";
import { ensureLlmux } from "../../src/launch/server.js";
import { resolveTarget } from "../../src/launch/target.js";
import type { Gateway } from "../../src/server/gateway.js";
import { freePort } from "../support/free-port.js";
import { ADMIN, call, MASTER } from "../support/team.js";
import { writeStandIns } from "./stand-in.js";

const quiet = pino({ level: "silent" });
let printed = "";
let errors = "";
beforeAll(() => {
  vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    printed += String(c);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
    errors += String(c);
    return true;
  });
});
afterEach(() => {
  printed = "";
  errors = "";
});
afterAll(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const input = (values: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): CommandInput =>
  ({ values, args: [], env }) as unknown as CommandInput;

describe("a team gateway (minted keys, no auth.keys) through the launchers", () => {
  let dir: string;
  let config: string;
  let port: number;
  let gateway: Gateway;
  let url: string;
  let bin: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "llmux-team-gw-"));
    bin = writeStandIns(join(dir, "bin"));
    port = await freePort();
    config = join(dir, "llmux.yaml");
    writeFileSync(
      config,
      JSON.stringify({
        server: { port },
        store: { path: join(dir, "llmux.db") },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        providers: { mock: { type: "mock" } },
        models: { m: { provider: "mock" } },
      }),
    );
    gateway = await start({ config, port, host: "127.0.0.1" }, {}, quiet);
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(() => gateway?.close());

  const tunnel = async (): Promise<number | Running> => {
    const out = join(dir, `cloudflared-${randomBytes(3).toString("hex")}.json`);
    // cloudflared is started with this process's environment.
    vi.stubEnv("FAKE_CLOUDFLARED_OUT", out);
    vi.stubEnv("FAKE_TUNNEL_NAME", "team-tunnel");
    return (await cursorCommand.run!(
      input(
        { tunnel: true, config, cloudflared: join(bin, "cloudflared") },
        { PATH: process.env.PATH, FAKE_CLOUDFLARED_OUT: out, FAKE_TUNNEL_NAME: "team-tunnel" },
      ),
    )) as number | Running;
  };

  it("before the first key: --tunnel refuses an open llmux, saying to mint one key per person", async () => {
    expect(await tunnel()).toBe(1);
    expect(errors).toContain("requires no key, and a tunnel makes it public");
    expect(errors).toContain("llmux keys create");
  });

  it("after the first key: llmux cursor says each person pastes their own key, with the team recipe", async () => {
    const minted = await call(url, "POST", "/admin/v1/keys", ADMIN, { name: "alice-cursor", user: "alice" });
    expect(minted.status).toBe(201);
    for (const values of [{ url }, { config }]) {
      printed = "";
      await cursorCommand.run!(input(values, { PATH: process.env.PATH }));
      expect(printed, JSON.stringify(values)).toContain("OpenAI API Key: your own llmux key (lx-…");
      expect(printed).not.toContain("any text");
      expect(printed).not.toContain("llmux-no-key-needed");
      expect(printed).toContain("then one key per person: llmux keys create");
    }
    printed = "";
    await envCommand.run!({
      values: { url },
      args: ["cursor"],
      env: { PATH: process.env.PATH },
    } as unknown as CommandInput);
    expect(printed).toContain("OpenAI API Key: your own llmux key (lx-…");
    expect(printed).not.toContain("any text");
  });

  it("a launcher without a key says the team gateway needs each person's own, not that auth.keys is empty", async () => {
    const code = await claudeCommand.run!(input({ config }, { PATH: `${bin}:${process.env.PATH}` }));
    expect(code).toBe(1);
    expect(errors).toContain("requires a key: it answers only the keys minted for it");
    expect(errors).toContain("--key lx-…");
    expect(errors).not.toContain("requires no key");
  });

  it("--tunnel works with the team gateway and tells each developer to paste their own key", async () => {
    const running = await tunnel();
    expect(typeof running, errors).toBe("object");
    try {
      expect(printed).toContain("Tunnel: https://team-tunnel.trycloudflare.com");
      expect(printed).toContain("Override OpenAI Base URL: https://team-tunnel.trycloudflare.com/cursor");
      expect(printed).toContain("OpenAI API Key: your own llmux key (lx-…");
      expect(errors).not.toContain("requires no key");
    } finally {
      await (running as Running).close?.();
    }
  });

  it("keys create: the ready-to-paste lines name the gateway's address (--url, $LLMUX_URL, or a placeholder said so)", async () => {
    const create = keysCommand.subcommands!.find((c) => c.name === "create")!;
    await create.run!(input({ config, name: "bob-laptop" }));
    expect(printed).toMatch(/llmux claude --url https:\/\/LLMUX-ADDRESS/);
    expect(printed).toContain("Replace https://LLMUX-ADDRESS with the address developers reach this llmux on");
    printed = "";
    await create.run!(input({ config, name: "carol-laptop" }, { LLMUX_URL: "https://llm.example.com/" }));
    expect(printed).toContain("llmux claude --url https://llm.example.com ");
    expect(printed).not.toContain("LLMUX-ADDRESS");
    const shown = readFileSync(config, "utf8");
    writeFileSync(config, JSON.stringify({ ...JSON.parse(shown), server: { port, host: "10.1.2.3" } }));
    try {
      printed = "";
      await create.run!(input({ config, name: "dan-laptop" }));
      expect(printed).toContain(`llmux claude --url http://10.1.2.3:${port}`);
    } finally {
      writeFileSync(config, shown);
    }
  });
});

describe("a minted key on a laptop with no configuration", () => {
  it("is refused before a mock llmux is started for it, naming --url", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "llmux-laptop-"));
    const env = { HOME: cwd, PATH: process.env.PATH, LLMUX_KEY: "lx-0123456789abcdefghij" };
    const target = resolveTarget({ cwd, port: await freePort() }, env);
    expect(target.resolved?.mock).toBe(true);
    await expect(ensureLlmux(target, env, 2000)).rejects.toThrow(/\$LLMUX_KEY holds a minted key .* Pass --url/);
  });
});
