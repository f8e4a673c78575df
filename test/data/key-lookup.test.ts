/** Minted keys looked up by hash, credentials, revisions (src/data/key-lookup.ts, credentials.ts) on both engines. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anyCredentials } from "../../src/data/credentials.js";
import { Data } from "../../src/data/data.js";
import { identityRevision, keyByHash } from "../../src/data/key-lookup.js";
import { hashKey, Keys } from "../../src/data/keys.js";
import { Teams } from "../../src/data/teams.js";
import { keyringOf } from "../../src/secrets/cipher.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const MASTER = "master-key-for-tests-0123456789";

describe.each(ENGINES)("key lookup on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  let keys: Keys;
  let teams: Teams;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    keys = new Keys(() => data.db(), keyringOf({ master_key: MASTER }));
    teams = new Teams(() => data.db());
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("finds a key by its secret's hash, with its team's allow-list and quotas and its sealed credentials", async () => {
    expect(await anyCredentials(data)).toBe(false);
    const team = await teams.create({
      name: "lookup-team",
      models: ["gpt-*"],
      budget: { usd: 12.5, period: "month" },
      limits: { rpm: 100 },
    });
    const k = await keys.create({
      name: "lookup-key",
      team_id: team.id,
      user: "ada",
      models: ["gpt-4.1"],
      budget: { usd: 0.000123, period: "total" },
      credentials: { openai: "sk-upstream" },
      expires_at: "2100-01-01T00:00:00.000Z",
    });
    const found = await keyByHash(data, hashKey(k.key));
    expect(found).toMatchObject({
      id: k.id,
      prefix: k.key.slice(0, 11),
      name: "lookup-key",
      user_label: "ada",
      team_id: team.id,
      allow: [["gpt-4.1"], ["gpt-*"]],
      expires_at: Date.parse("2100-01-01T00:00:00.000Z") / 1000,
      disabled: false,
      revoked: false,
      grace_until: null,
      quota: { budget: { usd: 0.000123, period: "total" }, limits: null },
      team_quota: { budget: { usd: 12.5, period: "month" }, limits: { rpm: 100 } },
    });
    expect(found!.credentials.map((c) => c.provider)).toEqual(["openai"]);
    const sealed = found!.credentials[0]!;
    expect(sealed.sealed).not.toContain("sk-upstream");
    const ring = keyringOf({ master_key: MASTER })!;
    expect(ring.open({ sealed: sealed.sealed, keyVersion: sealed.key_version })).toBe("sk-upstream");
    expect(await anyCredentials(data)).toBe(true);
    expect(await keyByHash(data, hashKey("lx-unknown"))).toBeUndefined();
  });

  it("finds a rotated key by its old secret during the grace, and says so; the revision moves on changes", async () => {
    const k = await keys.create({ name: "rotating" });
    const before = await identityRevision(data);
    const rotated = (await keys.rotate(k.id, 60))!;
    expect(await identityRevision(data)).toBeGreaterThan(before);
    const byOld = await keyByHash(data, hashKey(k.key));
    expect(byOld!.id).toBe(k.id);
    expect(byOld!.grace_until).toBeGreaterThan(Date.now() / 1000);
    expect((await keyByHash(data, hashKey(rotated.key)))!.grace_until).toBeNull();
    expect((await keyByHash(data, hashKey(rotated.key)))!.team_quota).toBeNull();
    await keys.update(k.id, { disabled: true });
    expect((await keyByHash(data, hashKey(rotated.key)))!.disabled).toBe(true);
    await keys.revoke(k.id);
    expect((await keyByHash(data, hashKey(rotated.key)))!.revoked).toBe(true);
  });
});
