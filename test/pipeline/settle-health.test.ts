/**
 * The settle stage's last step tells the serving deployment's health how its answer ended: an answer that
 * llmux cut because its budget could not cover more (or ended for its own limits) is, like a client that went
 * away, no failure of the deployment (it neither counts in its error rate nor trips its breaker); an answer
 * the upstream broke off is.
 */
import { describe, expect, it } from "vitest";
import { release, type SettleParts } from "../../src/pipeline/settle.js";
import type { RequestRecord } from "../../src/request/record.js";
import type { Trail } from "../../src/request/trail.js";

/** How the deployment's health was settled for a request that ended as `rec` says. */
async function healthOf(rec: Partial<RequestRecord>, clientGone = false): Promise<string[]> {
  const told: string[] = [];
  const trail = {
    record: { id: "req_1", provider: "anthropic", model: "claude-sonnet-4-5", ...rec },
    attempted: {
      attempts: 1,
      deployment: { id: "anthropic/claude-sonnet-4-5", name: "anthropic/claude-sonnet-4-5" },
      health: async (how: string) => {
        told.push(how);
      },
    },
  } as unknown as Trail;
  await release({} as SettleParts, trail, clientGone);
  return told;
}

describe("a deployment's health as an answer ends", () => {
  it("an answer cut by its budget says nothing about the deployment", async () => {
    expect(await healthOf({ outcome: "error", errorClass: "budget", status: 200 })).toEqual(["gone"]);
    expect(await healthOf({ outcome: "error", errorClass: "rate_limit_local", status: 429 })).toEqual(["gone"]);
  });

  it("an answer the upstream broke off is its failure; one answered, its success; a client gone, neither", async () => {
    expect(await healthOf({ outcome: "error", errorClass: "server", status: 200 })).toEqual(["failed"]);
    expect(await healthOf({ outcome: "error", status: 502 })).toEqual(["failed"]);
    expect(await healthOf({ outcome: "ok", status: 200 })).toEqual(["ok"]);
    expect(await healthOf({ outcome: "aborted", status: 200 }, true)).toEqual(["gone"]);
  });
});
