/**
 * What the process went through while a run lasted: event-loop delay (stalls over a threshold, the worst),
 * resident memory (at the start, after warming up, at the peak, at the end), and exceptions nothing caught
 * (each would have ended llmux).
 */
import { readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { generation, harnessWork, type RecentInput, recent } from "./run.js";

/**
 * CPU time of the main thread alone, in ms (Linux: its line in /proc, in clock ticks of 10 ms); elsewhere the
 * whole process's (the thread pool's and the zstd thread's included, so a delay is counted a stall more often).
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

export interface Health {
  /** Delays over the threshold while this process ran on the CPU for as long: its own code held the loop. */
  stalls: number;
  /** Delays over the threshold while the process got less CPU than that (a busy machine starved it). */
  starved: number;
  worstDelayMs: number;
  /**
   * Each delay over the threshold (at most 20): its length, the main thread's CPU meanwhile (the fuzzer's own
   * left out), whether it counted as a stall, and the input that took the most CPU since the sample before (with
   * its own CPU time: an input of little CPU under a long delay is the machine's load, not llmux's work).
   */
  delays: { delayMs: number; cpuMs: number; stall: boolean; heaviest: RecentInput | undefined }[];
  exits: number;
  exitReasons: string[];
  rssStartMb: number;
  rssWarmMb: number;
  rssPeakMb: number;
  rssEndMb: number;
  /**
   * Memory each minute, read just after a full collection (what is still held, not garbage not yet collected):
   * resident, the JS heap in use, and memory outside it (buffers). The collection is the fuzzer's own work.
   */
  memory: { minute: number; rssMb: number; heapUsedMb: number; externalMb: number }[];
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

export class Monitor {
  private readonly delay = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;
  readonly health: Health;
  private readonly onError = (err: unknown) => {
    this.health.exits++;
    if (this.health.exitReasons.length < 10)
      this.health.exitReasons.push(String((err as Error)?.stack ?? err).slice(0, 600));
  };

  constructor(private readonly stallMs = 1000) {
    const rss = mb(process.memoryUsage.rss());
    this.health = {
      stalls: 0,
      starved: 0,
      worstDelayMs: 0,
      delays: [],
      exits: 0,
      exitReasons: [],
      rssStartMb: rss,
      rssWarmMb: rss,
      rssPeakMb: rss,
      rssEndMb: rss,
      memory: [],
    };
    this.delay.enable();
    process.on("uncaughtException", this.onError);
    process.on("unhandledRejection", this.onError);
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  private cpu = mainThreadCpuMs();
  private made = 0;
  private readonly began = Date.now();

  /** The memory after a full collection (when the process runs with --expose-gc), kept each minute. */
  private sampleMemory(): void {
    const minute = Math.floor((Date.now() - this.began) / 60_000);
    const last = this.health.memory.at(-1)?.minute ?? 0;
    if (minute <= last) return;
    harnessWork(() => global.gc?.());
    const m = process.memoryUsage();
    this.health.memory.push({ minute, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), externalMb: mb(m.external) });
  }

  /**
   * Each second: the worst event-loop delay since the last sample. A delay over the threshold is a stall when the
   * main thread used at least that much CPU meanwhile (code held the loop); when it got less, the machine did
   * not run it (the fuzzer runs at the lowest priority on a shared machine), and it is counted apart.
   */
  private sample(): void {
    const worst = this.delay.max / 1e6;
    this.delay.reset();
    // The main thread's CPU since the last sample, less what the fuzzer spent making inputs.
    const now = mainThreadCpuMs();
    const cpuMs = now - this.cpu - (generation.cpuMs - this.made);
    this.cpu = now;
    this.made = generation.cpuMs;
    const heaviest = recent.heaviest;
    recent.heaviest = undefined;
    if (worst > this.stallMs) {
      const stall = cpuMs >= this.stallMs * 0.9;
      if (stall) this.health.stalls++;
      else this.health.starved++;
      if (this.health.delays.length < 20)
        this.health.delays.push({ delayMs: Math.round(worst), cpuMs: Math.round(cpuMs), stall, heaviest });
    }
    this.health.worstDelayMs = Math.max(this.health.worstDelayMs, Math.round(worst));
    this.health.rssPeakMb = Math.max(this.health.rssPeakMb, mb(process.memoryUsage.rss()));
    // Last: the collection's CPU (and the delay it causes) fall in the next sample's, which leaves it out.
    this.sampleMemory();
  }

  /** The memory once every target ran once (what follows is growth). */
  warm(): void {
    this.health.rssWarmMb = mb(process.memoryUsage.rss());
  }

  stop(): Health {
    this.sample();
    clearInterval(this.timer);
    this.delay.disable();
    process.off("uncaughtException", this.onError);
    process.off("unhandledRejection", this.onError);
    global.gc?.();
    this.health.rssEndMb = mb(process.memoryUsage.rss());
    return this.health;
  }
}
