/**
 * Secrets never leave llmux: every secret of the configuration is known to the redaction pass (Bedrock's
 * keys, OIDC and session secrets, Vertex credentials, provider header values); an upstream error quoting the
 * key it received reaches neither the client nor the log; a secret split across stream deltas is not shown
 * reassembled by the admin API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { redactorOf } from "../../src/secrets/redact.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { type ReplayServer, startReplayServer } from "../support/replay-server.js";
import { admin, chat, SERVICE, sleep, teamHarness, within } from "../support/team.js";

const OPERATOR_KEY = "sk-operator-upstream-0123456789";
const CALLER_KEY = "caller-own-key-Zq81Xw44Lm";
const PRIVATE_KEY_LINE = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7";

describe("the redaction pass knows every secret of the configuration", () => {
  it("Bedrock keys, OIDC and session secrets, Vertex credentials and header values", () => {
    const secrets = {
      access_key_id: "AKIDEXAMPLEQ7Z3",
      secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      session_token: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ",
      client_secret: "oidc-client-secret-9f8e7d6c",
      session_secret: "ui-session-secret-1a2b3c4d5e6f7a8b9c0d",
      header: "header-value-secret-7788",
      private_key_id: "4f1e2d3c4b5a69788796a5b4c3d2e1f0",
    };
    const credentials = JSON.stringify({
      type: "service_account",
      project_id: "p",
      private_key_id: secrets.private_key_id,
      private_key: `-----BEGIN PRIVATE KEY-----\n${PRIVATE_KEY_LINE}\n-----END PRIVATE KEY-----\n`,
      client_email: "sa@p.iam.gserviceaccount.com",
    });
    const config = parseConfig(
      {
        admin: {
          keys: ["admin-key-0123456789"],
          oidc: {
            issuer: "https://id.example.com",
            client_id: "llmux",
            client_secret: secrets.client_secret,
            allowed_domains: ["example.com"],
          },
          ui: { session_secret: secrets.session_secret },
        },
        providers: {
          b: {
            type: "bedrock",
            region: "us-east-1",
            access_key_id: secrets.access_key_id,
            secret_access_key: secrets.secret_access_key,
            session_token: secrets.session_token,
          },
          v: { type: "vertex", project: "p", credentials },
          h: { type: "openai", api_key: "k", headers: { "x-tenant-token": secrets.header } },
        },
      },
      {},
    );
    const text = `${Object.values(secrets).join(" | ")} | ${PRIVATE_KEY_LINE}`;
    const redacted = redactorOf(config).redact(text);
    for (const s of [...Object.values(secrets), PRIVATE_KEY_LINE]) expect(redacted).not.toContain(s);
  });
});

describe.each(ENGINES)("secrets in what upstreams write, on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let up: ReplayServer;
  beforeAll(async () => {
    where = await fresh();
    up = await startReplayServer();
    h = await teamHarness(where, {
      auth: { keys: [SERVICE], passthrough_providers: ["own"] },
      logging: { bodies: "all" },
      providers: {
        op: { type: "openai", base_url: `${up.url}/v1`, api_key: OPERATOR_KEY, api: "chat" },
        own: { type: "openai", base_url: `${up.url}/v1`, api: "chat" },
      },
      models: { op: { provider: "op", model: "gpt-4.1" }, own: { provider: "own", model: "gpt-4.1" } },
    });
  });
  afterAll(async () => {
    await h.close();
    await up.close();
    await where.drop();
  });

  const quoting = (key: string) => ({
    status: 401,
    headers: { "content-type": "application/json" },
    body: { error: { message: `Incorrect API key provided: ${key}. You can find your API key at …`, type: "auth" } },
  });

  it("an upstream error quoting the key it received reaches neither the client nor the log", async () => {
    const answers: string[] = [];
    up.setReply(quoting(OPERATOR_KEY));
    const a = await chat(h, SERVICE, "op");
    expect(a.status).toBe(401);
    answers.push(JSON.stringify(a.body));
    // The Anthropic client of the same upstream (translated) and the caller's own key (passed through).
    const b = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": SERVICE, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "op", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }),
    });
    answers.push(await b.text());
    up.setReply(quoting(CALLER_KEY));
    const c = await chat(h, CALLER_KEY, "own");
    expect(c.status).toBe(401);
    answers.push(JSON.stringify(c.body));
    for (const text of answers) {
      expect(text).toContain("Incorrect API key provided");
      expect(text).not.toContain(OPERATOR_KEY);
      expect(text).not.toContain(CALLER_KEY);
    }
    await sleep(100);
    const log = JSON.stringify(h.logs);
    expect(log).toContain("Incorrect API key provided");
    expect(log).not.toContain(OPERATOR_KEY);
    expect(log).not.toContain(CALLER_KEY);
  });

  it("a secret split across stream deltas is not shown reassembled by the admin API", async () => {
    const pieces = ["The key is sk-operator-up", "stream-0123", "456789 and that is all"];
    const chunk = (content: string, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
    up.setReply({
      headers: { "content-type": "text/event-stream" },
      body: `${pieces.map((p) => chunk(p)).join("")}${chunk("", "stop")}data: [DONE]\n\n`,
    });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SERVICE}`, "x-request-id": "split-1" },
      body: JSON.stringify({ model: "op", stream: true, messages: [{ role: "user", content: "leak" }] }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const secret = "sk-operator-upstream-0123456789";
    expect(pieces.join("")).toContain(secret);
    let id: string | undefined;
    const listed = await within(5000, async () => {
      await h.gateway.requestLog!.flush();
      const list = await admin(h, "GET", "/requests?limit=5");
      id = (list.body.rows as { id: string; status: number }[]).find((r) => r.status === 200)?.id;
      return id !== undefined;
    });
    expect(listed).toBe(true);
    const detail = await admin(h, "GET", `/requests/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.has_bodies).toBe(true);
    const shown = JSON.stringify(detail.body);
    expect(shown).not.toContain(secret);
    expect(shown).not.toMatch(/sk-operator-up.{0,40}stream-0123/);
  });
});
