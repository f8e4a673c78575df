/**
 * What a gateway does not use, it does not load: the MCP SDK, the admin API's router and schemas, the mail
 * and Redis clients stay out of a process that only serves models (they are ~15 MB of heap at rest), and
 * each is loaded when first needed. Read from Node's own module resolution (a resolve hook in the process).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, emptyDir } from "../cli/run.js";
import { unbundle } from "../support/bundle-modules.js";

const ADMIN = "lazy-admin-key-0123456789";
const SERVICE = "lazy-service-key-0123456789";
/** Packages a gateway without MCP servers, mail alerts or Redis need not load until asked. */
const LAZY = [
  "@modelcontextprotocol/sdk",
  "hono",
  "@hono/zod-openapi",
  "nodemailer",
  "ioredis",
  "ws",
  "openid-client",
  "node-html-parser",
];

// Registered with --import: every package the process resolves is appended to LLMUX_TEST_MODULES, and every
// file of llmux's bundle it loads (as "file URL": those hold the packages bundled with llmux).
const HOOK = `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(\`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  const m = r.url.match(/node_modules\\\\/((?:@[^/]+\\\\/)?[^/]+)\\\\//);
  if (m) appendFileSync(process.env.LLMUX_TEST_MODULES, m[1] + "\\\\n");
  else if (r.url.includes("/dist/bundle/")) appendFileSync(process.env.LLMUX_TEST_MODULES, "file " + r.url + "\\\\n");
  return r;
}\`));
`;

let proc: ChildProcess | undefined;
let url = "";
let modulesFile = "";
/** The packages the process loaded: resolved from node_modules, or bundled into a file of the bundle it loaded. */
const loaded = () => {
  const lines = readFileSync(modulesFile, "utf8").split("\n").filter(Boolean);
  const files = lines.filter((l) => l.startsWith("file ")).map((l) => l.slice("file ".length));
  const bundled = unbundle(files)
    .map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1])
    .filter((p): p is string => p !== undefined);
  return new Set([...lines.filter((l) => !l.startsWith("file ")), ...bundled]);
};

beforeAll(async () => {
  const dir = emptyDir();
  modulesFile = join(dir, "modules.txt");
  writeFileSync(modulesFile, "");
  writeFileSync(join(dir, "hook.mjs"), HOOK);
  writeFileSync(
    join(dir, "llmux.yaml"),
    `providers: { mock: { type: mock } }\nmodels: { m: { provider: mock } }\nauth: { keys: [${SERVICE}] }\nadmin: { keys: [${ADMIN}] }\n` +
      // Web tools configured (a page fetcher built), no page fetched: the HTML parser stays out.
      `search: { providers: { sx: { kind: searxng, url: "http://127.0.0.1:9" } } }\n`,
  );
  proc = spawn(process.execPath, ["--import", join(dir, "hook.mjs"), BIN, "start", "--port", "0"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir, LLMUX_TEST_MODULES: modulesFile },
  });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const end = Date.now() + 40_000;
  for (;;) {
    const m = out.match(/llmux listening on (http:\/\/[\d.:]+)/);
    if (m) {
      url = m[1]!;
      break;
    }
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`llmux did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}, 60_000);

afterAll(() => {
  if (proc && proc.exitCode === null) proc.kill("SIGKILL");
});

describe("modules loaded when first needed", () => {
  it("serves a model call without loading the MCP SDK, the admin API's router, mail or Redis clients", async () => {
    const r = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(r.status).toBe(200);
    const seen = loaded();
    expect(seen.has("pino")).toBe(true); // the hook sees what the process loads
    for (const p of LAZY) expect(seen.has(p), p).toBe(false);
  });

  it("answers /mcp with no servers without loading the MCP SDK", async () => {
    const r = await fetch(`${url}/mcp`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${SERVICE}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} }),
    });
    expect(r.status).toBe(404);
    expect(loaded().has("@modelcontextprotocol/sdk")).toBe(false);
  });

  it("loads the admin API on its first call, and answers it", async () => {
    const r = await fetch(`${url}/admin/v1/keys`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(r.status).toBe(200);
    expect(Array.isArray(((await r.json()) as { data?: unknown[] }).data)).toBe(true);
    const seen = loaded();
    expect(seen.has("hono")).toBe(true);
    expect(seen.has("@hono/zod-openapi")).toBe(true);
    expect(seen.has("@modelcontextprotocol/sdk")).toBe(false);
  });
});
