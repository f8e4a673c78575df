/**
 * Mock upstream emitters: pure functions that render a scenario script exactly as a real provider would
 * send it (SSE event strings for streams, JSON objects for bodies). Used by tests, the mock server and
 * benchmarks; deliberately independent of the gateway's translators.
 */
export { anthropicBody, anthropicStream } from "./emit-anthropic.js";
export { chatBody, chatStream } from "./emit-chat.js";
export { geminiBody, geminiErrorBody, geminiStream } from "./emit-gemini.js";
export { responsesBody, responsesStream } from "./emit-responses.js";
export { providerErrorBody, type StreamErrorKind } from "./errors.js";
export type { ChatFlavour, MockBlock, MockScript, MockStop, MockUsage } from "./script.js";
