/**
 * `llmux login URL` and `llmux logout`, in process against a running team gateway: the key checked there and
 * kept (0600, never printed), a wrong key and a missing one refused in words, the launchers' target taken from
 * the login (a remote one: never started), and `llmux keys create` printing the `llmux login` line.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { CommandInput } from "../../src/cli/command.js";
import { keysCommand } from "../../src/cli/keys.js";
import { loginCommand, logoutCommand } from "../../src/cli/login.js";
import { start } from "../../src/cli/start.js";
import { ensureLlmux } from "../../src/launch/server.js";
import { resolveTarget } from "../../src/launch/target.js";
import type { Gateway } from "../../src/server/gateway.js";
import { freePort } from "../support/free-port.js";
import { ADMIN, call, MASTER } from "../support/team.js";

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
afterAll(() => vi.restoreAllMocks());

const input = (values: Record<string, unknown>, args: string[], env: NodeJS.ProcessEnv): CommandInput =>
  ({ values, args, env }) as unknown as CommandInput;

describe("llmux login against a team gateway", () => {
  let dir: string;
  let config: string;
  let gateway: Gateway;
  let url: string;
  let laptop: NodeJS.ProcessEnv;
  let minted: { id: string; key: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "llmux-login-"));
    const port = await freePort();
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
    gateway = await start({ config, port, host: "127.0.0.1" }, {}, pino({ level: "silent" }));
    url = `http://127.0.0.1:${port}`;
    minted = (await call(url, "POST", "/admin/v1/keys", ADMIN, { name: "bob-laptop", user: "bob" })).body as {
      id: string;
      key: string;
    };
    laptop = { HOME: join(dir, "home"), LLMUX_STATE_DIR: join(dir, "state") };
  });
  afterAll(async () => {
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("without --key, on a gateway without sign-in and no terminal: refused, saying to pass --key", async () => {
    await expect(loginCommand.run!(input({}, [url], laptop))).rejects.toThrow(/no key: pass --key lx-…/);
    await expect(loginCommand.run!(input({}, ["ftp://x"], laptop))).resolves.toBe(1);
    expect(errors).toContain("URL: must start with https://");
  });

  it("a key the gateway refuses is not kept; one it knows is kept (0600) and never printed", async () => {
    expect(await loginCommand.run!(input({ key: "lx-nope" }, [url], laptop))).toBe(1);
    expect(errors).toContain(`llmux at ${url} refuses this key (401)`);
    expect(() => statSync(join(dir, "state", "login.json"))).toThrow();
    expect(await loginCommand.run!(input({ key: minted.key }, [`${url}/`], laptop))).toBe(0);
    expect(printed).toContain(`Logged in to ${url} with key bob-laptop (${minted.id}).`);
    expect(printed + errors).not.toContain(minted.key);
    const file = join(dir, "state", "login.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ url, key: minted.key });
  });

  it("the launchers' target is the login's llmux (never started here); --url, $LLMUX_URL, --config still win", async () => {
    const t = resolveTarget({}, laptop);
    expect(t).toMatchObject({ url, key: minted.key, local: false });
    expect(t.keySource).toBe(`llmux login (key bob-laptop (${minted.id}))`);
    expect(resolveTarget({ key: "lx-other" }, laptop)).toMatchObject({ url, key: "lx-other", keySource: "--key" });
    expect(resolveTarget({}, { ...laptop, LLMUX_URL: "https://other.example" }).url).toBe("https://other.example");
    expect(resolveTarget({ config }, laptop)).toMatchObject({ local: true });
    // A remote llmux that does not answer is said so, never started.
    await expect(ensureLlmux({ ...t, url: "http://127.0.0.1:9" }, laptop, 2000)).rejects.toThrow(
      "llmux does not answer at http://127.0.0.1:9",
    );
  });

  it("llmux logout forgets it; the launchers are local again", async () => {
    expect(await logoutCommand.run!(input({}, [], laptop))).toBe(0);
    expect(printed).toContain(`Logged out of ${url}`);
    expect(() => resolveTarget({}, { ...laptop, LLMUX_CONFIG: config })).not.toThrow();
    expect(resolveTarget({}, { ...laptop, LLMUX_CONFIG: config }).local).toBe(true);
    expect(await logoutCommand.run!(input({}, [], laptop))).toBe(0);
    expect(printed).toContain("Not logged in");
  });

  it("llmux keys create prints the llmux login line for the developer's laptop", async () => {
    const create = keysCommand.subcommands!.find((c) => c.name === "create")!;
    await create.run!(input({ config, name: "carol-laptop" }, [], { LLMUX_URL: "https://llm.example.com/" }));
    expect(printed).toMatch(/\n {2}llmux login https:\/\/llm\.example\.com --key lx-[\w-]{43}\n/);
    expect(printed).toContain("llmux claude --url https://llm.example.com");
  });
});
