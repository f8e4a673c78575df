/**
 * One coarse timer for the deadlines of every call in flight (upstream answers that do not come, upstreams that
 * fall silent, request bodies that trickle): a hashed timing wheel turned by one unref'd setInterval that runs
 * only while something is on the wheel. Adding, moving and removing a deadline is a few pointer writes on the
 * entry itself (an intrusive list per slot): no timer object, no closure, no listener per call.
 *
 * A deadline fires at the first turn of the wheel at or after it: never early, late by at most the resolution
 * (plus the event loop's own delay). Times are performance.now() milliseconds.
 */
export abstract class WheelEntry {
  /** When the entry is due (performance.now() ms); meaningful while it is on a wheel. */
  wheelAt = 0;
  /** The slot holding the entry, or -1 while it is on no wheel. */
  wheelSlot = -1;
  wheelPrev: WheelEntry | undefined = undefined;
  wheelNext: WheelEntry | undefined = undefined;

  /** Called once the entry is due; it has left the wheel (it may put itself back). */
  abstract wheelDue(now: number): void;
}

export class TimerWheel {
  /** The head of each slot's list. */
  private readonly slots: (WheelEntry | undefined)[];
  /** Entries on the wheel. */
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The last tick (time ÷ resolution) whose slot was looked at. */
  private turned = 0;
  /** Turns made so far (for tests). */
  turns = 0;

  constructor(
    readonly resolutionMs = 100,
    private readonly size = 256,
  ) {
    this.slots = new Array<WheelEntry | undefined>(size).fill(undefined);
  }

  /** Entries on the wheel. */
  get pending(): number {
    return this.count;
  }

  /** Whether the wheel's timer runs (it stops at the first turn that finds the wheel empty). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Puts `entry` on the wheel, due at `at` (performance.now() ms), or moves it there. */
  schedule(entry: WheelEntry, at: number): void {
    if (entry.wheelSlot >= 0) this.unlink(entry);
    else this.count++;
    if (!this.timer) this.start();
    entry.wheelAt = at;
    // The first tick at or after `at`, and never one already looked at.
    let tick = Math.ceil(at / this.resolutionMs);
    if (tick <= this.turned) tick = this.turned + 1;
    const slot = tick % this.size;
    const head = this.slots[slot];
    entry.wheelSlot = slot;
    entry.wheelPrev = undefined;
    entry.wheelNext = head;
    if (head) head.wheelPrev = entry;
    this.slots[slot] = entry;
  }

  /** Takes `entry` off the wheel (nothing happens when it is on none). */
  cancel(entry: WheelEntry): void {
    if (entry.wheelSlot < 0) return;
    this.unlink(entry);
    this.count--;
  }

  /** Stops the timer and forgets every entry (their deadlines never fire). */
  clear(): void {
    for (let i = 0; i < this.size; i++) {
      for (let e = this.slots[i]; e; ) {
        const next = e.wheelNext;
        e.wheelSlot = -1;
        e.wheelPrev = e.wheelNext = undefined;
        e = next;
      }
      this.slots[i] = undefined;
    }
    this.count = 0;
    this.stop();
  }

  private unlink(entry: WheelEntry): void {
    const { wheelPrev: prev, wheelNext: next } = entry;
    if (prev) prev.wheelNext = next;
    else this.slots[entry.wheelSlot] = next;
    if (next) next.wheelPrev = prev;
    entry.wheelSlot = -1;
    entry.wheelPrev = entry.wheelNext = undefined;
  }

  private start(): void {
    this.turned = Math.floor(performance.now() / this.resolutionMs);
    this.timer = setInterval(this.turn, this.resolutionMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly turn = (): void => {
    this.turns++;
    const now = performance.now();
    const current = Math.floor(now / this.resolutionMs);
    // Every tick since the last turn (a loop held for long looks at each slot once).
    const from = Math.max(this.turned + 1, current - this.size + 1);
    this.turned = current;
    const fired: WheelEntry[] = [];
    for (let t = from; t <= current; t++) {
      const slot = t % this.size;
      for (let e = this.slots[slot]; e; ) {
        const next = e.wheelNext;
        // Entries of later rounds stay.
        if (e.wheelAt <= now) {
          this.unlink(e);
          this.count--;
          fired.push(e);
        }
        e = next;
      }
    }
    // Called once the walk is over: an entry's call may move or cancel others.
    for (const e of fired) e.wheelDue(now);
    if (this.count === 0) this.stop();
  };
}

/** The wheel of the process's calls in flight (100 ms resolution). */
export const callWheel = new TimerWheel(100);

/** A one-off deadline on a wheel: `fire` runs at the wheel's first turn at or after it, unless cancelled. */
export class WheelTimeout extends WheelEntry {
  constructor(private readonly fire: () => void) {
    super();
  }

  wheelDue(): void {
    this.fire();
  }
}

/** A deadline `ms` from now on `wheel` (cancel it with wheel.cancel). */
export function wheelTimeout(wheel: TimerWheel, ms: number, fire: () => void): WheelTimeout {
  const t = new WheelTimeout(fire);
  wheel.schedule(t, performance.now() + ms);
  return t;
}
