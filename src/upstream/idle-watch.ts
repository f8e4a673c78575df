import { type TimerWheel, WheelEntry } from "../http/timer-wheel.js";

/**
 * The idle timer of an upstream call: it expires when the upstream has been silent for `ms` while llmux waits
 * for it (its answer's headers, then each next chunk of the body), and never counts the time between two reads
 * (the consumer, and the client behind it, holds the stream then).
 *
 * One deadline serves a whole call: it is armed when a wait begins and none is pending, and when it comes
 * during a wait that began later it is armed again for what is left of that wait. A stream whose chunks come
 * faster than `ms` arms one deadline per `ms` of its life, not one per chunk (a timer made and cleared per chunk
 * was a few percent of a streamed request's CPU). With a wheel (src/http/timer-wheel.ts: the calls in flight
 * share one coarse timer) the watch is itself the wheel's entry and makes no timer at all; without one it uses
 * a timer of its own, exact to the millisecond.
 */
export class IdleWatch extends WheelEntry {
  /** When the current wait began (performance.now()), or -1 while the consumer holds the stream. */
  private waitingSince = -1;
  private timer: NodeJS.Timeout | undefined;
  /** Deadlines armed so far (for tests: a stream arms few). */
  armed = 0;

  constructor(
    private readonly ms: number,
    private readonly expire: () => void,
    private readonly wheel?: TimerWheel | undefined,
  ) {
    super();
  }

  /** llmux starts waiting for the upstream. */
  begin(): void {
    const now = performance.now();
    this.waitingSince = now;
    if (this.wheel ? this.wheelSlot < 0 : !this.timer) this.arm(now, this.ms);
  }

  /** Something came: the consumer holds the stream until the next begin(). */
  end(): void {
    this.waitingSince = -1;
  }

  /** The call is over: no deadline is left behind. */
  stop(): void {
    this.waitingSince = -1;
    if (this.wheel) this.wheel.cancel(this);
    else if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(now: number, ms: number): void {
    this.armed++;
    if (this.wheel) this.wheel.schedule(this, now + ms);
    else this.timer = setTimeout(fire, ms, this);
  }

  /** The deadline came (from the wheel, or the watch's own timer). */
  wheelDue(now: number): void {
    this.timer = undefined;
    if (this.waitingSince < 0) return; // not waiting: the next begin() arms it again
    const left = this.waitingSince + this.ms - now;
    if (left <= 0) this.expire();
    else this.arm(now, Math.ceil(left));
  }
}

function fire(watch: IdleWatch): void {
  watch.wheelDue(performance.now());
}
