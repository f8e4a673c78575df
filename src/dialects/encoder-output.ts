import type { StreamEvent } from "../ir/types.js";
import type { ResponseOptions, StreamEncoder } from "./types.js";

/**
 * What every stream encoder shares: the wire text written since the last `take()`, and whether a terminal
 * event (end or error) was written. An encoder appends to `out` and sets `done`.
 */
export abstract class EncoderOutput implements StreamEncoder {
  protected out = "";
  protected done = false;

  constructor(protected readonly opts: ResponseOptions = {}) {}

  abstract write(event: StreamEvent): void;

  get finished(): boolean {
    return this.done;
  }

  take(): string {
    const s = this.out;
    this.out = "";
    return s;
  }
}
