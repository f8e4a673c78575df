import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";

const parse = (servers: unknown) => parseConfig({ mcp: { servers } }, { TOKEN: "secret-token-value" });
const error = (servers: unknown) => {
  try {
    parse(servers);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("accepted");
};

describe("mcp.servers in the configuration", () => {
  it("takes the transport from what is given: a command is stdio, a url Streamable HTTP", () => {
    const c = parse({
      files: { command: "npx", args: ["server"] },
      docs: { url: "https://mcp.example.com/mcp", headers: { Authorization: `Bearer \${TOKEN}` } },
      old: { transport: "sse", url: "https://old.example.com/sse" },
    });
    expect(c.mcp.servers.files!.transport).toBe("stdio");
    expect(c.mcp.servers.docs).toMatchObject({
      transport: "http",
      headers: { Authorization: "Bearer secret-token-value" },
    });
    expect(c.mcp.servers.old!.transport).toBe("sse");
  });

  it("names the field at fault", () => {
    expect(error({ a__b: { command: "x" } })).toContain("mcp.servers.a__b: 'a__b' is not a server name");
    expect(error({ x: { transport: "http" } })).toContain("mcp.servers.x.url: missing");
    expect(error({ x: {} })).toContain("mcp.servers.x.command: missing");
    expect(error({ x: { transport: "ws", url: "http://a" } })).toContain("mcp.servers.x.transport");
    expect(error({ x: { command: "x", url: "http://a" } })).toContain("mcp.servers.x: unknown key 'url'");
  });
});
