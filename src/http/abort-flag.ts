/**
 * The part of an AbortSignal the request path uses: `aborted`, `reason`, and listeners for "abort" (functions or
 * objects with `handleEvent`). Node 20's AbortController is an EventTarget: about 5 µs to make, more for each
 * listener, and a small request made two (the client's going away, and the attempt loop's own signal).
 */
export type AbortLike = Pick<AbortSignal, "aborted" | "reason" | "addEventListener" | "removeEventListener">;

type Listener = Exclude<Parameters<AbortSignal["addEventListener"]>[1], null>;
type AddOptions = Parameters<AbortSignal["addEventListener"]>[2];
type RemoveOptions = Parameters<AbortSignal["removeEventListener"]>[2];

/**
 * An abort flag with AbortSignal's semantics for that part, made in a fraction of its cost: listeners are called
 * once, in the order they were added, when it aborts (never when added after; a listener added twice is called
 * once; one removed by an earlier listener is not called); one that throws is reported as an uncaught exception, as EventTarget does, and the others still run.
 * A real AbortSignal is made only for code that needs one (`signalOf`): `AbortSignal.any`, a fetch, a provider's
 * own call.
 */
export class AbortFlag implements AbortLike {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Listener[] | undefined;
  #real: AbortController | undefined;

  addEventListener(type: string, listener: Listener | null, _options?: AddOptions): void {
    if (type !== "abort" || listener === null || this.aborted) return;
    const list = this.#listeners;
    if (list === undefined) this.#listeners = [listener];
    else if (!list.includes(listener)) list.push(listener);
  }

  removeEventListener(type: string, listener: Listener | null, _options?: RemoveOptions): void {
    const list = this.#listeners;
    if (type !== "abort" || listener === null || list === undefined) return;
    const at = list.indexOf(listener);
    if (at >= 0) list.splice(at, 1);
  }

  /** Aborts (once): `reason`, or an AbortError as AbortController.abort() gives. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? new DOMException("This operation was aborted", "AbortError") : reason;
    this.#real?.abort(this.reason);
    const list = this.#listeners;
    if (list === undefined) return;
    const event = new Event("abort");
    // The list stays live while it is called: a listener removed by an earlier one is not called.
    for (const l of [...list]) {
      if (!list.includes(l)) continue;
      try {
        if (typeof l === "function") l.call(this, event);
        else l.handleEvent(event);
      } catch (err) {
        process.nextTick(() => {
          throw err;
        });
      }
    }
    this.#listeners = undefined;
  }

  /** A real AbortSignal that follows this flag (made on first use). */
  get signal(): AbortSignal {
    if (this.#real === undefined) {
      this.#real = new AbortController();
      if (this.aborted) this.#real.abort(this.reason);
    }
    return this.#real.signal;
  }
}

/** A real AbortSignal for `s`: itself when it is one. */
export function signalOf(s: AbortLike): AbortSignal {
  return s instanceof AbortFlag ? s.signal : (s as AbortSignal);
}
