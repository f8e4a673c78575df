/**
 * runStages (src/request/stage.ts): stages run in order; one that answers (true, at once or once it is done)
 * ends the pipeline; a stage's error, thrown or rejected, is the pipeline's rejection; and the stages after a
 * stage that waits run only once it is done. A run goes on from each stage that waits in one
 * reaction.
 */
import { describe, expect, it } from "vitest";
import { runStages, type Stage } from "../../src/request/stage.js";

type Log = string[];

const stage = (name: string, run: (log: Log) => ReturnType<Stage<Log>["run"]>): Stage<Log> => ({
  name: "plan",
  run: (log) => {
    log.push(name);
    return run(log);
  },
});

const tick = () => new Promise<void>((done) => setImmediate(done));

describe("runStages", () => {
  it("runs every stage in order when none answers, waiting for each that waits", async () => {
    const log: Log = [];
    const stages = [
      stage("a", () => undefined),
      stage("b", async (l) => {
        await tick();
        l.push("b done");
        return false;
      }),
      stage("c", () => false),
      stage("d", async (l) => {
        await tick();
        l.push("d done");
        return undefined;
      }),
    ];
    await runStages(stages, log);
    expect(log).toEqual(["a", "b", "b done", "c", "d", "d done"]);
  });

  it("stops at a stage that answers at once or once it is done", async () => {
    const now: Log = [];
    await runStages([stage("a", () => true), stage("b", () => undefined)], now);
    expect(now).toEqual(["a"]);
    const later: Log = [];
    await runStages(
      [
        stage("a", () => undefined),
        stage("b", async () => {
          await tick();
          return true;
        }),
        stage("c", () => undefined),
      ],
      later,
    );
    expect(later).toEqual(["a", "b"]);
  });

  it("rejects with a stage's error, thrown or rejected, and runs nothing after it", async () => {
    const thrown: Log = [];
    const p = runStages(
      [
        stage("a", () => {
          throw new Error("thrown");
        }),
        stage("b", () => undefined),
      ],
      thrown,
    );
    expect(p).toBeInstanceOf(Promise);
    await expect(p).rejects.toThrow("thrown");
    expect(thrown).toEqual(["a"]);
    const rejected: Log = [];
    await expect(
      runStages(
        [
          stage("a", async () => {
            await tick();
            throw new Error("rejected");
          }),
          stage("b", () => undefined),
        ],
        rejected,
      ),
    ).rejects.toThrow("rejected");
    expect(rejected).toEqual(["a"]);
  });

  it("does not start the next stage before the waiting one is done", async () => {
    const log: Log = [];
    let release!: () => void;
    const gate = new Promise<void>((done) => {
      release = done;
    });
    const running = runStages(
      [
        stage("a", async () => {
          await gate;
          return undefined;
        }),
        stage("b", () => undefined),
      ],
      log,
    );
    await tick();
    expect(log).toEqual(["a"]);
    release();
    await running;
    expect(log).toEqual(["a", "b"]);
  });

  it("goes on from each stage that waits in one reaction, adopting no promise of its own", async () => {
    // Three stages whose answers are already there: the run is done a fixed number of microtask turns later.
    // Chaining the rest of the run as a promise returned from each reaction took six turns here, not four.
    const stages = [undefined, false, true].map((a, i) => stage(`s${i}`, () => Promise.resolve(a)));
    const log: Log = [];
    let done = false;
    void runStages(stages, log).then(() => {
      done = true;
    });
    let turns = 0;
    while (!done && turns < 100) {
      await null;
      turns++;
    }
    expect(log).toEqual(["s0", "s1", "s2"]);
    expect(turns).toBe(stages.length + 1);
  });
});
