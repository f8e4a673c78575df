/**
 * withoutRequestFields (src/upstream/lean-agent.ts): the agent makes its connections from options without
 * the request's headers, path and method (what node keeps on the socket for its life), while the request still
 * sends them, over HTTP and HTTPS, and a kept-alive connection is reused as before.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AgentOptions, createServer, Agent as HttpAgent, type IncomingMessage, request } from "node:http";
import {
  createServer as createHttpsServer,
  Agent as HttpsAgent,
  type RequestOptions as HttpsRequestOptions,
  request as httpsRequest,
} from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerList } from "../../src/upstream/header-list.js";
import { withoutRequestFields } from "../../src/upstream/lean-agent.js";

/** A self-signed certificate for 127.0.0.1, made by openssl. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "llmux-lean-agent-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key].concat([
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ]),
      { stdio: "ignore" },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const seen: { line: string; headers: IncomingMessage["headers"]; remotePort: number | undefined }[] = [];
const handler = (req: IncomingMessage, res: import("node:http").ServerResponse) => {
  seen.push({ line: `${req.method} ${req.url}`, headers: req.headers, remotePort: req.socket.remotePort });
  req.resume();
  req.on("end", () => res.end("ok"));
};
const http = createServer(handler);
let https: ReturnType<typeof createHttpsServer>;

beforeAll(async () => {
  const { key, cert } = selfSigned();
  https = createHttpsServer({ key, cert }, handler);
  await new Promise<void>((done) => http.listen(0, "127.0.0.1", done));
  await new Promise<void>((done) => https.listen(0, "127.0.0.1", done));
});

afterAll(() => {
  http.close();
  https.close();
});

/** An agent that records the options each connection is made from. */
function recording<A extends HttpAgent>(agent: A): { agent: A; made: Record<string, unknown>[] } {
  const made: Record<string, unknown>[] = [];
  const create = (agent as unknown as { createConnection: (o: Record<string, unknown>, cb: unknown) => unknown })
    .createConnection;
  (agent as unknown as { createConnection: unknown }).createConnection = function (
    this: A,
    o: Record<string, unknown>,
    cb: unknown,
  ) {
    made.push({ ...o });
    return create.call(this, o, cb);
  };
  return { agent: withoutRequestFields(agent), made };
}

async function call(
  send: typeof request,
  agent: HttpAgent,
  port: number,
  headers: string[],
  options: HttpsRequestOptions = {
    hostname: "127.0.0.1",
    ...{ port, path: "/v1/x", method: "POST", agent, headers, rejectUnauthorized: false },
  },
): Promise<string> {
  return new Promise<string>((done, fail) => {
    const req = (send as typeof httpsRequest)(options, (res) => {
      let body = "";
      res.on("data", (b) => {
        body += b;
      });
      res.on("end", () => done(body));
    });
    req.on("error", fail);
    req.end("{}");
  });
}

const options: AgentOptions = { keepAlive: true, maxFreeSockets: 4 };

describe("withoutRequestFields", () => {
  for (const [name, send, Agent, server] of [
    ["HTTP", request, HttpAgent, () => http],
    ["HTTPS", httpsRequest as typeof request, HttpsAgent, () => https],
  ] as const) {
    it(`${name}: connects without the headers, sends them, and reuses the connection`, async () => {
      seen.length = 0;
      const { agent, made } = recording(new Agent(options));
      const port = (server().address() as AddressInfo).port;
      const secret = "Bearer sk-planted-secret-0123456789";
      // The flat header list llmux gives node (src/upstream/header-list.ts).
      const headers = (one: string) =>
        headerList({ authorization: secret, "x-one": one, "content-length": "2" }, `127.0.0.1:${port}`);
      expect(await call(send, agent, port, headers("1"))).toBe("ok");
      expect(await call(send, agent, port, headers("2"))).toBe("ok");
      agent.destroy();
      // One connection, made from options that hold no header (nor the secret in them).
      expect(made).toHaveLength(1);
      expect(made[0]!.headers).toBeUndefined();
      expect(made[0]!.method).toBeUndefined();
      expect(made[0]!.path ?? null).toBeNull();
      expect(JSON.stringify(made[0])).not.toContain("sk-planted-secret");
      expect(made[0]).toMatchObject({ host: "127.0.0.1", port });
      // Both requests carried their headers, over the same connection.
      expect(seen.map((s) => [s.line, s.headers.authorization, s.headers["x-one"]])).toEqual([
        ["POST /v1/x", secret, "1"],
        ["POST /v1/x", secret, "2"],
      ]);
      expect(seen[0]!.remotePort).toBe(seen[1]!.remotePort);
    });

    it(`${name}: leaves the caller's options as they were`, async () => {
      const { agent } = recording(new Agent(options));
      const port = (server().address() as AddressInfo).port;
      const headers = headerList({ "x-one": "1", "content-length": "2" }, `127.0.0.1:${port}`);
      const given: HttpsRequestOptions = {
        hostname: "127.0.0.1",
        ...{ port, path: "/v1/x", method: "POST", agent, headers, rejectUnauthorized: false },
      };
      expect(await call(send, agent, port, headers, given)).toBe("ok");
      agent.destroy();
      expect(given).toMatchObject({ path: "/v1/x", method: "POST", headers, agent });
    });
  }
});

describe("withoutRequestFields, the options it hands on", () => {
  const fields = () => ({ host: "h", port: 1, path: "/p", method: "POST", headers: ["a", "b"], agent: {} });
  const handedOn = () => {
    const got: object[] = [];
    const agent = withoutRequestFields({
      addRequest: (_req: unknown, o: object) => got.push(o),
    } as unknown as HttpAgent);
    const add = (o: object) => (agent as unknown as { addRequest(r: unknown, o: object): void }).addRequest({}, o);
    return { got, add };
  };

  it("hands on a copy without them, of node's own copy (a null-prototype object) or any other, and changes neither", () => {
    const { got, add } = handedOn();
    const nodes = Object.assign(Object.create(null) as object, fields());
    const plain = fields();
    add(nodes);
    add(plain);
    expect(got).toHaveLength(2);
    expect(got[0]).not.toBe(nodes);
    expect(got[1]).not.toBe(plain);
    for (const o of got) expect({ ...o }).toEqual({ host: "h", port: 1 });
    expect({ ...nodes }).toEqual(fields());
    expect(plain).toEqual(fields());
  });
});
