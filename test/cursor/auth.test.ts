/**
 * Whose Cursor account pays: by default the caller's own key passed through (auth.passthrough_providers), or
 * a minted key's stored credential, or the provider's api_key; with none of them, a 401 that says so. The
 * caller's key reaches Cursor and nothing else: not the logs, not the store, not an answer.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CURSOR_INSTALL_TIMEOUT_MS, type CursorFake, startCursorFake } from "../support/cursor.js";
import { type Harness, startHarness, tempStorePath } from "../support/gateway.js";
import { consumeWithSdk } from "../support/sdk.js";

const ADMIN = "admin-key-0123456789abcdef";
const SERVICE = "svc-key-0123456789";
const OWN = "cursor-own-key-PLANTED-5b1f0c2e9a";
const STORED = "cursor-stored-key-PLANTED-8d3e7a41";

let fake: CursorFake;
let h: Harness;
let store: string;
beforeAll(async () => {
  fake = await startCursorFake();
  store = tempStorePath();
  const cursor = { type: "cursor", base_url: fake.url, runtime_dir: ".cache/cursor-runtime" };
  h = await startHarness(() => ({
    store: { path: store },
    auth: { keys: [SERVICE], passthrough_providers: ["composer"] },
    admin: { keys: [ADMIN] },
    secrets: { master_key: "master-key-for-tests-0123456789" },
    logging: { level: "debug" },
    providers: { composer: cursor },
    models: { "composer-2.5": { provider: "composer" } },
  }));
}, CURSOR_INSTALL_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
  fake?.close();
});

const exchanged = async () => (await fake.log()).filter((e) => e.exchange).map((e) => e.exchange as string);

it("passes the caller's own Cursor key through, and keeps it out of the logs", async () => {
  const out = await consumeWithSdk("anthropic", h.url, true, { model: "composer-2.5", prompt: "mine", apiKey: OWN });
  expect(out.text).toBe("Composer heard: mine");
  expect(await exchanged()).toContain(OWN);
  await new Promise((r) => setTimeout(r, 100));
  expect(h.logs.length).toBeGreaterThan(0);
  expect(JSON.stringify(h.logs)).not.toContain(OWN);
});

it("uses a minted key's stored Cursor credential, which is stored sealed", async () => {
  const res = await fetch(`${h.url}/admin/v1/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "cursor-byok", credentials: { composer: STORED } }),
  });
  expect(res.status).toBe(201);
  const minted = (await res.json()) as { key: string };
  const out = await consumeWithSdk("openai-responses", h.url, false, {
    model: "composer-2.5",
    prompt: "stored",
    apiKey: minted.key,
  });
  expect(out.text).toBe("Composer heard: stored");
  expect(await exchanged()).toContain(STORED);
  expect(JSON.stringify(h.logs)).not.toContain(STORED);
  const dir = dirname(store);
  for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f)).toString("latin1"), f).not.toContain(STORED);
});

it("without any Cursor key, answers 401 saying how to give one", async () => {
  const err = await consumeWithSdk("openai-chat", h.url, false, {
    model: "composer-2.5",
    prompt: "hi",
    apiKey: SERVICE,
  })
    .then(() => undefined)
    .catch((e: { status: number; message: string }) => e);
  expect(err).toMatchObject({ status: 401 });
  expect(err!.message).toContain("no Cursor API key");
});
