/**
 * The team lanes' servers: llmux with every team feature on — a key minted with a budget and an rpm limit, the
 * request log on, the bench's model priced — once on SQLite with the in-process state, once on PostgreSQL (a database this run creates
 * and drops) with Redis (a key prefix of its own). Each build measured (llmux, and the compared build of
 * `--compare`) gets its own pair, on stores of its own. The configuration adds only keys that release 3c151be
 * already understood (`store`, `state`, `logging.requests`, `prices`); a build that refuses it, or an engine that does
 * not answer, leaves its lanes unmeasured on it and says so in the log.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Redis } from "ioredis";
import { llmuxConfig } from "./bench-config.js";
import type { ComparedBuild } from "./compare-build.js";
import { benchPgUrl, benchRedisUrl } from "./endpoints.js";
import type { Lane, TeamEngine } from "./lanes.js";
import { llmuxEntry } from "./llmux-entry.js";
import { type KeyTerms, mintBenchKey } from "./minted-key.js";
import { freePort, type Launcher, portOpen, type Server, startServer } from "./procs.js";
import { log } from "./progress.js";

const require = createRequire(import.meta.url);

export const TEAM_ENGINES: readonly TeamEngine[] = ["sqlite", "pg"];

export const TEAM_ENGINE_LABEL: Record<TeamEngine, string> = {
  sqlite: "SQLite + in-process state",
  pg: "PostgreSQL + Redis",
};

/** The passthrough lanes whose bodies the team lanes send. */
export const TEAM_BASE_LANES = ["chat-small", "msg-cc"] as const;

/** A budget and an rpm limit that every request checks and none reaches. */
export const TEAM_KEY_TERMS: KeyTerms = {
  budget: { usd: 1_000_000, period: "month" },
  limits: { rpm: 1_000_000 },
};

type Build = "llmux" | "compare";

/** Whether the lane list (--lanes) asks for a team lane; every lane runs without --lanes. */
export function wantsTeam(lanes: string[] | undefined): boolean {
  return lanes === undefined || lanes.some((l) => l === "team" || l.startsWith("team-"));
}

/** The team lane of `engine` sending `base`'s request. */
export function teamLane(base: Lane, engine: TeamEngine): Lane {
  return {
    ...base,
    id: `team-${engine}-${base.id}`,
    title: `${base.title}; team features on (minted key with a budget and an rpm limit, request log), ${TEAM_ENGINE_LABEL[engine]}`,
    body: structuredClone(base.body),
    peers: {},
    minted: true,
    team: engine,
    notes: `${base.id} through an llmux on ${TEAM_ENGINE_LABEL[engine]} with every team feature on.`,
  };
}

/** The store of the key minted on the open-streams probe's team server (TeamServers.startProbe). */
export const TEAM_PROBE_STORE = "team-probe";

/** The upstream model of the bench's openai-compatible aliases (bench-config.ts). */
export const BENCH_UPSTREAM_MODEL = "bench-model";

/** The configuration of a team server: the bench's, with the request log on, its store and its state. */
export function teamConfig(base: string, store: { url?: string }, state?: { url: string; prefix: string }): string {
  const lines = base
    .trimEnd()
    .split("\n")
    .map((l) => (l.startsWith("logging:") ? "logging: { level: info, pretty: false, requests: true }" : l));
  lines.push(store.url ? `store: { url: "${store.url}" }` : "store: { path: .llmux/llmux.db }");
  // The bench's own upstream model is priced, so that every team lane's request holds and settles its budget
  // as a production request does (an unpriced model costs 0 and skips that round trip). Claude Code's model
  // (msg-cc) is priced by the shipped table.
  lines.push(`prices: { ${BENCH_UPSTREAM_MODEL}: { input: 3, output: 15 } }`);
  if (state) lines.push(`state: { url: "${state.url}", prefix: "${state.prefix}" }`);
  return `${lines.join("\n")}\n`;
}

