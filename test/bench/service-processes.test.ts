/**
 * The team lanes on PostgreSQL + Redis measure llmux working through the local Redis and PostgreSQL: their CPU
 * during such a measurement is the lane's own, not another workload's (bench/measure.ts). The bench finds them
 * by command name (bench/procs.ts processesNamed); Redis itself says which process it is.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { Redis } from "ioredis";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { ForeignCpu, processesNamed } from "../../bench/procs.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const PG = process.env.LLMUX_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill();
  child = undefined;
});

describe("the local services a team lane works through", () => {
  it("are found by name: the Redis server Redis names, and the PostgreSQL backend of a connection", async () => {
    const redis = new Redis(REDIS);
    const client = new pg.Client({ connectionString: PG });
    await client.connect();
    try {
      const info = await redis.info("server");
      const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
      const backend = Number((await client.query("select pg_backend_pid() as pid")).rows[0].pid);
      const found = processesNamed(["redis-server", "postgres"]);
      expect(found).toContain(pid);
      expect(found).toContain(backend);
      expect(processesNamed(["redis-server"])).not.toContain(backend);
    } finally {
      redis.disconnect();
      await client.end();
    }
  });

  it("takes a process started meanwhile, and none whose name differs", async () => {
    child = spawn("sleep", ["30"], { stdio: "ignore" });
    await new Promise((r) => child!.once("spawn", r));
    expect(processesNamed(["sleep"])).toContain(child.pid);
    expect(processesNamed(["sleeper", "slee"])).not.toContain(child.pid);
  });

  it("counted with the measured processes, a busy process is not another workload", async () => {
    // A child that keeps a core busy for the whole window: read by two guards at the same moments, one that
    // counts it among the measured processes and one that does not; they differ by its share of the machine.
    child = spawn(process.execPath, ["-e", "const t = Date.now(); while (Date.now() - t < 5000);"], {
      stdio: "ignore",
    });
    await new Promise((r) => child!.once("spawn", r));
    const pid = child.pid!;
    const cores = 2;
    const mine = new ForeignCpu(() => [pid], cores);
    const others = new ForeignCpu(() => [], cores);
    mine.start();
    others.start();
    await new Promise((r) => setTimeout(r, 400));
    const withIt = mine.stop();
    const without = others.stop();
    expect(without - withIt).toBeGreaterThan(10);
  });
});
