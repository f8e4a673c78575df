import type { Browser, Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { receiver } from "../support/webhook-receiver.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, startUiServer } from "./support/server.js";
import { S1, S2, S3, sessionTraffic } from "./support/session-traffic.js";

/** Dollars as the page writes them (ui/src/lib/format.ts `usd`). */
const usd = (v: number) =>
  Math.abs(v) >= 1 || v === 0
    ? new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2 }).format(v)
    : new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumSignificantDigits: 3 }).format(v);
/** A count as the page writes it ("12,000"), read back. */
const num = async (cell: Locator) => Number((await cell.innerText()).replace(/,/g, ""));

interface LogRow {
  id: string;
  time: string;
  session_id: string | null;
  agent_id: string | null;
  outcome: string;
  input_tokens: number;
  cost_usd: number;
  cost_nanos?: number;
}

/**
 * Sessions, spend by tag and alerts in a real browser, against a running llmux whose traffic went through the
 * gateway with Claude Code's session and agent headers and llmux-tags (the mock upstream answering with set
 * token counts). The figures on the pages are checked against the request log's own rows.
 */
describe("web UI: sessions with their agent tree, spend by tag, alerts", { timeout: 90_000 }, () => {
  let h: Harness;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let browser: Browser;
  let w: Watched;
  let traffic: Awaited<ReturnType<typeof sessionTraffic>>;
  let rows: LogRow[] = [];
  let mark = 0;
  const fresh = () => unexpected(w.errors.slice(mark));
  const s1 = () => rows.filter((r) => r.session_id === S1);

  beforeAll(async () => {
    hook = await receiver(1);
    h = await startUiServer(() => ({
      alerts: {
        destinations: { chat: { type: "slack", url: hook.url } },
        rules: [{ on: "budget_blocked", to: ["chat"] }],
      },
    }));
    traffic = await sessionTraffic(h);
    // The request log is written after each answer: wait for all eleven rows.
    for (let i = 0; i < 60 && rows.length < traffic.statuses.length; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      rows = (await admin(h, "GET", "/requests?limit=200")).body.rows;
    }
    browser = await launch();
    w = await open(browser, h.url, "sessions");
    await w.page.goto("/ui/sessions");
    await signInWithKey(w.page, ADMIN);
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
    hook?.server.close();
  });

  it("the traffic went through as planned (the one upstream failure and the budget refusal included)", () => {
    expect(traffic.statuses.slice(0, 9)).toEqual([200, 200, 200, 200, 500, 200, 200, 200, 200]);
    // Anthropic's status for a billing refusal (a budget) is 402 (src/dialects/anthropic/errors.ts).
    expect(traffic.statuses.slice(9)).toEqual([402, 402]);
    expect(s1()).toHaveLength(7);
  });

  it("lists the sessions, most expensive first; a session's cost is the sum of its rows", async () => {
    mark = w.errors.length;
    const table = w.page.getByRole("table", { name: "Sessions" });
    await shownOrRefused(w, table);
    const first = table.locator("tbody tr").first();
    expect(await first.getByRole("rowheader").innerText()).toBe(S1);
    const want = s1().reduce((t, r) => t + r.cost_usd, 0);
    expect(want).toBeGreaterThan(0);
    expect(await first.locator("td").last().innerText()).toBe(usd(want));
    const ids = await table.locator("tbody th").allInnerTexts();
    expect(ids).toEqual(expect.arrayContaining([S1, S2, S3]));
    const s1Row = table.getByRole("row").filter({ hasText: S1 });
    expect(await s1Row.getByRole("cell", { name: "claude-code" }).count()).toBe(1);
    expect(await s1Row.getByRole("cell", { name: "alice-laptop" }).count()).toBe(1);
    await w.shot("1-list");

    await w.page.getByLabel("Sort").selectOption("recent");
    await w.page.getByRole("button", { name: "Apply" }).click();
    await w.page.waitForURL(/sort=recent/);
    await table.locator("tbody th").first().filter({ hasText: "broke-session" }).waitFor();
    await w.page.getByLabel("Key").selectOption({ label: `alice-laptop (${traffic.alice.prefix})` });
    await w.page.getByRole("button", { name: "Apply" }).click();
    await w.page.waitForURL(/key_id=/);
    await table.locator("tbody th").first().filter({ hasText: S2 }).waitFor();
    expect(await table.locator("tbody th").allInnerTexts()).toEqual([S2, S1]);
    // The other filters, from the address as a shared link would carry them.
    await w.page.goto(`/ui/sessions?user=bob`);
    await table.locator("tbody th").first().filter({ hasText: S3 }).waitFor();
    expect(await table.locator("tbody th").allInnerTexts()).toEqual([S3]);
    await w.page.goto(`/ui/sessions?team_id=${traffic.team.id}&tool=claude-code`);
    await table.locator("tbody th").first().filter({ hasText: S1 }).waitFor();
    expect(await table.locator("tbody th").allInnerTexts()).toEqual([S1]);
    await w.page.goto("/ui/sessions?tool=codex");
    await table.getByText("No sessions in this period.").waitFor();
    expect(fresh()).toEqual([]);
  });

  it("a session: totals, the agent tree nested with each agent's own figures, its timeline", async () => {
    mark = w.errors.length;
    await w.page.goto("/ui/sessions");
    await w.page.getByRole("link", { name: S1 }).click();
    const cost = w.page.getByTestId("tile-cost");
    await shownOrRefused(w, cost);
    expect(await cost.innerText()).toBe(usd(s1().reduce((t, r) => t + r.cost_usd, 0)));
    expect(await w.page.getByTestId("tile-requests").innerText()).toBe("7");

    const agents = w.page.getByRole("table", { name: "Agents" }).locator("tbody tr");
    expect(await agents.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-agent")))).toEqual([
      "(main)",
      "agent_a1",
      "agent_b",
    ]);
    expect(await agents.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-depth")))).toEqual(["0", "1", "2"]);
    // Drawn nested: each sub-agent's name starts further right than its parent's.
    const x = async (i: number) => (await agents.nth(i).locator(".agent-name").boundingBox())!.x;
    const [x0, x1, x2] = [await x(0), await x(1), await x(2)];
    expect(x1).toBeGreaterThan(x0);
    expect(x2).toBeGreaterThan(x1);
    for (const [i, agent] of [null, "agent_a1", "agent_b"].entries()) {
      const mine = s1().filter((r) => r.agent_id === agent);
      const cells = agents.nth(i).locator("td");
      expect(await num(cells.nth(0)), `${agent} requests`).toBe(mine.length);
      expect(await num(cells.nth(2)), `${agent} input`).toBe(mine.reduce((t, r) => t + r.input_tokens, 0));
      expect(await cells.last().innerText(), `${agent} cost`).toBe(usd(mine.reduce((t, r) => t + r.cost_usd, 0)));
    }
    // The main agent read 35,000 of its 41,000 input tokens from the cache.
    expect(await agents.nth(0).locator("td").nth(5).innerText()).toBe("85.4%");

    const timeline = w.page.getByRole("table", { name: "Timeline" }).locator("tbody tr");
    const byTime = [...s1()].sort((a, b) => a.time.localeCompare(b.time)).map((r) => r.id);
    const hrefs = await timeline.locator("td:first-child a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(hrefs).toEqual(byTime.map((id) => `/ui/requests/${encodeURIComponent(id)}`));
    const failed = timeline.and(w.page.locator("tr.failed"));
    expect(await failed.count()).toBe(1);
    expect(await failed.locator("td").nth(1).innerText()).toBe("agent_b");
    await w.shot("2-detail");

    await failed.getByRole("link").click();
    await w.page.getByRole("heading", { name: "Request", exact: true }).waitFor();
    const failedId = s1().find((r) => r.outcome !== "ok")!.id;
    await w.page.getByText(failedId).first().waitFor();
    // The request page names its session and agent, and links back to the session.
    await w.page.getByText("agent agent_b").waitFor();
    await w.page.getByRole("link", { name: S1 }).click();
    await w.page.getByRole("table", { name: "Agents" }).waitFor();
    expect(w.page.url()).toContain(`/ui/sessions/${S1}`);
    expect(fresh()).toEqual([]);
  });

  it("Spend groups by a tag, requests without it as (untagged); the tag key is chosen on the page", async () => {
    mark = w.errors.length;
    await w.page.getByRole("link", { name: "Spend" }).click();
    await w.page.getByLabel("Group by").selectOption("tag");
    const table = w.page.getByRole("table", { name: "Spend by tag project" });
    await shownOrRefused(w, table);
    const api = (await admin(h, "GET", "/spend?group_by=tag:project")).body.rows as {
      group: string | null;
      requests: number;
      cost_usd: number;
    }[];
    const checkout = table.getByRole("row").filter({ has: w.page.getByRole("rowheader", { name: "checkout" }) });
    expect(await num(checkout.locator("td").first())).toBe(5);
    const checkoutCost = s1()
      .filter((r) => r.agent_id !== "agent_b")
      .reduce((t, r) => t + r.cost_usd, 0);
    expect(await checkout.locator("td").last().innerText()).toBe(usd(checkoutCost));
    for (const g of api) {
      const row = table.getByRole("row").filter({
        has: w.page.getByRole("rowheader", { name: g.group ?? "(untagged)", exact: true }),
      });
      expect(await num(row.locator("td").first()), `${g.group} requests`).toBe(g.requests);
      expect(await row.locator("td").last().innerText(), `${g.group} cost`).toBe(usd(g.cost_usd));
    }
    expect(api.map((g) => g.group).sort()).toEqual(["checkout", "search", null].sort());
    await w.shot("3-spend-by-tag");

    await w.page.getByLabel("Tag key").fill("cost-center");
    await w.page.getByLabel("Tag key").press("Enter");
    const other = w.page.getByRole("table", { name: "Spend by tag cost-center" });
    await other.waitFor();
    expect(await other.locator("tbody th").allInnerTexts()).toEqual(["(untagged)"]);
    expect(w.page.url()).toContain("group_by=tag%3Acost-center");
    expect(fresh()).toEqual([]);
  });

  it("Alerts lists the budget alert with its destination, retry and state", async () => {
    mark = w.errors.length;
    // The receiver failed the first delivery: the alert is sent on the retry (backoff 1 s).
    for (let i = 0; i < 40; i++) {
      const a = (await admin(h, "GET", "/alerts")).body.data;
      if (a.some((r: { state: string }) => r.state === "sent")) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await w.page.getByRole("link", { name: "Alerts" }).click();
    const table = w.page.getByRole("table", { name: "Alerts, newest first" });
    await shownOrRefused(w, table);
    const row = table.locator('tbody tr[data-rule="budget_blocked"]');
    expect(await row.count()).toBe(1);
    const text = await row.innerText();
    expect(text).toContain(traffic.broke.id);
    // The subject by its name (the id on hover).
    expect(await row.locator("td").nth(2).innerText()).toBe("key broke");
    expect(await row.locator("td").nth(2).getAttribute("title")).toBe(traffic.broke.id);
    expect(text).toContain("chat: sent");
    expect(text).toContain("2 attempts (1 retry)");
    expect(hook.got.map((g) => g.status)).toEqual([500, 200]);
    await w.shot("4-alerts");
    expect(fresh()).toEqual([]);
  });

  it("a key holder sees their own sessions only, and opens one", async () => {
    const me = await open(browser, h.url, "sessions-self");
    try {
      await me.page.goto("/ui/sessions");
      await signInWithKey(me.page, traffic.alice.key);
      const table = me.page.getByRole("table", { name: "Sessions" });
      await shownOrRefused(me, table);
      await me.page.getByRole("heading", { name: "My sessions" }).waitFor();
      expect((await table.locator("tbody th").allInnerTexts()).sort()).toEqual([S1, S2].sort());
      await table.getByRole("link", { name: S1 }).click();
      const cost = me.page.getByTestId("tile-cost");
      await shownOrRefused(me, cost);
      expect(await cost.innerText()).toBe(usd(s1().reduce((t, r) => t + r.cost_usd, 0)));
      expect(await me.page.getByRole("table", { name: "Agents" }).locator("tbody tr").count()).toBe(3);
      await me.shot("1-detail");
      // Their spend by tag: only their own requests (bob's project=search request is not theirs).
      await me.page.goto("/ui/spend?group_by=tag:project");
      const spend = me.page.getByRole("table", { name: "Spend by tag project" });
      await shownOrRefused(me, spend);
      const cell = (name: string) =>
        spend.getByRole("row").filter({ has: me.page.getByRole("rowheader", { name, exact: true }) });
      expect(await num(cell("checkout").locator("td").first())).toBe(5);
      const search = s1().filter((r) => r.agent_id === "agent_b");
      expect(await cell("search").locator("td").last().innerText()).toBe(
        usd(search.reduce((t, r) => t + r.cost_usd, 0)),
      );
      expect(await cell("(untagged)").locator("td").last().innerText()).toBe(
        usd(rows.filter((r) => r.session_id === S2).reduce((t, r) => t + r.cost_usd, 0)),
      );
      expect(unexpected(me.errors)).toEqual([]);
    } finally {
      await me.close();
    }
  });
});
