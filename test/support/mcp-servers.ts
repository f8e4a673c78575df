/**
 * Real MCP servers from the npm registry (pinned devDependencies: @modelcontextprotocol/server-everything and
 * @modelcontextprotocol/server-filesystem), run as llmux would run them, and the official SDK's client
 * connected to llmux's /mcp.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const require = createRequire(import.meta.url);
const packageDir = (pkg: string) => dirname(require.resolve(`${pkg}/package.json`));

/** The entry scripts of the servers (run with this test's node). */
export const EVERYTHING = join(packageDir("@modelcontextprotocol/server-everything"), "dist", "index.js");
export const FILESYSTEM = join(packageDir("@modelcontextprotocol/server-filesystem"), "dist", "index.js");

/** `mcp.servers` entries for the stdio servers. */
export const everythingStdio = (env: Record<string, string> = {}) => ({
  command: process.execPath,
  args: [EVERYTHING, "stdio"],
  env,
});
export const filesystemStdio = (dir: string) => ({ command: process.execPath, args: [FILESYSTEM, dir] });

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RemoteServer {
  url: string;
  close(): Promise<void>;
}

/** server-everything over HTTP: `streamableHttp` (its /mcp) or `sse` (its /sse), on a port of its own. */
export async function startEverythingHttp(kind: "streamableHttp" | "sse"): Promise<RemoteServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [EVERYTHING, kind], {
    env: { PATH: process.env.PATH ?? "", PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let said = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything ${kind} did not start: ${said}`)), 20_000);
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      said += d;
      if (/running on port|listening on port/i.test(said)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything ${kind} exited (${code}): ${said}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}${kind === "sse" ? "/sse" : "/mcp"}`,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}

/** The official SDK client, connected to llmux's endpoint (`/mcp` or `/mcp/{server}`) with a key. */
export async function mcpClient(base: string, key: string | undefined, path = "/mcp"): Promise<Client> {
  const client = new Client({ name: "llmux-test", version: "1" });
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}${path}`), { requestInit: { headers } }));
  return client;
}

/** The text of a tool result's first content part. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? "").join("");
}
