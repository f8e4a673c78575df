import { newId } from "../ir/ids.js";
import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";

/** A request's `input` as a list of items (a string is one user message). */
function inputItems(input: Json | undefined): Json[] {
  if (Array.isArray(input)) return input;
  if (typeof input === "string")
    return [{ type: "message", role: "user", content: [{ type: "input_text", text: input }] }];
  return [];
}

/**
 * What a socket remembers of its last Response: the whole conversation it answered (its input, with what
 * earlier turns on the socket carried) and its output items. Only the last one: a client chains each turn on
 * the one before.
 */
export class TurnMemory {
  private last: { id: string; items: Json[] } | undefined;

  /**
   * A turn's body with the conversation put back when it names the socket's last Response in
   * `previous_response_id`: that Response's input and output, then the turn's new input. Any other id is
   * left to the pipeline (a Response llmux or the upstream stored).
   */
  expand(body: JsonObject): JsonObject {
    const prev = body.previous_response_id;
    if (typeof prev !== "string" || !this.last || this.last.id !== prev) return body;
    const { previous_response_id: _p, ...rest } = body;
    return { ...rest, input: [...this.last.items, ...inputItems(body.input)] };
  }

  /** Forgets the last Response (the socket closed). */
  clear(): void {
    this.last = undefined;
  }

  remember(id: string, body: JsonObject, output: Json[]): void {
    this.last = { id, items: [...inputItems(body.input), ...output] };
  }

  /** Watches a turn's events for its Response's id and output; `done` remembers it, when it completed. */
  watch(body: JsonObject): { event(data: string): void; done(): void } {
    let id: string | undefined;
    let output: Json[] | undefined;
    const items: Json[] = [];
    return {
      event: (data) => {
        // Only the events that carry what is remembered are parsed.
        if (!data.includes('"response.completed"') && !data.includes('"response.output_item.done"')) return;
        let e: unknown;
        try {
          e = JSON.parse(data);
        } catch {
          return;
        }
        if (!isObject(e)) return;
        if (e.type === "response.output_item.done" && isObject(e.item)) items.push(e.item);
        if (e.type === "response.completed" && isObject(e.response)) {
          if (typeof e.response.id === "string") id = e.response.id;
          if (Array.isArray(e.response.output) && e.response.output.length > 0) output = e.response.output;
        }
      },
      done: () => {
        if (id) this.remember(id, body, output ?? items);
      },
    };
  }
}

/** The frames of a prewarm's answer: an empty Response, created and completed. */
export function prewarmEvents(model: string): { id: string; frames: string[] } {
  const id = newId("resp_", 24);
  const response = {
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: "in_progress",
    model,
    output: [] as Json[],
  };
  const usage = {
    input_tokens: 0,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 0,
  };
  return {
    id,
    frames: [
      JSON.stringify({ type: "response.created", sequence_number: 0, response }),
      JSON.stringify({
        type: "response.completed",
        sequence_number: 1,
        response: { ...response, status: "completed", usage },
      }),
    ],
  };
}
