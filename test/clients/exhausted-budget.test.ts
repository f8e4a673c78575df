/**
 * Claude Code, Codex CLI and Copilot CLI (the pinned versions of real-clients.test.ts) run headless with a minted key whose
 * budget is already exhausted: each must stop and show llmux's "budget exhausted" message, not retry in a loop.
 * What each does is recorded in docs/teams.md ("What the coding tools do with an exhausted budget").
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClientName,
  describeRun,
  ensureClient,
  killAllClients,
  makeWorkspace,
  removeWorkspace,
  runClient,
} from "../support/clients.js";
import { type Harness, startHarness, tempStorePath } from "../support/gateway.js";
import { ADMIN, call, MASTER } from "../support/team.js";
import { CELLS, DRIVERS } from "./cells.js";
import { type Recorder, startRecorder } from "./recorder.js";

const RUN_TIMEOUT_MS = 120_000;
/**
 * More requests than this to a model endpoint would be a tool retrying the refusal. The refusal says not to
 * (`x-should-retry: false`); each tool sends one (Copilot CLI retried five times, over a minute, without it).
 */
const MAX_MODEL_REQUESTS = 2;

const harnesses: Harness[] = [];
const recorders: Recorder[] = [];

afterAll(async () => {
  killAllClients();
  await Promise.all(recorders.map((r) => r.close().catch(() => undefined)));
  await Promise.all(harnesses.map((h) => h.close().catch(() => undefined)));
});

const TOOLS: { client: ClientName; upstream: "anthropic" | "azure-responses" }[] = [
  { client: "claude-code", upstream: "anthropic" },
  { client: "codex", upstream: "azure-responses" },
  { client: "copilot", upstream: "anthropic" },
];

for (const t of TOOLS) {
  describe(`${t.client} with an exhausted budget`, () => {
    let bin: Promise<string>;
    beforeAll(() => {
      bin = ensureClient(t.client);
      bin.catch(() => undefined);
    });

    it("stops and shows the budget message without retrying in a loop", async () => {
      await bin;
      const c = CELLS.find((x) => x.client === t.client && x.upstream.key === t.upstream)!;
      const driver = DRIVERS[t.client];
      const h = await startHarness(() => ({
        store: { path: tempStorePath() },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        models: driver.models(c),
      }));
      harnesses.push(h);
      const rec = await startRecorder(h.url);
      recorders.push(rec);
      // A budget smaller than any request's reserved estimate: the first request is already refused.
      const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, {
        name: `exhausted-${randomBytes(3).toString("hex")}`,
        budget: { usd: 0.000001, period: "day" },
      });
      expect(minted.status).toBe(201);
      const key = minted.body.key as string;
      const ws = await makeWorkspace(t.client, { homeFiles: driver.homeFiles(c, rec.url) });
      try {
        const env =
          t.client === "claude-code"
            ? { ...driver.env(c, rec.url), ANTHROPIC_API_KEY: key }
            : t.client === "copilot"
              ? { ...driver.env(c, rec.url), COPILOT_PROVIDER_API_KEY: key }
              : { ...driver.env(c, rec.url), LLMUX_KEY: key };
        const r = await runClient(t.client, ws, {
          args: driver.args(c, "Say hello."),
          env,
          timeoutMs: RUN_TIMEOUT_MS,
        });
        const modelCalls = rec.exchanges.filter((e) => /\/v1\/(messages|responses|chat\/completions)/.test(e.url));
        const summary = `${describeRun(t.client, r)}\nllmux answered: ${modelCalls.map((e) => `${e.status} ${e.url}`).join(", ")}`;
        console.log(
          `[exhausted budget] ${t.client}: exit ${r.code}, ${(r.ms / 1000).toFixed(1)} s, ` +
            `${modelCalls.length} model request(s), statuses ${[...new Set(modelCalls.map((e) => e.status))].join("/")}; it shows: ` +
            JSON.stringify(`${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-3).join(" | ").slice(0, 400)),
        );
        expect(r.timedOut, summary).toBe(false);
        expect(modelCalls.length, summary).toBeGreaterThan(0);
        expect(modelCalls.length, summary).toBeLessThanOrEqual(MAX_MODEL_REQUESTS);
        expect(
          modelCalls.every((e) => e.status === 429 || e.status === 402),
          summary,
        ).toBe(true);
        expect(r.code, summary).not.toBe(0);
        // The tool shows llmux's message (or at least its gist) to its user.
        expect(`${r.stdout}\n${r.stderr}`, summary).toMatch(/budget|quota|billing|credit/i);
        // Nothing reached the upstream.
        expect(h.mock.requests.length, summary).toBe(0);
      } finally {
        await removeWorkspace(ws);
      }
    }, 300_000);
  });
}
