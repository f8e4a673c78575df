/**
 * `guardrail_hit` through the gateway: a masked and a blocked request reach the webhook as one alert per rule and
 * key in the window (a second hit of the same rule and key is not sent again), never with the value; a warning is
 * not sent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";
import { messagesCall } from "./bodies.js";
import { planted } from "./planted.js";

const PLANTS = planted("alert");
const AWS = PLANTS.find((p) => p.rule === "aws-access-token")!;
const KEY = "k-alert-planted-0001";

describe("guardrail_hit through the gateway", { timeout: 60_000 }, () => {
  let h: Harness;
  let hook: Awaited<ReturnType<typeof receiver>>;
  beforeAll(async () => {
    hook = await receiver();
    h = await startHarness(() => ({
      auth: { keys: [KEY] },
      guardrails: { enabled: true, actions: { secrets: "mask", entropy: "off" }, keys: {}, teams: {} },
      alerts: {
        destinations: { sec: { type: "webhook", url: hook.url } },
        // One window for the whole test (11.6 days): a run crossing an hour would be two windows, two alerts.
        rules: [{ on: "guardrail_hit", to: ["sec"], window_s: 1_000_000 }],
      },
      models: {
        "block-anthropic": {
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          guardrails: { actions: { secrets: "block" } },
        },
        "warn-anthropic": {
          provider: "anthropic",
          model: "claude-sonnet-4-5",
          guardrails: { actions: { secrets: "warn" } },
        },
      },
    }));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    hook?.server.close();
  });

  const send = async (model: string, text: string) => {
    const call = messagesCall(model, "tool result", text, false);
    const r = await fetch(`${h.url}${call.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY },
      body: JSON.stringify(call.body),
    });
    await r.text();
    return r.status;
  };
  const got = () =>
    hook.got.map((g): Record<string, unknown> & { raw: string } => ({
      raw: g.body,
      ...(JSON.parse(g.body) as Record<string, unknown>),
    }));

  it("a mask is pushed once per rule and key, a warning not at all, never the value", async () => {
    expect(await send("warn-anthropic", AWS.text)).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(got()).toHaveLength(0);
    expect(await send("via-anthropic", AWS.text)).toBe(200);
    expect(await within(5_000, async () => got().length === 1)).toBe(true);
    expect(await send("block-anthropic", AWS.text)).toBe(400);
    await new Promise((r) => setTimeout(r, 500));
    const alerts = got();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: "guardrail_hit", scope: "key", guardrail_rule: "aws-access-token" });
    expect(String(alerts[0]!.message)).toContain("tool result of read_file");
    expect(alerts[0]!.raw).not.toContain(AWS.secret);
    expect(alerts[0]!.raw).not.toContain(KEY);
  });
});
