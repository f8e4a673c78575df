/** How a request ended: answered, failed, refused by llmux itself, or cut by a client that went away. */
export type Outcome = "ok" | "error" | "aborted" | "refused";

/** How the request ended: its outcome as the stage that answered set it, or from its status. */
export function outcomeOf(a: {
  readonly outcome?: Outcome | undefined;
  readonly status?: number | undefined;
}): Outcome {
  return a.outcome ?? (a.status !== undefined && a.status >= 400 ? "error" : "ok");
}
