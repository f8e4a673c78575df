import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { EVERYTHING, everythingStdio, mcpClient } from "../support/mcp-servers.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, call, startUiServer } from "./support/server.js";

const SECRET = "ui-typed-secret-0123456789abcdef";

/** The MCP page (servers, health, tools; adding, changing and removing servers) and a tool call's page, in a real browser. */
describe("web UI: MCP", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;

  beforeAll(async () => {
    h = await startUiServer(() => ({
      mcp: { servers: { everything: { ...everythingStdio(), tools: { approval: ["get-tiny-image"] } } } },
    }));
    await h.gateway.mcp!.current!.hub.ready();
    browser = await launch();
    w = await open(browser, h.url, "mcp-page");
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  it("lists each server with its health and tools", async () => {
    await w.page.goto("/ui/mcp");
    await signInWithKey(w.page, ADMIN);
    const server = w.page.getByRole("region", { name: "MCP server everything" });
    await shownOrRefused(w, server);
    expect(await server.locator("[data-status]").innerText()).toBe("ready");
    await server.locator("tr[data-tool='echo']").waitFor();
    expect(await server.locator("tr[data-tool='get-tiny-image']").innerText()).toContain("needs approval");
    expect(unexpected(w.errors)).toEqual([]);
  });

  it("adds a server with a secret, changes it and removes it; the secret is never shown again", async () => {
    await w.page.goto("/ui/mcp");
    await w.page.getByRole("button", { name: "Add server" }).click();
    const form = w.page.getByRole("form", { name: "MCP server" });
    await form.locator("input[name=name]").fill("typed");
    await form.locator("input[name=command]").fill(process.execPath);
    await form.locator("textarea[name=args]").fill(`${EVERYTHING}\nstdio`);
    await form.locator("textarea[name=secrets]").fill(`TYPED_TOKEN=${SECRET}`);
    await form.getByRole("button", { name: "Add server" }).click();
    const server = w.page.getByRole("region", { name: "MCP server typed" });
    await shownOrRefused(w, server);
    await server.locator("[data-status='ready']").waitFor();
    await server.locator("tr[data-tool='echo']").waitFor();
    const stored = await call(h.url, "GET", "/admin/v1/mcp/servers/typed", { key: ADMIN });
    expect(stored.body.env).toEqual({ TYPED_TOKEN: { set: true } });

    await server.getByRole("button", { name: "Edit typed" }).click();
    const edit = w.page.getByRole("form", { name: "MCP server" });
    await edit.getByLabel("Remove TYPED_TOKEN").waitFor();
    expect(await w.page.content()).not.toContain(SECRET);
    await edit.locator("input[name=deny]").fill("echo");
    await edit.getByRole("button", { name: "Save" }).click();
    await server.locator("tr[data-tool='echo'] td:nth-child(2)", { hasText: "denied" }).waitFor();
    const changed = await call(h.url, "GET", "/admin/v1/mcp/servers/typed", { key: ADMIN });
    expect(changed.body.tools.deny).toEqual(["echo"]);
    expect(changed.body.env).toEqual({ TYPED_TOKEN: { set: true } });

    await server.getByRole("button", { name: "Remove typed" }).click();
    await w.page.getByRole("button", { name: "Remove server" }).click();
    await server.waitFor({ state: "detached" });
    expect((await call(h.url, "GET", "/admin/v1/mcp/servers/typed", { key: ADMIN })).status).toBe(404);
    expect(await w.page.content()).not.toContain(SECRET);
    expect(unexpected(w.errors)).toEqual([]);
  });

  it("a tool call's page names the server, the tool and the session", async () => {
    const client = await mcpClient(h.url, undefined);
    const session = (client.transport as StreamableHTTPClientTransport).sessionId!;
    await client.callTool({ name: "everything__echo", arguments: { message: "seen in the UI" } });
    await client.close();
    await h.gateway.requestLog!.flush();
    await w.page.goto("/ui/requests?mcp_server=everything");
    const row = w.page.locator("tbody tr").first();
    await shownOrRefused(w, row);
    await row.locator("a").first().click();
    const fact = w.page.locator("[data-mcp-tool='everything__echo']");
    await shownOrRefused(w, fact);
    expect(await fact.innerText()).toContain(session);
    expect(unexpected(w.errors)).toEqual([]);
  });
});
