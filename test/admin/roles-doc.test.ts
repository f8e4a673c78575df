/**
 * The roles example of docs/teams.md, run as written: it is a valid configuration, and the people and keys it
 * names get the roles the text says (admins by group, team admins by group or address, read-only by domain,
 * a team-bound admin key).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { roleOf } from "../../src/admin/oidc.js";
import { adminKeysOf, fullAdminSecrets } from "../../src/config/admin-keys.js";
import { parseConfig } from "../../src/config/load.js";

const DOC = readFileSync(new URL("../../docs/teams.md", import.meta.url), "utf8");
const section = DOC.slice(DOC.indexOf("## Roles: admins, team admins, read-only"));
const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;

describe("docs/teams.md's roles example", () => {
  const env = { LLMUX_ADMIN_KEY: "full-admin-key-0123", LLMUX_DATA_LEAD_KEY: "lead-key-0123", LLMUX_OIDC_SECRET: "s" };
  const config = parseConfig(parseYaml(example), env);

  it("binds the second admin key to the data team, and keeps the first a full admin's", () => {
    expect(adminKeysOf(config.admin.keys)).toEqual([
      { key: "full-admin-key-0123" },
      { key: "lead-key-0123", team: "data", name: "data lead" },
    ]);
    expect(fullAdminSecrets(config.admin.keys)).toEqual(["full-admin-key-0123"]);
  });

  it("gives single sign-on the roles the text says", () => {
    const oidc = config.admin.oidc!;
    expect(oidc.groups_claim).toBe("groups");
    expect(roleOf(oidc, "pat@elsewhere.org", ["platform"])).toEqual({ role: "admin" });
    // An admin group wins over a team's.
    expect(roleOf(oidc, "pat@elsewhere.org", ["data-leads", "platform"])).toEqual({ role: "admin" });
    expect(roleOf(oidc, "dee@elsewhere.org", ["data-leads"])).toEqual({ role: "team_admin", team: "data" });
    expect(roleOf(oidc, "bob@example.com")).toEqual({ role: "team_admin", team: "data" });
    expect(roleOf(oidc, "wes@example.com", ["web-leads"])).toEqual({ role: "team_admin", team: "web" });
    expect(roleOf(oidc, "rita@example.com")).toEqual({ role: "read_only" });
    expect(roleOf(oidc, "mallory@elsewhere.org", ["data-leads-not"])).toBeUndefined();
    // A group is compared exactly: no prefix, no case folding.
    expect(roleOf(oidc, "mallory@elsewhere.org", ["Platform"])).toBeUndefined();
  });
});
