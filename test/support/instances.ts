import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./built.js";
import { freePort } from "./free-port.js";

export { freePort };

/** One llmux process started from the built CLI, with what it printed. */
export interface Instance {
  url: string;
  port: number;
  child: ChildProcess;
  output: string[];
}

/** Writes a configuration object to a temporary llmux.yaml (JSON is YAML) and returns its path. */
export function writeConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "llmux-many-"));
  const file = join(dir, "llmux.yaml");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Starts `llmux start --config FILE --port N` and resolves once it listens. */
export function startInstance(config: string, port = 0, extraArgs: string[] = []): Promise<Instance> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "start", "--config", config, "--port", String(port), ...extraArgs], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const output: string[] = [];
    const timer = setTimeout(() => reject(new Error(`llmux did not start: ${output.join("")}`)), 60_000);
    const onData = (b: Buffer) => {
      output.push(b.toString());
      const m = /listening on (http:\/\/[\d.]+:(\d+))/.exec(output.join(""));
      if (m) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve({ url: m[1]!, port: Number(m[2]), child, output });
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`llmux exited ${code}: ${output.join("")}`));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", onExit);
  });
}

/** Stops an instance with SIGTERM (SIGKILL after 10 s) and waits for it to exit. */
export function stopInstance(i: Instance | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!i || i.child.exitCode !== null || i.child.signalCode !== null) return resolve();
    const timer = setTimeout(() => i.child.kill("SIGKILL"), 10_000);
    i.child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    i.child.kill("SIGTERM");
  });
}

/** HAProxy from the system's packages, round robin over the given ports, health-checked on /health. */
export interface Balancer {
  url: string;
  close(): Promise<void>;
}

export async function startHaproxy(ports: readonly number[]): Promise<Balancer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "llmux-haproxy-"));
  const cfg = join(dir, "haproxy.cfg");
  const servers = ports.map((p, i) => `    server llmux${i + 1} 127.0.0.1:${p} check inter 500ms fall 2 rise 1`);
  writeFileSync(
    cfg,
    [
      "global",
      "    maxconn 4096",
      "defaults",
      "    mode http",
      "    timeout connect 2s",
      "    timeout client 60s",
      "    timeout server 60s",
      "    option http-server-close",
      "    retries 2",
      "    option redispatch",
      "frontend llmux",
      `    bind 127.0.0.1:${port}`,
      "    default_backend llmux",
      "backend llmux",
      "    balance roundrobin",
      "    option httpchk GET /health",
      ...servers,
      "",
    ].join("\n"),
  );
  const child = spawn("haproxy", ["-db", "-f", cfg], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout!.on("data", (b: Buffer) => output.push(b.toString()));
  child.stderr!.on("data", (b: Buffer) => output.push(b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited: ${output.join("")}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > end) throw new Error(`haproxy did not answer: ${output.join("")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
