/**
 * `guardrail_hit`: a secret the guardrails blocked or masked is pushed once per rule, key and window, across
 * instances (three watches on one in-process state, as `--workers` share it, and three Redis clients on one
 * prefix of their own); warnings and dry runs are not; the alert names the rule, the place and the key, never
 * the value (a finding note holds none, and the planted value is looked for in what the webhook got).
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import type { FindingNote } from "../../src/guardrails/guard.js";
import { createLogger } from "../../src/log/logger.js";
import { AlertWatch } from "../../src/observe/alert-watch.js";
import { Alerts } from "../../src/observe/alerts.js";
import type { RequestRecord } from "../../src/request/record.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const HOUR = 3_600_000;
/** A planted value: the request's text held it; no record, and so no alert, may. */
const PLANTED = `AKIA${randomBytes(8).toString("hex").toUpperCase()}`;

const ENGINES = [
  {
    name: "the in-process state",
    open: (): HotState[] => {
      const shared = new MemoryState();
      return [shared, shared, shared];
    },
  },
  {
    name: "Redis",
    open: (): HotState[] => {
      const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
      return [0, 1, 2].map(() => new RedisState({ url: REDIS, prefix }));
    },
  },
];

function note(rule: string, action: FindingNote["action"], dryRun = false, location = "message 2"): FindingNote {
  return { rule, group: "secrets", location, action, dryRun };
}

/** A request of key `keyId` (named `name`, team `team_a`) with these findings; refused when one blocked. */
function found(keyId: string, notes: FindingNote[]): RequestRecord {
  const blocked = notes.some((n) => n.action === "block" && !n.dryRun);
  return {
    id: `req_${randomBytes(6).toString("hex")}`,
    startedAt: Date.now(),
    method: "POST",
    path: "/v1/messages",
    kind: "generate",
    ...(blocked ? { outcome: "refused", status: 400 } : { provider: "anthropic", model: "m", status: 200 }),
    key: `laptop-${keyId}`,
    keyId,
    teamId: "team_a",
    guardrails: notes,
    warnings: [],
    requestBytes: 100,
    outputChars: 0,
  } as unknown as RequestRecord;
}

describe.each(ENGINES)("guardrail_hit on $name, three instances", ({ open }) => {
  let states: HotState[] = [];
  let close: () => void = () => undefined;
  afterEach(async () => {
    close();
    for (const s of new Set(states)) await s.close();
  });

  async function three() {
    const hook = await receiver();
    close = () => hook.server.close();
    states = open();
    const config: Config["alerts"] = {
      destinations: { sec: { type: "webhook", url: hook.url } },
      rules: [{ on: "guardrail_hit", to: ["sec"], window_s: 3600, min_requests: 20 }],
    };
    const now = Math.floor(Date.now() / HOUR) * HOUR + 60_000;
    const watches = states.map(
      (hot) => new AlertWatch(new Alerts(config, hot, createLogger("silent"), [20]), hot, () => now),
    );
    const delivered = () =>
      hook.got
        .filter((g) => JSON.parse(g.body).rule === "guardrail_hit")
        .map((g) => ({ raw: g.body, ...JSON.parse(g.body) }));
    return { watches, delivered };
  }

  it("a block and a mask are sent once per rule and key in the window, never with the value", async () => {
    const { watches, delivered } = await three();
    const key = `key_${randomBytes(4).toString("hex")}`;
    // Every instance sees the same key's blocked AWS key twice, and a masked Stripe key once.
    for (const w of watches) {
      await w.count(found(key, [note("aws-access-token", "block", false, "tool result of read_file (message 3)")]));
      await w.count(found(key, [note("aws-access-token", "block")]));
      await w.count(found(key, [note("stripe-access-token", "mask")]));
    }
    expect(await within(5_000, async () => delivered().length >= 2)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const got = delivered();
    expect(got.map((g) => g.id).sort()).toEqual([`aws-access-token:${key}`, `stripe-access-token:${key}`]);
    const aws = got.find((g) => g.guardrail_rule === "aws-access-token")!;
    expect(aws).toMatchObject({ scope: "key", actions: ["block"], key_id: key, team_id: "team_a" });
    expect(aws.message).toContain("aws-access-token blocked");
    expect(aws.message).toMatch(/tool result of read_file \(message 3\)|message 2/);
    expect(got.find((g) => g.guardrail_rule === "stripe-access-token")!.actions).toEqual(["mask"]);
    for (const g of got) expect(g.raw).not.toContain(PLANTED);
    // Another key's hit of the same rule is an alert of its own.
    const other = `key_${randomBytes(4).toString("hex")}`;
    await watches[1]!.count(found(other, [note("aws-access-token", "block")]));
    expect(await within(5_000, async () => delivered().some((g) => g.id === `aws-access-token:${other}`))).toBe(true);
  });

  it("warnings and dry runs are not sent", async () => {
    const { watches, delivered } = await three();
    const key = `key_${randomBytes(4).toString("hex")}`;
    for (const w of watches) {
      await w.count(found(key, [note("generic-api-key", "warn")]));
      await w.count(found(key, [note("aws-access-token", "block", true), note("github-pat", "mask", true)]));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(delivered()).toHaveLength(0);
    // The same watches do send a real hit (the rule is wired, not silent).
    await watches[2]!.count(found(key, [note("github-pat", "mask")]));
    expect(await within(5_000, async () => delivered().length === 1)).toBe(true);
  });
});
