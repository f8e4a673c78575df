/**
 * The rooms of src/ by floor, from the ground up: a room may import only rooms on a lower floor (and itself).
 * A new room must be placed here: where it stands says what it may use and what may use it
 * (docs/architecture.md explains each room).
 */
export const FLOORS: readonly (readonly string[])[] = [
  ["ir", "text", "log", "thread"],
  ["clients", "config", "sse", "state", "store", "tokens"],
  ["models", "secrets", "launch"],
  ["data", "dialects", "mock", "guardrails"],
  ["identity", "reasoning", "translate"],
  ["http", "responses"],
  ["cursor", "search"],
  ["providers"],
  ["routing"],
  ["request"],
  ["billing", "observe", "upstream"],
  ["limits", "requestlog"],
  ["pipeline", "doctor", "mcp"],
  ["admin", "embeddings", "completions"],
  ["signin", "rerank"],
  ["server"],
  ["cli", "index"],
];
