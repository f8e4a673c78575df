/**
 * Every secret llmux holds is redacted from every text that leaves it (issue 48, item 7): the alerts webhook's
 * secret (sealed too), the SMTP password and the sign-in client secret are known to the redaction pass; the MCP
 * secrets kept in the database (an API-added server's environment, a key's own credential) are learned by it; an
 * MCP server's error quoting its token reaches neither the request-log row's reason, nor the log lines, nor the
 * admin API; nothing planted is in a recording.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { Keyring } from "../../src/secrets/cipher.js";
import { configSecrets, redactorOf } from "../../src/secrets/redact.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { mcpClient } from "../support/mcp-servers.js";
import { admin, MASTER, teamHarness } from "../support/team.js";

const SEALED_PLAIN = "webhook-secret-sealed-5e1ad7a2b9";
const sealed = () => {
  const s = new Keyring(MASTER).seal(SEALED_PLAIN);
  return `sealed:${s.keyVersion}:${s.sealed}`;
};

const PLANTED = {
  webhook: "webhook-hmac-secret-7f3c2a91d4",
  smtp: "smtp-password-b81e44c0f2",
  signin: "signin-oidc-client-secret-2c9d7e",
  slackUrl: "https://hooks.slack.com/services/T0001/B0002/slackpathsecret9z8y7x",
  metrics: "metrics-scraper-key-0a1b2c3d4e",
  cursor: "cursor-api-key-5566778899aa",
};

describe("the redaction pass knows the configuration's secrets", () => {
  it("finds the alerts webhook secret (sealed too), the SMTP password, the sign-in client secret and the rest", () => {
    const config = parseConfig(
      {
        secrets: { master_key: MASTER },
        metrics: { key: PLANTED.metrics },
        providers: { c: { type: "cursor", api_key: PLANTED.cursor } },
        alerts: {
          destinations: {
            hook: { type: "webhook", url: "https://alerts.example.com/in", secret: PLANTED.webhook },
            sealed: { type: "webhook", url: "https://alerts.example.com/in2", secret: sealed() },
            slack: { type: "slack", url: PLANTED.slackUrl },
            mail: {
              type: "email",
              smtp: { host: "smtp.example.com", user: "u", password: PLANTED.smtp },
              from: "llmux <a@example.com>",
              to: ["ops@example.com"],
            },
          },
        },
        signin: {
          oidc: { issuer: "https://login.example.com", client_id: "llmux", client_secret: PLANTED.signin },
        },
      },
      {},
    );
    const known = configSecrets(config);
    for (const s of [...Object.values(PLANTED), SEALED_PLAIN]) expect(known, s).toContain(s);
    const text = redactorOf(config).redact(`${Object.values(PLANTED).join(" ")} ${SEALED_PLAIN}`);
    for (const s of [...Object.values(PLANTED), SEALED_PLAIN]) expect(text).not.toContain(s);
  });
});

const SHARED = "mcp-shared-server-token-71b2c3d4";
const OWN = "mcp-own-key-token-9e8f7a6b5c";
const QUOTING = join(import.meta.dirname, "../support/quoting-mcp-server.mjs");

describe.each(ENGINES)(
  "secrets llmux learns from the database never leave it ($engine)",
  { timeout: 90_000 },
  ({ fresh }) => {
    let where: TestLocation;
    let h: Harness;
    let record: string;
    const clients: Client[] = [];

    beforeAll(async () => {
      where = await fresh();
      record = mkdtempSync(join(tmpdir(), "llmux-rec-"));
      h = await teamHarness(where, {
        logging: { bodies: "all", record: { dir: record, keep_text: true } },
        metrics: { key: PLANTED.metrics },
        alerts: {
          destinations: {
            hook: { type: "webhook", url: "https://alerts.example.com/in", secret: PLANTED.webhook },
            mail: {
              type: "email",
              smtp: { host: "smtp.example.com", user: "u", password: PLANTED.smtp },
              from: "llmux <a@example.com>",
              to: ["ops@example.com"],
            },
          },
        },
      });
    });
    afterAll(async () => {
      for (const c of clients) await c.close().catch(() => undefined);
      await h?.close();
      await where?.drop();
    });

    const rowsText = async () => {
      await h.gateway.requestLog!.flush();
      const list = await admin(h, "GET", "/requests?limit=100");
      const details = await Promise.all(
        (list.body.rows as { id: string }[]).map((r) => admin(h, "GET", `/requests/${r.id}`)),
      );
      return JSON.stringify([list.body, details.map((d) => d.body)]);
    };
    const recorded = () =>
      readdirSync(record, { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(".json") || f.endsWith(".jsonl") || f.endsWith(".txt"))
        .map((f) => readFileSync(join(record, f), "utf8"))
        .join("\n");

    it("an MCP server's error quoting its token (shared, or a key's own) is scrubbed everywhere it is written", async () => {
      const made = await admin(h, "POST", "/mcp/servers", {
        name: "quoter",
        command: process.execPath,
        args: [QUOTING],
        env: { SERVER_TOKEN: SHARED },
        own_credential_fields: ["SERVER_TOKEN"],
      });
      expect(made.status).toBe(201);
      const shared = await admin(h, "POST", "/keys", { name: "shared-user" });
      const own = await admin(h, "POST", "/keys", { name: "own-user" });
      const set = await fetch(`${h.url}/admin/v1/me/mcp/servers/quoter/credentials`, {
        method: "POST",
        headers: { authorization: `Bearer ${own.body.key}`, "content-type": "application/json" },
        body: JSON.stringify({ env: { SERVER_TOKEN: OWN } }),
      });
      expect(set.status).toBeLessThan(300);
      const errors: string[] = [];
      for (const key of [shared.body.key, own.body.key]) {
        const client = await mcpClient(h.url, key);
        clients.push(client);
        let said = "";
        for (let i = 0; i < 100 && !said.includes("upstream refused"); i++) {
          said = await client.callTool({ name: "quoter__fail", arguments: {} }).then(
            (r) => JSON.stringify(r),
            (e: Error) => e.message,
          );
          if (!said.includes("upstream refused")) await new Promise((r) => setTimeout(r, 100));
        }
        errors.push(said);
      }
      // The oracle that the secrets were there to be quoted: the server's own words, redacted.
      for (const e of errors) expect(e).toContain("upstream refused the token [REDACTED]");
      const rows = await rowsText();
      expect(rows).toContain("upstream refused the token");
      const servers = JSON.stringify((await admin(h, "GET", "/mcp/servers")).body);
      const logs = JSON.stringify(h.logs);
      for (const [where, text] of Object.entries({
        errors: errors.join(),
        rows,
        servers,
        logs,
        recorded: recorded(),
      })) {
        expect(text, where).not.toContain(SHARED);
        expect(text, where).not.toContain(OWN);
      }
    });

    it("a request quoting the configuration's and the database's secrets is redacted in rows and recordings", async () => {
      const quoted = [PLANTED.webhook, PLANTED.smtp, PLANTED.metrics, SHARED, OWN].join(" ; ");
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer svc-key-0123456789", "content-type": "application/json" },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: `remember ${quoted}` }] }),
      });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const rows = await rowsText();
      expect(rows).toContain("remember [REDACTED]");
      const texts = { rows, logs: JSON.stringify(h.logs), recorded: recorded() };
      expect(texts.recorded).toContain("remember");
      for (const [where, text] of Object.entries(texts))
        for (const s of [PLANTED.webhook, PLANTED.smtp, PLANTED.metrics, SHARED, OWN])
          expect(text, where).not.toContain(s);
    });
  },
);
