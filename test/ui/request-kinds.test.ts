import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbedFake, startEmbedFake } from "../support/embed-fake.js";
import type { Harness } from "../support/gateway.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, call, openai, startUiServer } from "./support/server.js";

/**
 * The Requests page's kind of call: a column naming each row's kind (chat, embedding, autocomplete, rerank, or
 * the route's own kind) and a filter, each checked against the admin API's answer for the same query.
 */
describe("web UI: the request log's kind column and filter", { timeout: 90_000 }, () => {
  let h: Harness;
  let fake: EmbedFake;
  let browser: Browser;
  let w: Watched;
  let keyId = "";
  const fresh = () => unexpected(w.errors);

  beforeAll(async () => {
    fake = await startEmbedFake();
    h = await startUiServer(() => ({
      providers: { emb: { type: "openai", base_url: `${fake.url}/v1`, api_key: "oa-key" } },
      models: { "embed-small": { kind: "embedding", provider: "emb", model: "text-embedding-3-small" } },
    }));
    const made = await admin(h, "POST", "/keys", { name: "indexer" });
    keyId = made.body.id;
    const client = openai(h, made.body.key);
    await client.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] });
    await client.embeddings.create({ model: "embed-small", input: ["chunk one", "chunk two"] });
    await client.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "again" }] });
    await client.embeddings.create({ model: "embed-small", input: "chunk three" });
    await call(h.url, "GET", "/v1/models", { key: made.body.key });
    for (let i = 0; i < 50; i++) {
      const all = await admin(h, "GET", `/requests?key_id=${keyId}`);
      if ((all.body?.rows?.length ?? 0) >= 5) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launch();
    w = await open(browser, h.url, "request-kinds");
    await w.page.goto("/ui/requests");
    await signInWithKey(w.page, ADMIN);
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
    await fake?.close();
  });

  const table = () => w.page.getByRole("table", { name: "Requests, newest first" });
  const settled = async () => {
    await shownOrRefused(w, table());
    await w.page.locator('table[aria-busy="false"]').waitFor();
  };
  const shown = async () => {
    const ids = (
      await table()
        .locator("tbody tr.clickable a")
        .evaluateAll((as) => as.map((a) => a.getAttribute("href")))
    ).map((href) => decodeURIComponent(String(href).split("/").at(-1) ?? ""));
    const kinds = await table().locator("tbody tr.clickable td.kind").allInnerTexts();
    return { ids, kinds };
  };

  it("shows each row's kind as the API says it", async () => {
    await w.page.goto(`/ui/requests?key_id=${keyId}`);
    await settled();
    const api = await admin(h, "GET", `/requests?limit=50&key_id=${keyId}`);
    const label: Record<string, string> = { generate: "chat", embeddings: "embedding", models: "models" };
    const { ids, kinds } = await shown();
    expect(ids).toEqual(api.body.rows.map((r: { id: string }) => r.id));
    expect(kinds).toEqual(api.body.rows.map((r: { kind: string }) => label[r.kind]));
    expect([...kinds].sort()).toEqual(["chat", "chat", "embedding", "embedding", "models"]);
    expect(fresh()).toEqual([]);
  });

  it("filters by kind as the API does", async () => {
    for (const [option, kind, n] of [
      ["embedding", "embeddings", 2],
      ["chat", "generate", 2],
    ] as const) {
      await w.page.goto(`/ui/requests?key_id=${keyId}`);
      await settled();
      await w.page.getByRole("form", { name: "Filter requests" }).getByLabel("Kind").selectOption({ label: option });
      await w.page.getByRole("button", { name: "Apply" }).click();
      await w.page.waitForURL((u) => u.searchParams.get("kind") === kind);
      await settled();
      const api = await admin(h, "GET", `/requests?limit=50&key_id=${keyId}&kind=${kind}`);
      expect(api.body.rows.length, kind).toBe(n);
      const { ids, kinds } = await shown();
      expect(ids, kind).toEqual(api.body.rows.map((r: { id: string }) => r.id));
      expect(new Set(kinds), kind).toEqual(new Set([option]));
    }
    await w.shot("kind-filter");
    expect(fresh()).toEqual([]);
  });
});
