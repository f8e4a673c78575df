import OpenAI from "openai";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, BODIES_KNOWN, openai, seedTraffic, startUiServer } from "./support/server.js";

/**
 * An admin's day, in a real browser against a running llmux with the mock upstream: sign in, read the
 * overview drawn from the traffic seeded through the gateway, mint a key, use it from the official `openai`
 * SDK with a tool call, find that request and read its conversation, revoke the key, see the next call refused.
 *
 * The overview and the request steps read the request log (GET /admin/v1/stats, /requests, /requests/{id}).
 */
describe("web UI: sign in, overview, a new key used from the openai SDK, its conversation, revoked", {
  timeout: 60_000,
}, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;
  let seed: Awaited<ReturnType<typeof seedTraffic>>;
  let minted: { id: string; key: string } | undefined;
  let mark = 0;
  /** This step's console and page errors (the page lives through every step). */
  const fresh = () => unexpected(w.errors.slice(mark));

  beforeAll(async () => {
    h = await startUiServer();
    seed = await seedTraffic(h);
    browser = await launch();
    w = await open(browser, h.url, "journey");
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  it("signs in with the admin key", async () => {
    mark = w.errors.length;
    await w.page.goto("/ui/keys");
    await w.page.getByLabel("Admin key, or your own lx- key").waitFor();
    await w.shot("1-sign-in");
    await signInWithKey(w.page, ADMIN);
    expect(await w.page.locator(".who .badge").textContent()).toBe("admin");
    await w.page.getByRole("link", { name: "seed-ci" }).waitFor();
    expect(fresh()).toEqual([]);
  });

  it("shows the overview charts drawn from the seeded traffic", async () => {
    mark = w.errors.length;
    await w.page.getByRole("link", { name: "Overview" }).click();
    const requests = w.page.getByTestId("tile-requests");
    await shownOrRefused(w, requests);
    // Eight requests went through the gateway with the seeded key (six answered, two failed upstream).
    expect(Number((await requests.textContent())!.replace(/,/g, ""))).toBeGreaterThanOrEqual(8);
    expect(await w.page.getByTestId("tile-errors").textContent()).not.toBe("0.0%");
    const rpm = w.page.getByTestId("chart-rpm");
    expect(await rpm.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(0);
    await rpm.getByText(/^Numbers/).click();
    expect(await rpm.locator("tbody tr").count()).toBeGreaterThan(0);
    expect(await w.page.getByTestId("chart-latency").locator(".recharts-line").count()).toBe(4);
    const errors = w.page.getByTestId("chart-errors");
    expect(await errors.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(0);
    const topModels = w.page.getByRole("region", { name: "Top models" });
    await topModels.getByRole("link", { name: "via-openai-chat" }).waitFor();
    await topModels.getByRole("link", { name: "via-anthropic" }).waitFor();
    await w.page.getByRole("region", { name: "Top keys" }).getByRole("link", { name: "seed-ci" }).waitFor();
    await w.shot("2-overview");
    expect(fresh()).toEqual([]);
  });

  it("creates a key: shown once, with a copy button", async () => {
    mark = w.errors.length;
    await w.page.goto("/ui/keys");
    await w.page.getByRole("button", { name: "Create key" }).click();
    const dialog = w.page.getByRole("dialog", { name: "Create a key" });
    await dialog.getByLabel("Name").fill("alice-laptop");
    await dialog.getByLabel("Team").selectOption({ label: "platform" });
    await dialog.getByLabel("User").fill("alice");
    await dialog.getByLabel("Models allowed").fill("via-*");
    await dialog.getByLabel("USD").fill("5");
    await dialog.getByLabel("per").selectOption("month");
    await w.shot("3-create-key");
    await dialog.getByRole("button", { name: "Create key" }).click();

    const shown = w.page.getByRole("dialog", { name: "Key alice-laptop created" });
    const secret = await shown.getByTestId("secret").inputValue();
    expect(secret).toMatch(/^lx-/);
    await shown.getByRole("button", { name: "Copy" }).click();
    await shown.getByRole("button", { name: "Copied ✓" }).waitFor();
    expect(await w.page.evaluate("navigator.clipboard.readText()")).toBe(secret);
    await w.shot("4-key-shown-once");
    await shown.getByRole("button", { name: "Done" }).click();

    const row = w.page.getByRole("row").filter({ hasText: "alice-laptop" });
    await row.getByText("$0.00 of $5.00 this month").waitFor();
    const list = await admin(h, "GET", "/keys");
    const made = list.body.data.find((k: { name: string }) => k.name === "alice-laptop");
    expect(made).toMatchObject({ user: "alice", team_id: seed.teamId, models: ["via-*"] });
    expect(made.budget).toEqual({ usd: 5, period: "month" });
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(await w.page.content()).not.toContain(secret);
    minted = { id: made.id, key: secret };
    expect(fresh()).toEqual([]);
  });

  it("the new key works from the official openai SDK, and the model answers with a tool call", async () => {
    expect(minted, "the key from the step before").toBeDefined();
    h.mock.enqueue({
      blocks: [
        { type: "text", text: "I will read the entry point." },
        { type: "tool_call", id: "call_read_1", name: "read_file", arguments: '{"path":"src/main.ts"}' },
      ],
    });
    const stream = openai(h, minted!.key).chat.completions.stream({
      model: "via-openai-chat",
      tools: [
        {
          type: "function",
          function: {
            name: "read_file",
            description: "Read a file of the repository",
            parameters: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
          },
        },
        {
          type: "function",
          function: { name: "list_dir", description: "List a folder", parameters: { type: "object", properties: {} } },
        },
      ],
      messages: [
        { role: "system", content: "You are a careful coding assistant." },
        { role: "user", content: "Why does `npm test` fail?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_ls_1", type: "function", function: { name: "list_dir", arguments: '{"path":"src"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_ls_1", content: "main.ts\nutil.ts" },
        { role: "user", content: "Look at **main.ts** first." },
      ],
    });
    const done = await stream.finalChatCompletion();
    const call = done.choices[0]!.message.tool_calls![0]!;
    expect(call.type === "function" && call.function.name).toBe("read_file");
    expect(call.type === "function" && JSON.parse(call.function.arguments)).toEqual({ path: "src/main.ts" });
  });

  it("finds that request in Requests and opens its conversation, tool calls rendered", async () => {
    mark = w.errors.length;
    expect(BODIES_KNOWN, "logging.bodies (the request log keeps bodies) is not in this build's configuration").toBe(
      true,
    );
    await w.page.goto("/ui/requests");
    await w.page.getByLabel("Key").selectOption(minted!.id);
    await w.page.getByRole("button", { name: "Apply" }).click();
    await w.page.waitForURL((u) => u.searchParams.get("key_id") === minted!.id);
    const table = w.page.getByRole("table", { name: "Requests, newest first" });
    await shownOrRefused(w, table);
    const settled = w.page.locator('table[aria-busy="false"]');
    const rows = table.locator("tbody tr.clickable");
    await settled.waitFor();
    // The log row is written when the request settles: look again until it is there.
    for (let i = 0; i < 20 && (await rows.count()) === 0; i++) {
      await w.page.waitForTimeout(250);
      await w.page.reload();
      await settled.waitFor();
    }
    expect(await rows.count()).toBe(1);
    await rows.first().getByText("via-openai-chat").waitFor();
    await w.shot("5-requests");
    await rows.first().getByRole("link").click();

    await w.page.getByRole("heading", { name: "Conversation" }).waitFor();
    const calls = w.page.getByTestId("tool-call");
    await calls.filter({ hasText: "list_dir" }).getByText('"path"').waitFor();
    await w.page.getByTestId("tool-result").filter({ hasText: "main.ts" }).getByText("list_dir").waitFor();
    const answer = w.page.getByRole("article", { name: "Answer" });
    await answer.getByTestId("tool-call").filter({ hasText: "read_file" }).getByText('"src/main.ts"').waitFor();
    // The system prompt is there, folded.
    const system = w.page.locator("details.system");
    expect(await system.getAttribute("open")).toBeNull();
    await system.getByText("You are a careful coding assistant.").waitFor({ state: "attached" });
    await w.page.locator(".md strong", { hasText: "main.ts" }).waitFor();
    await w.shot("6-conversation");
    expect(fresh()).toEqual([]);
  });

  it("revokes the key, and the next call with it is refused", async () => {
    mark = w.errors.length;
    expect(minted, "the key from the step before").toBeDefined();
    await w.page.goto("/ui/keys");
    const row = w.page.getByRole("row").filter({ hasText: "alice-laptop" });
    await row.getByRole("button", { name: /Revoke/ }).click();
    const dialog = w.page.getByRole("dialog", { name: "Revoke alice-laptop?" });
    await w.shot("7-revoke");
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await row.waitFor({ state: "detached" });
    await w.shot("8-revoked");

    const refused = await openai(h, minted!.key)
      .chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "still there?" }] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((refused as InstanceType<typeof OpenAI.AuthenticationError>).message).toMatch(/revoked/);
    expect(fresh()).toEqual([]);
  });
});
