/**
 * OwnerSecrets (src/pipeline/caller-state.ts): each owner's envelope secret is the HMAC of the owner with llmux's
 * secret, derived once and kept; at most OWNERS_KEPT are kept, and none outlives a change of llmux's secret.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { OWNERS_KEPT, OwnerSecrets, ownerSecret } from "../../src/pipeline/caller-state.js";

/** The derivation as documented, computed here without llmux's code. */
const hmac = (secret: string, owner: string) =>
  createHmac("sha256", secret).update(`llmux-envelope-owner\n${owner}`).digest("base64url");

describe("OwnerSecrets", () => {
  it("gives each owner the HMAC of its name with llmux's secret, the same each time, another for another owner", () => {
    const owners = new OwnerSecrets();
    const a = owners.of("s3cret", "key:a");
    expect(a).toBe(hmac("s3cret", "key:a"));
    expect(a).toBe(ownerSecret("s3cret", "key:a"));
    expect(owners.of("s3cret", "key:a")).toBe(a);
    expect(owners.of("s3cret", "key:b")).toBe(hmac("s3cret", "key:b"));
    expect(owners.of("s3cret", "key:b")).not.toBe(a);
    expect(owners.size).toBe(2);
  });

  it("derives again under another secret, keeping none of the old ones", () => {
    const owners = new OwnerSecrets();
    owners.of("first", "key:a");
    owners.of("first", "key:b");
    expect(owners.of("second", "key:a")).toBe(hmac("second", "key:a"));
    expect(owners.size).toBe(1);
  });

  it(`keeps at most ${OWNERS_KEPT} owners, and still answers right beyond them`, () => {
    const owners = new OwnerSecrets();
    for (let i = 0; i < OWNERS_KEPT + 10; i++) owners.of("s", `digest:${i}`);
    expect(owners.size).toBeLessThanOrEqual(OWNERS_KEPT);
    expect(owners.of("s", "digest:3")).toBe(hmac("s", "digest:3"));
    expect(owners.of("s", `digest:${OWNERS_KEPT + 9}`)).toBe(hmac("s", `digest:${OWNERS_KEPT + 9}`));
  });
});
