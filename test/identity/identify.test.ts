/** The identify stage: resolvers in order, owners as digests, refusals in words, nothing read but headers. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Identifier, isRefusal, keyDigest, type Resolver } from "../../src/identity/identify.js";
import type { Principal } from "../../src/identity/principal.js";
import { configResolvers } from "../../src/identity/resolvers.js";

const digestOf = (key: string) => createHash("sha256").update(key).digest("base64url").slice(0, 22);

describe("identify", () => {
  it("config keys: owner is the key's digest, the name shows 6 characters of it, never the key", async () => {
    const id = new Identifier(configResolvers({ keys: ["k-one", "k-two"], passthrough: false }));
    const p = (await id.identify({ authorization: "Bearer k-two" })) as Principal;
    expect(p).toEqual({
      owner: `digest:${digestOf("k-two")}`,
      kind: "config",
      name: `config:${digestOf("k-two").slice(0, 6)}`,
    });
    expect(keyDigest("k-two")).toBe(digestOf("k-two"));
    const other = (await id.identify({ "x-api-key": "k-one" })) as Principal;
    expect(other.owner).not.toBe(p.owner);
    const wrong = await id.identify({ "api-key": "nope" });
    expect(isRefusal(wrong) && wrong.presented).toBe(true);
    const none = await id.identify({});
    expect(isRefusal(none) && !none.presented && none.message).toMatch(/No API key/);
  });

  it("pass-through: any presented key, kept as the caller's key, owner by digest; none is refused", async () => {
    const id = new Identifier(configResolvers({ keys: [], passthrough: true }));
    const p = (await id.identify({ authorization: "Bearer sk-user-a" })) as Principal;
    expect(p).toMatchObject({ kind: "passthrough", owner: `digest:${digestOf("sk-user-a")}`, callerKey: "sk-user-a" });
    expect(p.name).not.toContain("sk-user-a");
    expect(isRefusal(await id.identify({}))).toBe(true);
  });

  it("open: everyone is the same owner", async () => {
    const id = new Identifier(configResolvers({ keys: [], passthrough: false }));
    expect(await id.identify({})).toEqual({ owner: "open", kind: "open" });
    expect(await id.identify({ authorization: "Bearer anything" })).toEqual({ owner: "open", kind: "open" });
  });

  it("asks resolvers in order, waits for asynchronous ones, and falls through on undefined", async () => {
    const seen: string[] = [];
    const minted: Resolver = {
      async resolve(key) {
        seen.push(`minted:${key}`);
        await new Promise((r) => setTimeout(r, 1));
        return key?.startsWith("lx-") ? { owner: "key:abc", kind: "minted", name: "ci-bot", keyId: "abc" } : undefined;
      },
    };
    const id = new Identifier([minted, ...configResolvers({ keys: ["svc"], passthrough: false })]);
    expect(await id.identify({ authorization: "Bearer lx-123" })).toMatchObject({ owner: "key:abc", name: "ci-bot" });
    expect(await id.identify({ authorization: "Bearer svc" })).toMatchObject({ kind: "config" });
    expect(seen).toEqual(["minted:lx-123", "minted:svc"]);
  });

  it("takes the answers given at once without waiting for them: a caller known in the same turns however many resolvers pass", async () => {
    const passing = (n: number): Resolver[] => Array.from({ length: n }, () => ({ resolve: () => undefined }));
    const known: Resolver = { resolve: () => ({ owner: "open", kind: "open" }) };
    const turnsFor = async (resolvers: Resolver[]): Promise<number> => {
      let done = false;
      void new Identifier(resolvers).identify({}).then(() => {
        done = true;
      });
      let turns = 0;
      while (!done && turns < 100) {
        await null;
        turns++;
      }
      return turns;
    };
    // An await for each resolver's answer took a turn more per resolver.
    expect(await turnsFor([known])).toBe(await turnsFor([...passing(4), known]));
    // A resolver that waits is still waited for, in its place.
    const later: Resolver = { resolve: async () => ({ owner: "later", kind: "open" }) };
    expect(await new Identifier([...passing(2), later, known]).identify({})).toEqual({ owner: "later", kind: "open" });
  });
});
