import type { Selectable } from "kysely";
import type { RequestLogTable } from "../data/schema.js";
import type { Bodies } from "./bodies.js";
import { answerOf, conversationOf } from "./conversation.js";
import { renderRequest } from "./render.js";
import type { RequestLogRow } from "./row.js";
import { rowView } from "./view.js";

/**
 * `logging.conversations`: each finished request rendered on `out` as `llmux logs` shows it (colours when
 * `out` is a terminal and NO_COLOR is not set).
 */
export function liveConversations(
  out: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number },
) {
  const colour = out.isTTY === true && !process.env.NO_COLOR;
  return (row: RequestLogRow, bodies: Bodies | undefined): void => {
    const view = rowView(row as Selectable<RequestLogTable>);
    const text = renderRequest(
      {
        ...view,
        conversation: conversationOf(view.client_dialect, bodies?.client_request ?? null),
        answer: answerOf(view.client_dialect, bodies?.client_response ?? null),
        has_bodies: bodies !== undefined,
      },
      { colour, width: out.columns ?? 100 },
    );
    out.write(`${text}\n\n`);
  };
}
