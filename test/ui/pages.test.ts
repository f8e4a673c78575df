import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, seedTraffic, startUiServer } from "./support/server.js";

/** Splits CSV text (RFC 4180) into rows of fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  return rows;
}

/**
 * Teams, spend, deployments and the playground, in a real browser against a running llmux whose traffic
 * was made through the gateway (none of these pages needs the request log).
 */
describe("web UI: teams, spend, deployments, playground", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;
  let mark = 0;
  const fresh = () => unexpected(w.errors.slice(mark));

  beforeAll(async () => {
    // An alias with one deployment and a fallback goes through the attempt loop, which keeps deployment health.
    h = await startUiServer(() => ({
      models: {
        "kimi-or-gpt": {
          deployments: [{ provider: "compat", model: "kimi-k2-thinking" }],
          fallbacks: ["via-openai-chat"],
        },
      },
    }));
    await seedTraffic(h);
    browser = await launch();
    w = await open(browser, h.url, "pages");
    await w.page.goto("/ui/teams");
    await signInWithKey(w.page, ADMIN);
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  it("Teams: spend against budget as a bar from the ledger; create, edit and delete a team", async () => {
    mark = w.errors.length;
    const platform = w.page.getByRole("row").filter({ hasText: "platform" });
    const words = await platform.locator(".bar-words").textContent();
    expect(words).toMatch(/^\$0\.\d+ of \$50\.00 this month$/);
    const meter = platform.locator("meter");
    const spent = Number(await meter.getAttribute("value"));
    const api = (await admin(h, "GET", "/teams")).body.data.find((t: { name: string }) => t.name === "platform");
    expect(api.spend_usd).toBeGreaterThan(0);
    expect(spent).toBeCloseTo(api.spend_usd, 9);
    await w.shot("1-teams");

    await w.page.getByRole("button", { name: "Create team" }).click();
    let dialog = w.page.getByRole("dialog", { name: "Create a team" });
    await dialog.getByLabel("Name").fill("research");
    await dialog.getByLabel("Models allowed").fill("via-anthropic, via-gemini");
    await dialog.getByLabel("USD").fill("20");
    await dialog.getByLabel("per").selectOption("week");
    await dialog.getByRole("button", { name: "Create team" }).click();
    const research = w.page.getByRole("row").filter({ hasText: "research" });
    await research.getByText("$0.00 of $20.00 this week").waitFor();

    await research.getByRole("button", { name: "Edit research" }).click();
    dialog = w.page.getByRole("dialog", { name: "Edit research" });
    expect(await dialog.getByLabel("Models allowed").inputValue()).toBe("via-anthropic, via-gemini");
    await dialog.getByLabel("Name").fill("research-ml");
    await dialog.getByLabel("Requests/min").fill("60");
    await dialog.getByRole("button", { name: "Save" }).click();
    const renamed = w.page.getByRole("row").filter({ hasText: "research-ml" });
    await renamed.getByText("60 rpm").waitFor();
    const saved = (await admin(h, "GET", "/teams")).body.data.find((t: { name: string }) => t.name === "research-ml");
    expect(saved).toMatchObject({
      models: ["via-anthropic", "via-gemini"],
      budget: { usd: 20, period: "week" },
      limits: { rpm: 60 },
    });
    await w.shot("2-team-edited");

    await renamed.getByRole("button", { name: "Delete research-ml" }).click();
    await w.page
      .getByRole("dialog", { name: "Delete research-ml?" })
      .getByRole("button", { name: "Delete team" })
      .click();
    await renamed.waitFor({ state: "detached" });
    expect((await admin(h, "GET", `/teams/${saved.id}`)).status).toBe(404);
    expect(fresh()).toEqual([]);
  });

  it("Keys: edit a key's allow-list, limits and expiry; switch it off; rotate it (new secret shown once)", async () => {
    mark = w.errors.length;
    await w.page.getByRole("link", { name: "Keys", exact: true }).click();
    const row = w.page.getByRole("row").filter({ hasText: "seed-ci" });
    await row.getByRole("button", { name: "Edit seed-ci" }).click();
    const dialog = w.page.getByRole("dialog", { name: "Edit seed-ci" });
    await dialog.getByLabel("Models allowed").fill("via-openai-chat");
    await dialog.getByLabel("At once").fill("3");
    await dialog.getByLabel("Expires").fill("2031-01-02T03:04");
    await dialog.getByLabel(/Disabled/).check();
    await dialog.getByRole("button", { name: "Save" }).click();
    await row.getByText("disabled").waitFor();
    const key = (await admin(h, "GET", "/keys")).body.data.find((k: { name: string }) => k.name === "seed-ci");
    expect(key).toMatchObject({ models: ["via-openai-chat"], limits: { concurrency: 3 }, disabled: true });
    expect(new Date(key.expires_at).getFullYear()).toBe(2031);

    await row.getByRole("button", { name: "Rotate seed-ci" }).click();
    const rotate = w.page.getByRole("dialog", { name: "Rotate seed-ci" });
    await rotate.getByLabel("The old secret works for").selectOption("0");
    await rotate.getByRole("button", { name: "Rotate" }).click();
    const shown = w.page.getByRole("dialog", { name: "New secret for seed-ci" });
    expect(await shown.getByTestId("secret").inputValue()).toMatch(/^lx-/);
    await w.shot("3-rotated");
    await shown.getByRole("button", { name: "Done" }).click();
    expect(fresh()).toEqual([]);
  });

  it("Spend: grouped by key, model and day as the spend API reports it, exported as CSV", async () => {
    mark = w.errors.length;
    await w.page.getByRole("link", { name: "Spend" }).click();
    const api = (await admin(h, "GET", "/spend?group_by=model")).body.rows as {
      group: string;
      requests: number;
      cost_usd: number;
    }[];
    expect(api.length).toBeGreaterThan(0);
    const byKey = w.page.getByRole("table", { name: "Spend by key" });
    await byKey.getByRole("rowheader", { name: "seed-ci" }).waitFor();
    await w.page.getByLabel("Group by").selectOption("model");
    const byModel = w.page.getByRole("table", { name: "Spend by model" });
    for (const r of api) {
      const row = byModel.getByRole("row").filter({ has: w.page.getByRole("rowheader", { name: r.group }) });
      // The alias or pattern that matched and the upstream model come before the counts.
      expect(await row.locator("td").nth(2).textContent()).toBe(String(r.requests));
    }
    await w.shot("4-spend-by-model");

    const download = w.page.waitForEvent("download");
    await w.page.getByRole("button", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const csv = parseCsv(readFileSync(file, "utf8"));
    expect(csv[0]).toEqual([
      "model",
      "name",
      "alias",
      "upstream_model",
      "requests",
      "refused",
      "input_tokens",
      "output_tokens",
      "cache_read_tokens",
      "cache_write_tokens",
      "reasoning_tokens",
      "cost_usd",
    ]);
    expect(csv.length - 1).toBe(api.length);
    for (const r of api) {
      const line = csv.find((l) => l[0] === r.group)!;
      expect(Number(line[4])).toBe(r.requests);
      expect(Number(line[11])).toBeCloseTo(r.cost_usd, 12);
    }

    await w.page.getByLabel("Group by").selectOption("day");
    const today = new Date().toISOString().slice(0, 10);
    await w.page.getByRole("table", { name: "Spend by day" }).getByRole("rowheader", { name: today }).waitFor();
    expect(fresh()).toEqual([]);
  });

  it("Deployments: health refreshed live; a deployment told to wait shows as cooling down", async () => {
    mark = w.errors.length;
    await w.page.getByRole("link", { name: "Deployments" }).click();
    const compat = w.page.locator('tr[data-deployment="compat/kimi-k2-thinking"]');
    await compat.getByText("healthy").waitFor();
    await w.shot("5-deployments");
    h.mock.enqueue({
      match: { model: "kimi-k2-thinking" },
      httpError: { status: 429, message: "slow down", retryAfter: "30" },
    });
    // Keys were minted here: the gateway asks for one.
    const caller = await admin(h, "POST", "/keys", { name: "deployments-page" });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${caller.body.key}` },
      body: JSON.stringify({ model: "kimi-or-gpt", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-route")).toMatch(/429/);
    // No reload: the page asks again by itself.
    await compat.getByText(/cooling down · \d+ s/).waitFor({ timeout: 10_000 });
    await w.shot("6-deployment-cooling");
    expect(fresh()).toEqual([]);
  });

  it("Playground: a prompt to an alias in each dialect, streamed, raw events beside the answer", async () => {
    mark = w.errors.length;
    await w.page.getByRole("link", { name: "Playground" }).click();
    await w.page.getByRole("button", { name: "Mint a playground key" }).click();
    const keyField = w.page.getByLabel("Client key");
    for (let i = 0; i < 40 && !(await keyField.inputValue()).startsWith("lx-"); i++) await w.page.waitForTimeout(100);
    expect(await keyField.inputValue()).toMatch(/^lx-/);
    const last: Record<string, string> = {
      chat: "data: [DONE]",
      responses: "event: response.completed",
      messages: "event: message_stop",
    };
    for (const dialect of ["chat", "responses", "messages"] as const) {
      await w.page.getByLabel("Dialect").selectOption(dialect);
      await w.page.getByLabel("Model").fill("via-openai-chat");
      await w.page.getByLabel("Prompt", { exact: true }).fill(`Say hello over ${dialect}`);
      await w.page.getByRole("button", { name: "Send" }).click();
      await w.page.getByTestId("playground-answer").getByText(`mock: Say hello over ${dialect}`).waitFor();
      const events = w.page.getByTestId("raw-events");
      await events.getByText(last[dialect]!).first().waitFor();
      expect(await events.locator("li").count()).toBeGreaterThan(2);
      await w.page.getByText("done", { exact: true }).waitFor();
      await w.shot(`7-playground-${dialect}`);
    }
    const keys = (await admin(h, "GET", "/keys")).body.data as { name: string; expires_at: string }[];
    const made = keys.find((k) => k.name.startsWith("playground"))!;
    expect(Date.parse(made.expires_at) - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(fresh()).toEqual([]);
  });
});