async function pgAdmin<T>(fn: (c: import("pg").Client) => Promise<T>): Promise<T> {
  const pg = require("pg") as typeof import("pg");
  const c = new pg.Client({ connectionString: benchPgUrl(), connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The team servers of a run, and the databases to drop when it ends. */
export class TeamServers {
  private readonly servers = new Map<string, Server>();
  private readonly databases: string[] = [];
  private readonly prefixes: string[] = [];
  /** Why an engine has no servers (PostgreSQL or Redis not answering). */
  readonly missing = new Map<TeamEngine, string>();

  constructor(
    private readonly runDir: string,
    private readonly llmuxDist: string,
    /** How each server is started (bench/procs.ts; under valgrind for --instructions-only). */
    private readonly launcher: Launcher = (o) => o,
  ) {}

  get all(): Server[] {
    return [...this.servers.values()];
  }

  server(engine: TeamEngine, build: Build): Server | undefined {
    return this.servers.get(`${engine}:${build}`);
  }

  /** Starts the engines' servers (both by default) for llmux and, if any, the compared build; mints their keys. */
  async start(
    mockPort: number,
    hosts: string[],
    compared: ComparedBuild | undefined,
    engines: readonly TeamEngine[] = TEAM_ENGINES,
  ): Promise<void> {
    const base = llmuxConfig(mockPort, hosts);
    const pgWhy = engines.includes("pg") ? await this.reachable() : undefined;
    if (pgWhy) this.missing.set("pg", pgWhy);
    for (const engine of engines) {
      if (this.missing.has(engine)) {
        log(`team lanes on ${TEAM_ENGINE_LABEL[engine]}: skipped, ${this.missing.get(engine)}`);
        continue;
      }
      const builds: [Build, string][] = [["llmux", this.llmuxDist]];
      if (compared) builds.push(["compare", compared.dist]);
      for (const [build, dist] of builds) {
        const label = build === "compare" ? compared!.label : "llmux";
        try {
          const srv = await this.startOne(engine, build, dist, base);
          this.servers.set(`${engine}:${build}`, srv);
          await mintBenchKey(srv.origin, `team-${engine}:${build}`, TEAM_KEY_TERMS);
          log(`team server ${label} on ${TEAM_ENGINE_LABEL[engine]}: ${srv.origin} (pid ${srv.pid})`);
        } catch (err) {
          log(
            `team server ${label} on ${TEAM_ENGINE_LABEL[engine]}: ${(err as Error).message.split("\n")[0]}; its team lanes are not measured on it`,
          );
        }
      }
    }
  }

  /**
   * A freshly started llmux of its own on SQLite + the in-process state with every team feature on (the team
   * lanes' configuration), started with `execArgv` (an inspector, say), its key minted on the store `team-probe`:
   * the open-streams probe's team variant (bench/streams-memory.ts). Not one of the run's servers: the caller
   * stops it.
   */
  async startProbe(mockPort: number, hosts: string[], execArgv: string[]): Promise<Server> {
    const cwd = join(this.runDir, "team-probe");
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    const file = join(cwd, "llmux.yaml");
    writeFileSync(file, teamConfig(llmuxConfig(mockPort, hosts), {}));
    const port = await freePort();
    const srv = await startServer({
      name: "llmux team-probe",
      command: process.execPath,
      args: [...execArgv, llmuxEntry(this.llmuxDist), "start", "--config", file, "--port", String(port)],
      cwd,
      port,
    });
    try {
      await mintBenchKey(srv.origin, TEAM_PROBE_STORE, TEAM_KEY_TERMS);
    } catch (err) {
      await srv.stop();
      throw err;
    }
    return srv;
  }

  /** Why PostgreSQL + Redis cannot be used, or undefined when both answer. */
  private async reachable(): Promise<string | undefined> {
    const pg = new URL(benchPgUrl());
    const redis = new URL(benchRedisUrl());
    if (!(await portOpen(Number(pg.port || 5432), pg.hostname))) return `nothing answers at ${pg.host} (PostgreSQL)`;
    if (!(await portOpen(Number(redis.port || 6379), redis.hostname)))
      return `nothing answers at ${redis.host} (Redis)`;
    return undefined;
  }

  private async startOne(engine: TeamEngine, build: Build, dist: string, base: string): Promise<Server> {
    // Its own working directory: the SQLite file, the ledger's spool and anything relative land there.
    const cwd = join(this.runDir, `team-${engine}-${build}`);
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    let config: string;
    if (engine === "pg") {
      const name = `llmux_bench_${process.pid}_${build}_${randomBytes(3).toString("hex")}`;
      await pgAdmin((c) => c.query(`create database ${name}`));
      this.databases.push(name);
      this.prefixes.push(`${name}:`);
      const url = new URL(benchPgUrl());
      url.pathname = `/${name}`;
      config = teamConfig(base, { url: url.toString() }, { url: benchRedisUrl(), prefix: `${name}:` });
    } else config = teamConfig(base, {});
    const file = join(cwd, "llmux.yaml");
    writeFileSync(file, config);
    const port = await freePort();
    return startServer(
      this.launcher({
        name: `llmux team-${engine} (${build})`,
        command: process.execPath,
        args: [llmuxEntry(dist), "start", "--config", file, "--port", String(port)],
        cwd,
        port,
      }),
    );
  }

  /** The lanes' routing to these servers: each team lane to its engine's server of each build. */
  route(lanes: Lane[]): Lane[] {
    return lanes.filter((lane) => {
      if (!lane.team) return true;
      const via: NonNullable<Lane["via"]> = {};
      for (const build of ["llmux", "compare"] as Build[]) {
        const srv = this.server(lane.team, build);
        if (srv) via[build] = { origin: srv.origin, store: `team-${lane.team}:${build}` };
      }
      lane.via = via;
      return via.llmux !== undefined;
    });
  }

  /** Stops the servers, drops the databases this run created and deletes its Redis keys. */
  async stop(): Promise<void> {
    await Promise.all(this.all.map((s) => s.stop().catch(() => undefined)));
    if (this.prefixes.length > 0) await this.forgetRedisKeys(this.prefixes.splice(0));
    for (const name of this.databases.splice(0)) {
      await pgAdmin((c) => c.query(`drop database if exists ${name} with (force)`)).catch((err: unknown) =>
        log(`dropping the bench database ${name}: ${(err as Error).message}`),
      );
    }
  }

  private async forgetRedisKeys(prefixes: string[]): Promise<void> {
    const redis = new Redis(benchRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (const prefix of prefixes) {
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== "0");
      }
    } catch (err) {
      log(`deleting the bench's Redis keys: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
}
