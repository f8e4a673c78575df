/**
 * What the process went through while a run lasted: event-loop delay (stalls over a threshold, the worst),
 * resident memory (at the start, after warming up, at the peak, at the end), and exceptions nothing caught
 * (each would have ended llmux).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";

export interface Health {
  stalls: number;
  worstDelayMs: number;
  exits: number;
  exitReasons: string[];
  rssStartMb: number;
  rssWarmMb: number;
  rssPeakMb: number;
  rssEndMb: number;
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
      worstDelayMs: 0,
      exits: 0,
      exitReasons: [],
      rssStartMb: rss,
      rssWarmMb: rss,
      rssPeakMb: rss,
      rssEndMb: rss,
    };
    this.delay.enable();
    process.on("uncaughtException", this.onError);
    process.on("unhandledRejection", this.onError);
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  private sample(): void {
    const worst = this.delay.max / 1e6;
    this.delay.reset();
    if (worst > this.stallMs) this.health.stalls++;
    this.health.worstDelayMs = Math.max(this.health.worstDelayMs, Math.round(worst));
    this.health.rssPeakMb = Math.max(this.health.rssPeakMb, mb(process.memoryUsage.rss()));
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
