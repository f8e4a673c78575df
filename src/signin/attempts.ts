import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";

/** The verification page's and device authorization's bounds (RFC 8628 §5.1, §5.2). */
export interface SigninLimits {
  wrongPerAddress: number;
  wrongPerPendingCode: number;
  startsPerAddress: number;
  windowMs: number;
}

export const SIGNIN_LIMITS: Readonly<SigninLimits> = {
  /** Wrong user codes from one address in a window, before the address is refused (every code, right or not). */
  wrongPerAddress: 100,
  /**
   * Wrong user codes from anywhere while one code is pending, before that code is given up (its person runs
   * /login again): with 20^8 codes, a code survives at most this many guesses (a chance under 1 in 500,000).
   */
  wrongPerPendingCode: 50_000,
  /** Device authorizations started from one address in a window (each a database row). */
  startsPerAddress: 60,
  /** The window of both address counts. */
  windowMs: 10 * 60_000,
};

/**
 * Wrong user codes and sign-ins started, counted in the hot state (memory, or Redis shared by every instance,
 * so all of them agree). Wrong codes are counted per address with a high bound (a colleague behind the same
 * NAT mistyping a few codes does not lock out the right one), and against every pending code at once: one
 * counter of all wrong codes, each pending code remembering its value when the code was made, so a code that
 * has been exposed to too many guesses from anywhere is given up instead of locking anyone out.
 */
export class CodeAttempts {
  constructor(
    private readonly hot: HotState,
    private readonly limits: Readonly<SigninLimits> = SIGNIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  private window(): number {
    return Math.floor(this.now() / this.limits.windowMs);
  }

  /** Whether this address may try a code now. */
  async allowed(address: string): Promise<boolean> {
    return (await this.hot.count(hotKeys.signinWrong(address, this.window()))) < this.limits.wrongPerAddress;
  }

  /** Notes a wrong code from this address (and against every pending code). */
  async wrong(address: string): Promise<void> {
    await Promise.all([
      this.hot.incr(hotKeys.signinWrong(address, this.window()), 1, this.limits.windowMs),
      this.hot.incr(hotKeys.signinWrongAll(), 1, 24 * 3600_000),
    ]);
  }

  /** A new pending code: remembers how many wrong codes there were when it was made. */
  async opened(userCode: string, ttlMs: number): Promise<void> {
    const all = await this.hot.count(hotKeys.signinWrongAll());
    await this.hot.set(hotKeys.signinCodeSeen(userCode), String(all), ttlMs);
  }

  /** Whether a pending code has been exposed to more wrong codes than it may be. */
  async exposed(userCode: string, ttlMs: number): Promise<boolean> {
    const all = await this.hot.count(hotKeys.signinWrongAll());
    const key = hotKeys.signinCodeSeen(userCode);
    // Made before the hot state was (a restarted memory state): counted from now.
    if (await this.hot.setIfAbsent(key, String(all), ttlMs)) return false;
    const at = Number(await this.hot.get(key)) || 0;
    return all - at > this.limits.wrongPerPendingCode;
  }

  /** Counts a device authorization from this address; false past the bound (refused, nothing made). */
  async start(address: string): Promise<boolean> {
    const r = await this.hot.addWithin(
      hotKeys.signinStarts(address, this.window()),
      1,
      this.limits.startsPerAddress,
      this.limits.windowMs,
    );
    return r.ok;
  }
}
