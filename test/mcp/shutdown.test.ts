import { afterAll, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { everythingStdio, mcpClient, textOf } from "../support/mcp-servers.js";

let h: Harness | undefined;

afterAll(async () => {
  await h?.close();
});

it("a graceful stop does not wait for the sessions' notification streams (clients open them again elsewhere)", async () => {
  h = await startHarness(() => ({ mcp: { servers: { everything: everythingStdio() } } }));
  await h.gateway.mcp!.current!.hub.ready();
  const client = await mcpClient(h.url, undefined);
  expect(textOf(await client.callTool({ name: "everything__echo", arguments: { message: "x" } }))).toBe("Echo: x");
  // The SDK's client holds a GET /mcp stream open once initialised: a stop that waited for it would wait
  // the whole grace (an hour here, past the test's timeout).
  await h.gateway.shutdown(3_600_000);
  const cut = h.logs.filter((l) => /cut|still in flight/i.test(String(l.msg)));
  expect(cut).toEqual([]);
  await client.close().catch(() => undefined);
}, 30_000);
