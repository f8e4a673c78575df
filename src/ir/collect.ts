import type { AssistantPart, ErrorInfo, Response, StopReason, StreamEvent, Usage } from "./types.js";
import { mergeUsage } from "./usage.js";

/**
 * Builds a complete Response from IR stream events: how a non-streaming client is served from a streamed
 * upstream. Complete parts come from `block_stop`, so nothing is re-assembled here.
 */
export class ResponseCollector {
  private id = "";
  private model = "";
  private created = 0;
  private readonly parts: AssistantPart[] = [];
  private usage: Usage | undefined;
  private stopReason: StopReason | undefined;
  private stopSequence: string | null | undefined;
  private extras: Response["extras"];
  error: ErrorInfo | undefined;

  readonly sink = (e: StreamEvent): void => this.handle(e);

  handle(e: StreamEvent): void {
    switch (e.type) {
      case "start":
        this.id = e.id;
        this.model = e.model;
        this.created = e.created;
        if (e.usage) this.usage = e.usage;
        return;
      case "block_stop":
        this.parts.push(e.part);
        return;
      case "usage":
        this.usage = mergeUsage(this.usage, e.usage);
        return;
      case "end":
        this.stopReason = e.stopReason;
        this.stopSequence = e.stopSequence;
        if (e.usage) this.usage = e.usage;
        if (e.extras) this.extras = e.extras;
        return;
      case "error":
        this.error = e.error;
        return;
      default:
        return;
    }
  }

  get complete(): boolean {
    return this.stopReason !== undefined || this.error !== undefined;
  }

  /** The collected response, or the error the stream ended with. */
  result(): Response | ErrorInfo {
    if (this.error) return this.error;
    if (this.stopReason === undefined) {
      return { status: 502, kind: "server", message: "upstream stream ended before the response was complete" };
    }
    const res: Response = {
      id: this.id,
      model: this.model,
      created: this.created,
      content: this.parts,
      stopReason: this.stopReason,
      stopSequence: this.stopSequence ?? null,
    };
    if (this.usage) res.usage = this.usage;
    if (this.extras) res.extras = this.extras;
    return res;
  }
}

export function isErrorInfo(v: Response | ErrorInfo): v is ErrorInfo {
  return "kind" in v && "status" in v;
}
