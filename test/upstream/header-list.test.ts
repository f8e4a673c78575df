/**
 * headerList (src/upstream/header-list.ts) against node:http itself: the same headers given to http.request as
 * an object and as headerList's flat list must put the same bytes on the wire (the request head, read off a
 * raw TCP socket), whatever the case of their names, a name given twice, a Host given or not, a port that is
 * the scheme's own or not, an IPv6 address.
 */
import { Agent, request } from "node:http";
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerList } from "../../src/upstream/header-list.js";

let server: Server;
let heads: string[] = [];
let port = 0;

beforeAll(async () => {
  server = createServer((socket) => {
    let got = "";
    socket.on("data", (b) => {
      got += b.toString("latin1");
      const end = got.indexOf("\r\n\r\n");
      if (end < 0) return;
      heads.push(got.slice(0, end + 4));
      socket.end("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n");
    });
  });
  await new Promise<void>((done) => server.listen(0, "::", done));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

/** The request head node:http writes for these options with `headers` given as they are. */
async function head(hostname: string, headers: Record<string, string> | string[], agent: Agent): Promise<string> {
  heads = [];
  await new Promise<void>((done, fail) => {
    const req = request({ hostname, port, path: "/v1/x?y=1", method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", done);
    });
    req.on("error", fail);
    req.end("{}");
  });
  return heads[0]!;
}

const CASES: { name: string; hostname: string; headers: Record<string, string> }[] = [
  {
    name: "a provider's usual headers",
    hostname: "127.0.0.1",
    headers: {
      "accept-encoding": "identity",
      "x-api-key": "k",
      "anthropic-version": "2023-06-01",
      "content-length": "2",
    },
  },
  {
    name: "a name given twice in different case (the last value, at the first place)",
    hostname: "127.0.0.1",
    headers: {
      "Content-Type": "text/plain",
      authorization: "Bearer a",
      "content-type": "application/json",
      "content-length": "2",
    },
  },
  {
    name: "a Host of its own (a signed request)",
    hostname: "127.0.0.1",
    headers: { host: "example.test", "content-length": "2" },
  },
  { name: "an IPv6 address", hostname: "::1", headers: { "x-a": "1", "content-length": "2" } },
];

describe("headerList", () => {
  for (const keepAlive of [true, false])
    for (const c of CASES)
      it(`${c.name}: the same request head as node:http's from the object (keep-alive ${keepAlive})`, async () => {
        const agent = new Agent({ keepAlive });
        const url = new URL(`http://${c.hostname.includes(":") ? `[${c.hostname}]` : c.hostname}:${port}/v1/x?y=1`);
        const want = await head(c.hostname, c.headers, agent);
        const got = await head(c.hostname, headerList(c.headers, url.host), agent);
        agent.destroy();
        expect(got).toBe(want);
        expect(got.split("\r\n").length).toBeGreaterThan(4);
      });

  it("leaves out the port that is the scheme's own, as node:http does", () => {
    expect(headerList({ a: "1" }, new URL("http://example.test:80/x").host)).toEqual([
      "a",
      "1",
      "Host",
      "example.test",
    ]);
    expect(headerList({ a: "1" }, new URL("https://example.test:8443/x").host)).toEqual([
      "a",
      "1",
      "Host",
      "example.test:8443",
    ]);
  });
});
