/**
 * A `state.url` llmux cannot work with is named at start, in words: a wrong password, a TLS certificate it
 * does not trust, `redis://` on a port that speaks TLS, a Redis Cluster node or a Sentinel given as `redis://`. Each is a real
 * redis-server of the test's own (Debian's package), started for the case; a plain Redis passes.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { redisProblem } from "../../src/state/redis-probe.js";
import { freePort } from "../support/free-port.js";
import { type Harness, startHarness } from "../support/gateway.js";

const dir = mkdtempSync(join(tmpdir(), "llmux-redis-conf-"));
const children: ChildProcess[] = [];

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/** A redis-server with these arguments, listening on `port` (waited for). */
async function redis(port: number, args: string[]): Promise<void> {
  const child = spawn("redis-server", args, { stdio: "ignore" });
  children.push(child);
  for (let i = 0; i < 100 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 50));
}

describe("state.url that llmux cannot work with", () => {
  const ports: Record<string, number> = {};
  beforeAll(async () => {
    const none = ["--save", "", "--appendonly", "no", "--dir", dir];
    ports.auth = await freePort();
    await redis(ports.auth, ["--port", String(ports.auth), "--requirepass", "the-right-one", ...none]);
    // TLS with a self-signed certificate (openssl), and no plain-text port.
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
    ]);
    ports.tls = await freePort();
    await redis(ports.tls, [
      "--port",
      "0",
      "--tls-port",
      String(ports.tls),
      "--tls-cert-file",
      cert,
      "--tls-key-file",
      key,
      "--tls-ca-cert-file",
      cert,
      "--tls-auth-clients",
      "no",
      ...none,
    ]);
    ports.cluster = await freePort();
    await redis(ports.cluster, [
      "--port",
      String(ports.cluster),
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      join(dir, `nodes-${ports.cluster}.conf`),
      ...none,
    ]);
    ports.sentinel = await freePort();
    const conf = join(dir, "sentinel.conf");
    writeFileSync(conf, `port ${ports.sentinel}\ndir ${dir}\nsentinel monitor main 127.0.0.1 6379 1\n`);
    await redis(ports.sentinel, [conf, "--sentinel"]);
  }, 30_000);
  afterAll(() => {
    for (const c of children) c.kill("SIGTERM");
  });

  it("a wrong password is named, without the password", async () => {
    const problem = await redisProblem(`redis://:not-the-one@127.0.0.1:${ports.auth}`);
    expect(problem).toMatch(/refused llmux's credentials/);
    expect(problem).not.toContain("not-the-one");
  });

  it("the right password passes", async () => {
    expect(await redisProblem(`redis://:the-right-one@127.0.0.1:${ports.auth}`)).toBeUndefined();
  });

  it("an untrusted TLS certificate is named", async () => {
    expect(await redisProblem(`rediss://127.0.0.1:${ports.tls}`)).toMatch(/TLS certificate llmux does not trust/);
  });

  it("redis:// on a TLS port says to use rediss://", async () => {
    expect(await redisProblem(`redis://127.0.0.1:${ports.tls}`)).toMatch(/use a rediss:\/\/ URL/);
  });

  it("a Redis Cluster node given as redis:// is refused, naming redis+cluster://", async () => {
    expect(await redisProblem(`redis://127.0.0.1:${ports.cluster}`)).toMatch(/Redis Cluster.*redis\+cluster:\/\//);
  });

  it("a Sentinel given as redis:// is refused, naming redis+sentinel://", async () => {
    expect(await redisProblem(`redis://127.0.0.1:${ports.sentinel}`)).toMatch(/Sentinel.*redis\+sentinel:\/\//);
  });

  it("a list of hosts is refused by the configuration", () => {
    expect(() =>
      parseConfig({ state: { url: "redis://10.0.0.1:6379,10.0.0.2:6379" }, providers: {}, models: {} }, {}),
    ).toThrow(/redis\+sentinel:\/\/.*redis\+cluster:\/\//);
  });

  it("the gateway's start check fails with the reason; a plain Redis passes", async () => {
    let h: Harness | undefined;
    try {
      h = await startHarness(() => ({ state: { url: `redis://:wrong@127.0.0.1:${ports.auth}` } }));
      await expect(h.gateway.checkState()).rejects.toThrow(/refused llmux's credentials/);
    } finally {
      await h?.close();
    }
    expect(await redisProblem("redis://127.0.0.1:6379")).toBeUndefined();
  });
});
