import { createHash } from "node:crypto";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import type { Detector, Hit } from "./detect.js";
import type { RuleGroup } from "./rules.js";

/** Texts shorter than this are scanned each time: hashing and asking the hot state would cost more. */
const SMALL = 512;
const HOT_TTL_MS = 24 * 3_600_000;

type Packed = [string, RuleGroup, number, number][];

const pack = (hits: readonly Hit[]): string => JSON.stringify(hits.map((h) => [h.rule, h.group, h.start, h.end]));

function unpack(text: string): Hit[] | undefined {
  try {
    return (JSON.parse(text) as Packed).map(([rule, group, start, end]) => ({ rule, group, start, end }));
  } catch {
    return undefined;
  }
}

/**
 * The verdicts of the detector by content hash: in this process (a bounded map, least recently used out first)
 * and in the hot state (every instance shares them), so the history an agent resends each turn is scanned
 * once. A verdict holds rule names and offsets, never a value.
 */
export class Verdicts {
  private readonly local = new Map<string, Hit[]>();
  /** Texts scanned, and texts whose verdict came from a cache (metrics, the bench). */
  scanned = 0;
  cached = 0;

  constructor(
    private readonly detector: Detector,
    private readonly max: number,
    private readonly hot?: HotState | undefined,
  ) {}

  private digest(text: string): string {
    return createHash("sha256").update(this.detector.fingerprint).update("\0").update(text).digest("base64url");
  }

  private remember(key: string, hits: Hit[]): void {
    if (this.max === 0) return;
    this.local.delete(key);
    this.local.set(key, hits);
    if (this.local.size > this.max) this.local.delete(this.local.keys().next().value!);
  }

  /** Each text's hits, in order. */
  async hits(texts: readonly string[]): Promise<Hit[][]> {
    const out: (Hit[] | undefined)[] = new Array(texts.length);
    const missing: { i: number; key: string }[] = [];
    texts.forEach((text, i) => {
      if (text.length < SMALL || this.max === 0) {
        this.scanned++;
        out[i] = this.detector.scan(text);
        return;
      }
      const key = this.digest(text);
      const seen = this.local.get(key);
      if (seen) {
        this.cached++;
        this.remember(key, seen);
        out[i] = seen;
      } else missing.push({ i, key });
    });
    if (missing.length === 0) return out as Hit[][];
    let shared: (string | undefined)[] = [];
    if (this.hot) {
      try {
        shared = await this.hot.getMany(missing.map((m) => hotKeys.guardVerdict(m.key)));
      } catch {
        shared = [];
      }
    }
    const writes: Promise<void>[] = [];
    missing.forEach(({ i, key }, n) => {
      const fromHot = shared[n] !== undefined ? unpack(shared[n]!) : undefined;
      if (fromHot) {
        this.cached++;
        out[i] = fromHot;
      } else {
        this.scanned++;
        const hits = this.detector.scan(texts[i]!);
        out[i] = hits;
        if (this.hot) writes.push(this.hot.set(hotKeys.guardVerdict(key), pack(hits), HOT_TTL_MS));
      }
      this.remember(key, out[i]!);
    });
    // A verdict not shared is only scanned again elsewhere: the request does not wait on it.
    void Promise.allSettled(writes);
    return out as Hit[][];
  }
}
