/**
 * The configuration's secrets are declared where they are (issue 48, item 7): each secret field of the schemas
 * is marked with `secret(...)` (src/config/secret-fields.ts), and the redaction pass finds them by the marks; a
 * field named like a secret (or a header or environment value) that is not marked fails here.
 */
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/config/schema.js";
import { schemaFields } from "../../src/config/secret-fields.js";

/** A field whose name says it holds a secret (or an environment / header value), and fields that only look so. */
const SECRET_NAME = /(^|_)(keys?|secret|password|token|credentials)$/i;
const NOT_SECRETS = new Set([
  "server.tls.key", // the path of a PEM file
  "tag_rules.*.when.key", // a glob of keys' names
  "routing.rules.*.match.key", // a glob of keys' names
  "search.allow.keys.*", // globs of keys' names
  "search.fetch.allow.keys.*", // globs of keys' names
  "mcp.servers.*.own_credential", // optional | required
  "server.websocket.max_sockets_per_key", // a count
]);

describe("the configuration's secrets are declared in its schemas", () => {
  it("every field named like a secret, and every header or environment value, is marked", () => {
    const fields = schemaFields(ConfigSchema);
    const named = fields.filter(({ path }) => {
      const parts = path.split(".");
      const name = parts.filter((p) => p !== "*").at(-1) ?? "";
      return (SECRET_NAME.test(name) || /\.(headers|env)\.\*$/.test(path)) && !NOT_SECRETS.has(path);
    });
    expect(named.length).toBeGreaterThan(15);
    expect(named.filter((f) => !f.secret).map((f) => f.path)).toEqual([]);
  });
});
