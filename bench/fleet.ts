/**
 * The benchmark's child processes: the mock upstream, the load generator, llmux, the minimal proxy and the
 * peers, each in its own process; starting and restarting them, and stopping them all at the end.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ComparedBuild } from "./compare-build.js";
import { llmuxEntry } from "./llmux-entry.js";
import { mintBenchKey } from "./minted-key.js";
import type { MockCommand } from "./mock-upstream.js";
import type { Paths } from "./options.js";
import { installPeer, type PeerName, startCcr, startPortkey } from "./peers.js";
import { forkModule, freePort, type Launcher, portsRanged, Rpc, type Server, startServer } from "./procs.js";
import { log } from "./progress.js";
import type { Job, JobResult, PeerStatus, RunJob, RunResult, TargetName } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));

export interface Mock {
  rpc: Rpc<MockCommand, unknown>;
  port: number;
  hosts: string[];
}

export class Fleet {
  readonly children: ChildProcess[] = [];
  readonly servers = new Map<TargetName, Server>();
  private ccrHome: string | undefined;
  mockPid = -1;
  private mockProc: Mock | undefined;
  private lg: { child: ChildProcess; rpc: Rpc<{ job: Job }, JobResult> } | undefined;
  /** llmux's configuration, written once the mock upstream runs. */
  readonly configFile: string;
  /** The build measured beside llmux (--compare), started as the target "compare". */
  compared: ComparedBuild | undefined;
  /** Servers started for some lanes only (the team lanes' llmux processes), found by their origin. */
  readonly extra: Server[] = [];
  /**
   * The origins of servers that work through PostgreSQL and Redis (the team lanes on that engine): while one is
   * measured, the CPU of the local Redis and PostgreSQL is the measurement's own, not another workload's.
   */
  readonly serviceOrigins = new Set<string>();
  /** How llmux, the compared build and the minimal proxy are started (default: as they are; under valgrind for --instructions-only). */
  launcher: Launcher = (o) => o;

  constructor(private readonly paths: Paths) {
    this.configFile = join(paths.runDir, "llmux.yaml");
  }

  async cleanup(): Promise<void> {
    await Promise.all([...this.servers.values()].map((s) => s.stop().catch(() => undefined)));
    for (const c of this.children) if (c.connected) c.disconnect();
    if (this.ccrHome) rmSync(this.ccrHome, { recursive: true, force: true });
  }

  get mock(): Mock {
    if (!this.mockProc) throw new Error("the mock upstream is not started");
    return this.mockProc;
  }

  get mockOrigin(): string {
    return `http://127.0.0.1:${this.mock.port}`;
  }

  async startMock(): Promise<Mock> {
    const file = join(here, "mock-upstream.js");
    for (const hosts of [["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"], ["127.0.0.1"]]) {
      try {
        const { child, hello } = await forkModule(
          file,
          {
            ...process.env,
            BENCH_MOCK_PORT: String(portsRanged() ? await freePort() : 0),
            BENCH_MOCK_HOSTS: hosts.join(","),
          },
          [],
          true,
        );
        this.children.push(child);
        this.mockPid = child.pid ?? -1;
        this.mockProc = { rpc: new Rpc<MockCommand, unknown>(child), port: Number(hello?.port), hosts };
        return this.mockProc;
      } catch (err) {
        log(`mock upstream on ${hosts.join(", ")} failed (${(err as Error).message}); trying fewer addresses`);
      }
    }
    throw new Error("the mock upstream did not start");
  }

  async startLoadgen(): Promise<void> {
    const lg = await forkModule(join(here, "loadgen.js"), process.env, [], true);
    this.children.push(lg.child);
    this.lg = { child: lg.child, rpc: new Rpc<{ job: Job }, JobResult>(lg.child) };
  }

  get loadgen(): Rpc<{ job: Job }, JobResult> {
    if (!this.lg) throw new Error("the load generator is not started");
    return this.lg.rpc;
  }

  runJob(job: RunJob): Promise<RunResult[]> {
    return this.loadgen.call<RunResult[]>({ job });
  }

  /** The processes of the benchmark itself, whose CPU time is not "other load on the machine". */
  pids(): number[] {
    const servers = [...this.servers.values(), ...this.extra];
    return [this.mockPid, this.lg?.child.pid ?? -1, ...servers.map((s) => s.pid)].filter((p) => p > 0);
  }

  pidOf(t: TargetName): number {
    return t === "direct" ? this.mockPid : (this.servers.get(t)?.pid ?? -1);
  }

  /** The process serving a target's request sent to `origin`: a lane's own server (team lanes), or the target's. */
  pidFor(t: TargetName, origin: string | undefined): number {
    const own = t === "direct" ? undefined : this.extra.find((s) => s.origin === origin);
    return own ? own.pid : this.pidOf(t);
  }

  /**
   * llmux, or with `build` the compared build, on the same configuration. Each runs in a directory of its own in
   * the run's folder, where the configuration's relative paths (its store) lead to a database of its own: never
   * the checkout's `.llmux/` (a bench run left its minted keys there, and a gateway started in the checkout
   * afterwards found itself closed).
   */
  async startLlmux(name = "llmux", execArgv: string[] = [], build?: ComparedBuild): Promise<Server> {
    const port = await freePort();
    const dist = build ? build.dist : this.paths.llmuxDist;
    const cwd = join(this.paths.runDir, build ? "compare" : "llmux");
    mkdirSync(cwd, { recursive: true });
    return startServer(
      this.launcher({
        name,
        command: process.execPath,
        args: [...execArgv, llmuxEntry(dist), "start", "--config", this.configFile, "--port", String(port)],
        cwd,
        port,
      }),
    );
  }

  /** (Re)starts a gateway: stops the running one, if any. */
  async startTarget(t: TargetName, inspect = false): Promise<Server> {
    await this.servers.get(t)?.stop();
    // The long-running gateways get an inspector, through which the benchmark forces full GCs between runs.
    const execArgv = inspect ? ["--inspect=127.0.0.1:0"] : [];
    let srv: Server;
    if (t === "llmux") srv = await this.startLlmux("llmux", execArgv);
    else if (t === "compare" && this.compared)
      srv = await this.startLlmux(this.compared.label, execArgv, this.compared);
    else if (t === "portkey") srv = await startPortkey(this.paths.peersDir, execArgv);
    else if (t === "ccr") {
      const c = await startCcr(this.paths.peersDir, this.mockOrigin, execArgv);
      if (this.ccrHome) rmSync(this.ccrHome, { recursive: true, force: true });
      this.ccrHome = c.home;
      srv = c.server;
    } else throw new Error(`cannot start ${t}`);
    this.servers.set(t, srv);
    return srv;
  }

  /** The compared build (--compare), on a fresh store of its own, with the bench key minted on it. */
  async startCompared(build: ComparedBuild): Promise<void> {
    this.compared = build;
    rmSync(join(this.paths.runDir, "compare"), { recursive: true, force: true });
    const srv = await this.startTarget("compare");
    await mintBenchKey(srv.origin, "compare").catch((err: unknown) =>
      log(`${build.label}: ${(err as Error).message}; the minted-key lane is not measured on it`),
    );
    log(`${build.label} on ${srv.origin} (pid ${srv.pid}), from ${build.dist}`);
  }

  async startProxy(): Promise<void> {
    const proxyPort = await freePort();
    this.servers.set(
      "proxy",
      await startServer(
        this.launcher({
          name: "proxy",
          command: process.execPath,
          args: [join(here, "null-proxy.js")],
          env: { ...process.env, BENCH_PROXY_PORT: String(proxyPort), BENCH_PROXY_UPSTREAM: this.mockOrigin },
          port: proxyPort,
        }),
      ),
    );
  }

  // Peers: install on demand, start; a failure is reported and the rest still runs.
  async startPeers(enabled: boolean): Promise<PeerStatus[]> {
    const peers: PeerStatus[] = [];
    if (enabled) {
      mkdirSync(this.paths.peersDir, { recursive: true });
      for (const name of ["portkey", "ccr"] as PeerName[]) {
        const st = await installPeer(name, this.paths.peersDir, log);
        if (st.ok) {
          try {
            await this.startTarget(name);
            log(`${name} ${st.version} on ${this.servers.get(name)!.origin} (${st.note})`);
          } catch (err) {
            st.ok = false;
            st.note = `did not start: ${(err as Error).message.split("\n")[0]}`;
          }
        }
        if (!st.ok) log(`${name}: ${st.note}`);
        peers.push(st);
      }
    } else {
      peers.push({ target: "portkey", ok: false, note: "skipped (--no-peers)" });
      peers.push({ target: "ccr", ok: false, note: "skipped (--no-peers)" });
    }
    return peers;
  }
}
