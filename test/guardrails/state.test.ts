/** The verdict cache and the masked values' mapping on both hot-state engines (memory, Redis). */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GuardrailsSchema } from "../../src/config/schema-guardrails.js";
import { Detector } from "../../src/guardrails/detect.js";
import { Guardrails } from "../../src/guardrails/guard.js";
import { MappingStore } from "../../src/guardrails/mapping-store.js";
import { resolvePolicy } from "../../src/guardrails/policy.js";
import { Verdicts } from "../../src/guardrails/verdicts.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { planted } from "./planted.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
const ENGINES = [
  { name: "memory", open: (): HotState => new MemoryState() },
  { name: "redis", open: (): HotState => new RedisState({ url: REDIS, prefix: prefix() }) },
];

/** A long text (cached texts are 512 characters or more) with a planted secret. */
const LONG = `${"some ordinary source code line;\n".repeat(40)}${planted("st")[2]!.text}\n`;

describe.each(ENGINES)("guardrails state on $name", ({ open }) => {
  let hot: HotState;
  beforeAll(() => {
    hot = open();
  });
  afterAll(async () => hot.close());

  it("scans a resent text once, and another instance finds the verdict in the hot state", async () => {
    const detector = new Detector();
    const one = new Verdicts(detector, 100, hot);
    const texts = [LONG, `${LONG}more`, "short text"];
    const first = await one.hits(texts);
    expect(one.scanned).toBe(3);
    expect(await one.hits(texts)).toEqual(first);
    expect(one.scanned).toBe(4); // only the short text again
    // The shared verdicts are written without waiting: a second instance finds them once they are there.
    let other = new Verdicts(detector, 100, hot);
    for (let i = 0; i < 50; i++) {
      other = new Verdicts(detector, 100, hot);
      await other.hits(texts);
      if (other.cached === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(other.cached).toBe(2);
    expect(other.scanned).toBe(1);
    expect(first[0]!.map((h) => h.rule)).toEqual(["github-pat"]);
  });

  it("keeps a caller's mapping sealed: the caller reads it back, another caller reads nothing", async () => {
    const store = new MappingStore(hot, 60_000);
    await store.save("key:one", "secret-one", new Map([["LLMUX_MASK_00000000000000aa", "the value"]]));
    expect([...(await store.load("key:one", "secret-one"))]).toEqual([["LLMUX_MASK_00000000000000aa", "the value"]]);
    expect((await store.load("key:two", "secret-two")).size).toBe(0);
    // Even the right keys with the wrong caller's secret open nothing.
    expect((await store.load("key:one", "secret-two")).size).toBe(0);
  });
});

describe("the policy", () => {
  const config = GuardrailsSchema.parse({
    enabled: true,
    actions: { secrets: "mask" },
    teams: { team_a: { actions: { secrets: "block", pii: "off" } } },
    keys: { "key-b": { dry_run: true }, kb_id: { actions: { entropy: "off" } } },
  });

  it("is the gateway's, then the team's, the key's and the alias's, each where it speaks", () => {
    expect(resolvePolicy(config, {})).toEqual({
      actions: { secrets: "mask", entropy: "warn", pii: "warn", custom: "block", llmux: "block" },
      dryRun: false,
    });
    const team = resolvePolicy(config, { teamId: "team_a", keyName: "key-b" });
    expect(team.actions.secrets).toBe("block");
    expect(team.actions.pii).toBe("off");
    expect(team.dryRun).toBe(true);
    const byId = resolvePolicy(config, { teamId: "team_a", keyId: "kb_id", keyName: "key-b" });
    expect(byId.actions.entropy).toBe("off");
    expect(byId.dryRun).toBe(false);
    const alias = resolvePolicy(config, { teamId: "team_a", alias: { actions: { secrets: "warn" } } });
    expect(alias.actions.secrets).toBe("warn");
  });

  it("finds the caller's own key and llmux's configured secrets (group llmux)", async () => {
    const g = new Guardrails(config, () => ["configured-provider-key-123"]);
    const found = await g.inspect(
      [{ text: "a configured-provider-key-123 and caller-key-456789", location: "message 1" }],
      resolvePolicy(config, {}),
      ["caller-key-456789"],
    );
    expect(found.notes.map((n) => [n.rule, n.group, n.action])).toEqual([["llmux-secret", "llmux", "block"]]);
    expect(found.blocked).toHaveLength(1);
  });
});
