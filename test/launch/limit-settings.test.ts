/**
 * A model's limits reach each tool's own settings (src/launch/limit-settings.ts, src/launch/tools.ts): Codex's
 * `-c model_context_window` and `model_auto_compact_token_limit`, Claude Code's CLAUDE_CODE_MAX_OUTPUT_TOKENS
 * and, by its model-name conventions, CLAUDE_CODE_MAX_CONTEXT_TOKENS / CLAUDE_CODE_DISABLE_1M_CONTEXT /
 * CLAUDE_CODE_AUTO_COMPACT_WINDOW, OpenCode's model `limit`, Gemini CLI's `model.compressionThreshold`. The
 * launcher reads the limits from GET /v1/models (llmux's own, and a hostile server's, whose values are ignored
 * unless they are plain token counts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkKey, limitsFor } from "../../src/launch/models.js";
import { TOOLS } from "../../src/launch/tools.js";
import { type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-limit-settings-0123456789";
const base = { url: "http://127.0.0.1:4000", key: KEY };
const small = { contextWindow: 16_000, maxOutputTokens: 4_000 };

describe("each launcher passes the chosen model's limits to the tool", () => {
  it("Codex: model_context_window and the auto-compact limit Codex derives from it (90%)", () => {
    for (const websocket of [false, true]) {
      const s = TOOLS.codex.setup({ ...base, model: "small16k", websocket, limits: { small16k: small } });
      const at = s.args.indexOf('model="small16k"');
      expect(at).toBeGreaterThan(0);
      expect(s.args.slice(at + 1, at + 5)).toEqual([
        "-c",
        "model_context_window=16000",
        "-c",
        "model_auto_compact_token_limit=14400",
      ]);
      expect(s.args.join(" ")).not.toContain("max_output");
    }
    // Another model's limits, or none: nothing added.
    const other = TOOLS.codex.setup({ ...base, model: "gpt-high", limits: { small16k: small } });
    expect(other.args.join(" ")).not.toContain("model_context_window");
    const none = TOOLS.codex.setup({ ...base, limits: { small16k: small } });
    expect(none.args.join(" ")).not.toContain("model_context_window");
  });

  it("Claude Code: its most output, and the window of a name it does not know, in the environment and the settings", () => {
    const s = TOOLS.claude.setup({ ...base, model: "small16k", limits: { small16k: small } });
    expect(s.env.CLAUDE_CODE_MAX_OUTPUT_TOKENS).toBe("4000");
    expect(s.env.CLAUDE_CODE_MAX_CONTEXT_TOKENS).toBe("16000");
    expect(s.env.CLAUDE_CODE_DISABLE_1M_CONTEXT).toBeUndefined();
    const settings = JSON.parse(s.files![0]!.content) as { env: Record<string, string> };
    expect(settings.env.CLAUDE_CODE_MAX_OUTPUT_TOKENS).toBe("4000");
    expect(settings.env.CLAUDE_CODE_MAX_CONTEXT_TOKENS).toBe("16000");
  });

  it("Claude Code: a [1m] name with a smaller window turns the 1M assumption off; a claude-* name gets the auto-compact window", () => {
    const big = TOOLS.claude.setup({ ...base, model: "long[1m]", limits: { "long[1m]": { contextWindow: 400_000 } } });
    expect(big.env.CLAUDE_CODE_MAX_CONTEXT_TOKENS).toBe("400000");
    expect(big.env.CLAUDE_CODE_DISABLE_1M_CONTEXT).toBe("1");
    expect(big.env.CLAUDE_CODE_MAX_OUTPUT_TOKENS).toBeUndefined();
    const named = TOOLS.claude.setup({
      ...base,
      model: "claude-sonnet-4-5",
      limits: { "claude-sonnet-4-5": { contextWindow: 128_000, maxOutputTokens: 16_384 } },
    });
    // Claude Code knows claude-* names' windows itself: CLAUDE_CODE_MAX_CONTEXT_TOKENS would be ignored.
    expect(named.env.CLAUDE_CODE_MAX_CONTEXT_TOKENS).toBeUndefined();
    expect(named.env.CLAUDE_CODE_AUTO_COMPACT_WINDOW).toBe("128000");
    expect(named.env.CLAUDE_CODE_MAX_OUTPUT_TOKENS).toBe("16384");
    // Below the variable's range (100k): left to Claude Code.
    const tiny = TOOLS.claude.setup({ ...base, model: "claude-x", limits: { "claude-x": small } });
    expect(tiny.env.CLAUDE_CODE_AUTO_COMPACT_WINDOW).toBeUndefined();
    // No model chosen: Claude Code's own names, nothing to say about them.
    const none = TOOLS.claude.setup({ ...base, limits: { small16k: small } });
    expect(Object.keys(none.env).filter((k) => k.includes("TOKENS") || k.includes("WINDOW"))).toEqual([]);
  });

  it("OpenCode: each listed model's limit, OpenCode's former defaults for those llmux knows nothing of", () => {
    const s = TOOLS.opencode.setup({
      ...base,
      model: "small16k",
      listed: ["small16k", "other"],
      limits: { small16k: small },
    });
    const content = JSON.parse(s.env.OPENCODE_CONFIG_CONTENT!) as {
      provider: { llmux: { models: Record<string, { limit: unknown }> } };
    };
    expect(content.provider.llmux.models.small16k!.limit).toEqual({ context: 16_000, output: 4_000 });
    expect(content.provider.llmux.models.other!.limit).toEqual({ context: 200_000, output: 32_000 });
  });

  describe("Gemini CLI: the compression threshold scaled to the window it assumes (1,048,576)", () => {
    let userHome: string;
    beforeAll(() => {
      userHome = mkdtempSync(join(tmpdir(), "llmux-gemini-limits-"));
    });
    afterAll(() => rmSync(userHome, { recursive: true, force: true }));

    const settingsOf = (model: string | undefined) => {
      const s = TOOLS.gemini.setup({ ...base, model, env: { HOME: userHome }, limits: { small16k: small } });
      const file = Object.entries(s.home!.files).find(([p]) => p.endsWith("settings.json"))![1];
      return JSON.parse(file) as { model?: { compressionThreshold?: number; name?: string } };
    };

    it("the default share (0.5) of the real window", () => {
      expect(settingsOf("small16k").model?.compressionThreshold).toBe(0.0076);
      expect(settingsOf(undefined).model).toBeUndefined();
      expect(settingsOf("unknown").model).toBeUndefined();
      // A window as large as the one Gemini CLI assumes: its own threshold stands.
      const s = TOOLS.gemini.setup({
        ...base,
        model: "big",
        env: { HOME: userHome },
        limits: { big: { contextWindow: 1_048_576 } },
      });
      expect(Object.values(s.home!.files)[0]).not.toContain("compressionThreshold");
    });

    it("the user's own share, kept with their other model settings", () => {
      mkdirSync(join(userHome, ".gemini"), { recursive: true });
      writeFileSync(
        join(userHome, ".gemini", "settings.json"),
        JSON.stringify({ model: { compressionThreshold: 0.3, name: "theirs" } }),
      );
      expect(settingsOf("small16k").model).toEqual({ compressionThreshold: 0.0046, name: "theirs" });
    });
  });
});

describe("the launcher reads the limits from GET /v1/models", () => {
  let h: Harness;
  let hostile: Server;
  let hostileUrl: string;
  beforeAll(async () => {
    h = await startHarness(() => ({
      auth: { keys: [KEY] },
      models: {
        small16k: { provider: "azure-responses", model: "gpt-5-codex", context_window: 16_000 },
        "pat-*": { provider: "compat", model: "deploy-x", context_window: 20_000 },
      },
    }));
    hostile = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify({
          object: "list",
          data: [
            { id: "a", context_window: "16000 -c sandbox_mode=danger-full-access", max_output_tokens: -5 },
            { id: "b", context_window: 1e12, max_output_tokens: 1.5 },
            { id: "c", context_window: 32_000, max_output_tokens: 2_000 },
            { id: 7 },
          ],
        }),
      );
    });
    await new Promise<void>((r) => hostile.listen(0, "127.0.0.1", r));
    const addr = hostile.address() as { port: number };
    hostileUrl = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((r) => hostile?.close(r));
  });

  it("llmux's: the declared window and the table's output, by name", async () => {
    const checked = await checkKey(h.url, KEY);
    expect(checked.ok).toBe(true);
    if (checked.ok !== true) return;
    expect(checked.limits.small16k).toEqual({ contextWindow: 16_000, maxOutputTokens: 8_000 });
    expect(checked.limits["via-openai-chat"]).toEqual({ contextWindow: 1_047_576, maxOutputTokens: 32_768 });
  });

  it("a name only a pattern routes (not listed): asked for by itself", async () => {
    const checked = await checkKey(h.url, KEY);
    if (checked.ok !== true) throw new Error("llmux refused the key");
    expect(checked.limits["pat-one"]).toBeUndefined();
    const limits = await limitsFor(h.url, KEY, checked.limits, ["pat-one", "no-such-model", undefined]);
    expect(limits["pat-one"]).toEqual({ contextWindow: 20_000 });
    expect(limits["no-such-model"]).toBeUndefined();
    expect(limits.small16k).toEqual(checked.limits.small16k);
  });

  it("a hostile server's: only plain token counts are kept", async () => {
    const checked = await checkKey(hostileUrl, KEY);
    expect(checked).toEqual({
      ok: true,
      models: ["a", "b", "c"],
      limits: { c: { contextWindow: 32_000, maxOutputTokens: 2_000 } },
    });
  });
});
