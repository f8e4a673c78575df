import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { freePort } from "./free-port.js";

/**
 * Redis topologies of the test's own, from Debian's `redis-server` (scripts/system-deps.sh installs it; a
 * Sentinel is `redis-server --sentinel`): a primary with a replica watched by three Sentinels, and a Redis
 * Cluster of three primaries with a replica each. Everything on free ports of 127.0.0.1, data dirs in one
 * temporary directory, every process stopped by `close`.
 */
export interface Topology {
  readonly dir: string;
  /** `redis-cli -p port args…`: its output, trimmed. */
  cli(port: number, ...args: string[]): string;
  close(): Promise<void>;
}

export interface SentinelSet extends Topology {
  readonly primary: number;
  readonly replica: number;
  readonly sentinels: readonly number[];
  readonly name: string;
  /** The port the (first) Sentinel names as the primary now. */
  primaryNow(): number;
  /** Every Sentinel names `port` as the primary and knows its replica and the other Sentinels. */
  agree(port: number): boolean;
}

export interface ClusterSet extends Topology {
  /** Every node's port (three primaries, then three replicas, as created). */
  readonly nodes: readonly number[];
}

function requireRedis(): void {
  if (spawnSync("redis-server", ["--version"]).error)
    throw new Error("redis-server is not installed: run scripts/system-deps.sh (Debian package redis-server)");
}

function topology(prefix: string): { dir: string; children: ChildProcess[]; base: Topology } {
  requireRedis();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children: ChildProcess[] = [];
  const cli = (port: number, ...args: string[]) => {
    const r = spawnSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8", timeout: 10_000 });
    return `${r.stdout ?? ""}`.trim();
  };
  const close = async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once("exit", () => resolve());
            c.kill("SIGKILL");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, children, base: { dir, cli, close } };
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function server(children: ChildProcess[], args: string[]): ChildProcess {
  const child = spawn("redis-server", args, { stdio: "ignore" });
  children.push(child);
  return child;
}

const NO_DISK = ["--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--daemonize", "no"];

