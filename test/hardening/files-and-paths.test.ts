/**
 * Files and paths: the SQLite file (the envelope secret, conversations, keys) is created 0600 in a directory
 * created 0700, and so are its WAL files; an unusable store.path stops `llmux start` with a message naming
 * it; Azure deployment names are percent-encoded into the upstream path and `.`/`..` are refused, as are
 * Bedrock model ids `.`/`..`.
 */
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { Data } from "../../src/data/data.js";
import { Warnings } from "../../src/ir/warnings.js";
import { azureProvider } from "../../src/providers/azure.js";
import { llmux } from "../cli/run.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { type ReplayServer, startReplayServer } from "../support/replay-server.js";

/** `PROVIDER/..` and `PROVIDER/.` as model names: each a 400 naming `model` (its message says `words`), nothing upstream. */
async function expectDotNamesRefused(h: Harness, up: ReplayServer, provider: string, words: string): Promise<void> {
  for (const model of [`${provider}/..`, `${provider}/.`]) {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status, model).toBe(400);
    const body = (await res.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe("model");
    expect(body.error.message).toContain(words);
  }
  expect(up.requests).toHaveLength(0);
}

const mode = (p: string) => statSync(p).mode & 0o777;
const MASTER = "pS5HSP32jysrAlaFNfw2POaEyHBECUk8zTWwBn0yzaU=";

describe("the SQLite file", () => {
  it("is created 0600, with its WAL files, in directories created 0700 (whatever the umask)", async () => {
    const root = mkdtempSync(join(tmpdir(), "llmux-perm-"));
    const path = join(root, "state", "deep", "llmux.db");
    const data = new Data({ path });
    const umask = process.umask(0);
    try {
      const db = await data.db();
      await db.selectFrom("credentials").select("key_id").execute();
      expect(mode(join(root, "state"))).toBe(0o700);
      expect(mode(join(root, "state", "deep"))).toBe(0o700);
      const files = readdirSync(join(root, "state", "deep"));
      expect(files).toContain("llmux.db");
      for (const f of files) expect(mode(join(root, "state", "deep", f)), f).toBe(0o600);
    } finally {
      process.umask(umask);
      await data.close();
    }
  });

  it("made by an earlier version with the umask's mode is tightened to 0600", async () => {
    const root = mkdtempSync(join(tmpdir(), "llmux-perm-"));
    const path = join(root, "llmux.db");
    writeFileSync(path, "", { mode: 0o644 });
    const data = new Data({ path });
    try {
      await data.db();
      expect(mode(path)).toBe(0o600);
    } finally {
      await data.close();
    }
  });
});

describe("an unusable store.path stops llmux start", () => {
  const config = (storePath: string) =>
    [
      "store:",
      `  path: ${JSON.stringify(storePath)}`,
      "secrets:",
      `  master_key: "${MASTER}"`,
      "providers:",
      "  m: { type: mock }",
      "models:",
      "  x: { provider: m }",
    ].join("\n");

  it.each([
    ["under a regular file", (dir: string) => join(dir, "a-file", "llmux.db"), "a part of it is a file"],
    ["a directory", (dir: string) => join(dir, "a-dir"), "is a directory"],
    ["a file that is not SQLite", (dir: string) => join(dir, "notes.txt"), "is not an SQLite database"],
  ])("%s: exit 1, naming store.path", async (_name, where, words) => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-badstore-"));
    writeFileSync(join(dir, "a-file"), "x");
    writeFileSync(join(dir, "notes.txt"), "some notes, not a database");
    mkdirSync(join(dir, "a-dir"));
    const storePath = where(dir);
    writeFileSync(join(dir, "llmux.yaml"), config(storePath));
    const r = await llmux(["start", "--config", join(dir, "llmux.yaml"), "--port", "0"], {}, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`store.path '${storePath}'`);
    expect(r.stderr).toContain(words);
    expect(r.stdout).not.toContain("listening");
  });
});

describe("Azure deployment names", () => {
  const provider = azureProvider("az", {
    type: "azure",
    base_url: "https://example.openai.azure.com",
    api_key: "k",
    api: "chat",
    api_version: "2024-10-21",
    auth: "api-key",
  } as Parameters<typeof azureProvider>[1]);
  const ctx = { stream: false, clientHeaders: {}, sameDialect: true, warnings: new Warnings() };

  it("are one percent-encoded path segment", () => {
    const url = new URL(provider.target("my dep/../x?y#z", ctx).url);
    expect(url.pathname).toBe("/openai/deployments/my%20dep%2F..%2Fx%3Fy%23z/chat/completions");
    expect(url.search).toBe("?api-version=2024-10-21");
  });

  it("'.' and '..' in the config are a configuration error naming the model", () => {
    const raw = (model: string) => ({
      providers: {
        az: { type: "azure", base_url: "https://x.openai.azure.com", api_key: "k", api_version: "2024-10-21" },
      },
      models: { gpt: { provider: "az", model } },
    });
    for (const bad of [".", ".."]) {
      let err: unknown;
      try {
        parseConfig(raw(bad), {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain("models.gpt.model");
      expect((err as Error).message).toContain("Azure deployment");
    }
    expect(() => parseConfig(raw("gpt-4o.2"), {})).not.toThrow();
  });

  describe("named by the client", () => {
    let h: Harness;
    let up: ReplayServer;
    beforeAll(async () => {
      up = await startReplayServer();
      up.setReply({ body: { error: { message: "should not be called" } }, status: 418 });
      h = await startHarness(() => ({
        providers: { az: { type: "azure", base_url: up.url, api_key: "k", api: "chat", api_version: "2024-10-21" } },
        models: { "dep-*": { provider: "az" } },
      }));
    });
    afterAll(async () => {
      await h.close();
      await up.close();
    });

    it("'.' and '..' are a 400 naming model, and nothing goes upstream", async () => {
      await expectDotNamesRefused(h, up, "az", "Azure deployment");
    });
  });
});

describe("Bedrock model ids named by the client", () => {
  let h: Harness;
  let up: ReplayServer;
  beforeAll(async () => {
    up = await startReplayServer();
    up.setReply({ body: { message: "should not be called" }, status: 418 });
    h = await startHarness(() => ({
      providers: { br: { type: "bedrock", region: "us-east-1", base_url: up.url, api_key: "bedrock-api-key" } },
      models: { "br-*": { provider: "br" } },
    }));
  });
  afterAll(async () => {
    await h.close();
    await up.close();
  });

  it("'.' and '..' are a 400 naming model, and nothing goes upstream", async () => {
    await expectDotNamesRefused(h, up, "br", "Bedrock model id");
  });
});
