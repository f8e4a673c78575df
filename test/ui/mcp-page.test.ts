import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { everythingStdio, mcpClient } from "../support/mcp-servers.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, startUiServer } from "./support/server.js";

/** The MCP page (servers, health, tools) and a tool call's request page, in a real browser. */
describe("web UI: MCP", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;

  beforeAll(async () => {
    h = await startUiServer(() => ({
      mcp: { servers: { everything: { ...everythingStdio(), tools: { approval: ["get-tiny-image"] } } } },
    }));
    await h.gateway.mcp!.hub.ready();
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