/** A primary, its replica and three Sentinels (quorum 2) watching them as `mymaster`. */
export async function startSentinelSet(): Promise<SentinelSet> {
  const { dir, children, base } = topology("llmux-sentinel-");
  const name = "mymaster";
  const primary = await freePort();
  const replica = await freePort();
  server(children, ["--port", String(primary), "--dir", dir, "--dbfilename", `p${primary}.rdb`, ...NO_DISK]);
  await until("primary answers", () => base.cli(primary, "PING") === "PONG");
  server(children, [
    "--port",
    String(replica),
    "--dir",
    dir,
    "--dbfilename",
    `r${replica}.rdb`,
    "--replicaof",
    "127.0.0.1",
    String(primary),
    ...NO_DISK,
  ]);
  await until("replica in sync", () => /master_link_status:up/.test(base.cli(replica, "INFO", "replication")));
  const sentinels: number[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary} 2`,
        // Long enough that a loaded machine (the whole suite beside it) does not look like a dead primary (at
        // 1 s a Sentinel failed it over on its own once, losing a write not yet replicated): a failover only
        // when a test makes one.
        `sentinel down-after-milliseconds ${name} 2500`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
        "",
      ].join("\n"),
    );
    server(children, [conf, "--sentinel"]);
    sentinels.push(port);
  }
  for (const s of sentinels) {
    await until("Sentinel knows the replica and the other Sentinels", () => {
      const info = base.cli(s, "INFO", "sentinel");
      return /slaves=1,sentinels=3/.test(info);
    });
  }
  const primaryNow = () =>
    Number(base.cli(sentinels[0] as number, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name).split("\n")[1]);
  const agree = (port: number) =>
    sentinels.every((s) => {
      const info = base.cli(s, "INFO", "sentinel");
      return info.includes(`status=ok,address=127.0.0.1:${port},slaves=1,sentinels=3`);
    });
  return { ...base, primary, replica, sentinels, name, primaryNow, agree };
}

/**
 * Waits (at most `timeout` ms, then fails naming `what`) until the gateway's connection (named llmux:
 * src/state/ioredis.ts) is open on `port`: its operations go there now.
 */
export async function untilGatewayOn(set: Topology, port: number, what: string, timeout = 30_000): Promise<void> {
  const on = () =>
    set
      .cli(port, "CLIENT", "LIST")
      .split("\n")
      .some((l) => / name=llmux /.test(l));
  await expect.poll(on, { timeout, interval: 100, message: what }).toBe(true);
}

/** A Redis Cluster: three primaries with a replica each (`redis-cli --cluster create … --cluster-replicas 1`). */
export async function startCluster(): Promise<ClusterSet> {
  const { dir, children, base } = topology("llmux-cluster-");
  const nodes: number[] = [];
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    server(children, [
      "--port",
      String(port),
      "--dir",
      dir,
      "--dbfilename",
      `n${port}.rdb`,
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      join(dir, `nodes-${port}.conf`),
      "--cluster-node-timeout",
      "2000",
      ...NO_DISK,
    ]);
    nodes.push(port);
  }
  for (const p of nodes) await until(`node ${p} answers`, () => base.cli(p, "PING") === "PONG");
  const r = spawnSync(
    "redis-cli",
    ["--cluster", "create", ...nodes.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1", "--cluster-yes"],
    { encoding: "utf8", timeout: 30_000 },
  );
  if (r.status !== 0) throw new Error(`redis-cli --cluster create failed: ${r.stdout}${r.stderr}`);
  for (const p of nodes)
    await until(`node ${p} sees the cluster ok`, () => /cluster_state:ok/.test(base.cli(p, "CLUSTER", "INFO")));
  // The replicas' roles reach the other nodes by gossip, after the state is ok: until every node sees three of
  // each, one may still name a replica a primary (the doctor once counted 5 primaries and 1 replica).
  const roles = (p: number, role: string) =>
    base
      .cli(p, "CLUSTER", "NODES")
      .split("\n")
      .filter((l) => new RegExp(`\\b${role}\\b`).test(l.split(" ")[2] ?? "")).length;
  for (const p of nodes)
    await until(`node ${p} sees 3 primaries and 3 replicas`, () => roles(p, "master") === 3 && roles(p, "slave") === 3);
  return { ...base, nodes };
}

/** The port of the node that serves `key`'s slot as primary now, and of its replica (from CLUSTER NODES). */
export function slotOwner(c: ClusterSet, key: string): { primary: number; replica: number } {
  const any = c.nodes[0] as number;
  const slot = Number(c.cli(any, "CLUSTER", "KEYSLOT", key));
  const lines = c.cli(any, "CLUSTER", "NODES").split("\n");
  const port = (l: string) => Number(/:(\d+)@/.exec(l)?.[1]);
  const primary = lines.find(
    (l) =>
      /\bmaster\b/.test(l) &&
      l
        .split(" ")
        .slice(8)
        .some((r) => {
          const [a, b] = r.split("-").map(Number);
          return a !== undefined && slot >= a && slot <= (b ?? a);
        }),
  );
  if (!primary) throw new Error(`no primary serves slot ${slot}`);
  const id = primary.split(" ")[0];
  const replica = lines.find((l) => l.split(" ")[3] === id);
  if (!replica) throw new Error(`the primary of slot ${slot} has no replica`);
  return { primary: port(primary), replica: port(replica) };
}

/**
 * Resolves once `replica` has applied everything `primary` had written when it was called (replication
 * offsets): what was written before is on the replica, whatever a failover then does.
 */
export async function replicated(t: Topology, primary: number, replica: number): Promise<void> {
  const offset = (port: number, field: string) =>
    Number(new RegExp(`^${field}:(\\d+)`, "m").exec(t.cli(port, "INFO", "replication"))?.[1] ?? -1);
  const target = offset(primary, "master_repl_offset");
  await until(`replica ${replica} caught up`, () => offset(replica, "slave_repl_offset") >= target, 10_000);
}
