import { anthropicStatus, decodeAnthropicError, encodeAnthropicError } from "../dialects/anthropic/errors.js";
import { decodeAnthropicRequest } from "../dialects/anthropic/request-decode.js";
import { type AnthropicRequestOptions, encodeAnthropicRequest } from "../dialects/anthropic/request-encode.js";
import { decodeAnthropicResponse, encodeAnthropicResponse } from "../dialects/anthropic/response.js";
import { AnthropicStreamDecoder } from "../dialects/anthropic/stream-decode.js";
import { AnthropicStreamEncoder } from "../dialects/anthropic/stream-encode.js";
import { decodeConverseError, encodeConverseError } from "../dialects/bedrock-converse/errors.js";
import { encodeConverseRequest } from "../dialects/bedrock-converse/request-encode.js";
import { decodeConverseResponse } from "../dialects/bedrock-converse/response.js";
import { ConverseStreamDecoder } from "../dialects/bedrock-converse/stream-decode.js";
import { decodeGeminiError, encodeGeminiError, geminiStatus } from "../dialects/gemini/errors.js";
import { decodeGeminiRequest } from "../dialects/gemini/request-decode.js";
import { encodeGeminiRequest, type GeminiRequestOptions } from "../dialects/gemini/request-encode.js";
import { decodeGeminiResponse, encodeGeminiResponse } from "../dialects/gemini/response.js";
import { GeminiStreamDecoder } from "../dialects/gemini/stream-decode.js";
import { GeminiStreamEncoder } from "../dialects/gemini/stream-encode.js";
import { decodeChatRequest } from "../dialects/openai-chat/request-decode.js";
import { type ChatRequestOptions, encodeChatRequest } from "../dialects/openai-chat/request-encode.js";
import { decodeChatResponse, encodeChatResponse } from "../dialects/openai-chat/response.js";
import { ChatStreamDecoder } from "../dialects/openai-chat/stream-decode.js";
import { ChatStreamEncoder } from "../dialects/openai-chat/stream-encode.js";
import { decodeOpenAIError, encodeOpenAIError, openaiStatus } from "../dialects/openai-errors.js";
import { decodeResponsesRequest } from "../dialects/openai-responses/request-decode.js";
import { encodeResponsesRequest, type ResponsesRequestOptions } from "../dialects/openai-responses/request-encode.js";
import { decodeResponsesResponse, encodeResponsesResponse } from "../dialects/openai-responses/response.js";
import { ResponsesStreamDecoder } from "../dialects/openai-responses/stream-decode.js";
import { ResponsesStreamEncoder } from "../dialects/openai-responses/stream-encode.js";
import type {
  DecodeOptions,
  Encoded,
  ResponseOptions,
  StreamDecoder,
  StreamEncoder,
  ToolMapping,
} from "../dialects/types.js";
import type { Dialect, ErrorInfo, Json, JsonObject, Request, Response, UpstreamDialect } from "../ir/types.js";

/** Options for writing an upstream request; each dialect reads the ones that concern it. */
export type RequestOptions = AnthropicRequestOptions &
  ChatRequestOptions &
  ResponsesRequestOptions &
  GeminiRequestOptions;

export interface DialectCodec {
  /** Wire request → IR; throws InputError naming the field on malformed input. */
  decodeRequest(body: Json): Request;
  encodeRequest(req: Request, opts?: RequestOptions): Encoded<{ body: JsonObject; tools: ToolMapping }>;
  decodeResponse(body: Json, opts?: DecodeOptions): Response;
  encodeResponse(res: Response, opts?: ResponseOptions): Encoded<JsonObject>;
  createDecoder(opts?: DecodeOptions): StreamDecoder;
  createEncoder(opts?: ResponseOptions): StreamEncoder;
  /** HTTP status and body of an error in this dialect. */
  encodeError(error: ErrorInfo): { status: number; body: JsonObject };
  /** An error body (HTTP or in-stream) of this dialect → IR. */
  decodeError(status: number, body: Json | string | undefined): ErrorInfo;
}

const openaiError = (error: ErrorInfo) => ({ status: openaiStatus(error), body: encodeOpenAIError(error) });

export const codecs: Record<Dialect, DialectCodec> = {
  "openai-chat": {
    decodeRequest: decodeChatRequest,
    encodeRequest: encodeChatRequest,
    decodeResponse: decodeChatResponse,
    encodeResponse: encodeChatResponse,
    createDecoder: (o) => new ChatStreamDecoder(o),
    createEncoder: (o) => new ChatStreamEncoder(o),
    encodeError: openaiError,
    decodeError: decodeOpenAIError,
  },
  "openai-responses": {
    decodeRequest: decodeResponsesRequest,
    encodeRequest: encodeResponsesRequest,
    decodeResponse: decodeResponsesResponse,
    encodeResponse: encodeResponsesResponse,
    createDecoder: (o) => new ResponsesStreamDecoder(o),
    createEncoder: (o) => new ResponsesStreamEncoder(o),
    encodeError: openaiError,
    decodeError: decodeOpenAIError,
  },
  anthropic: {
    decodeRequest: decodeAnthropicRequest,
    encodeRequest: encodeAnthropicRequest,
    decodeResponse: decodeAnthropicResponse,
    encodeResponse: encodeAnthropicResponse,
    createDecoder: (o) => new AnthropicStreamDecoder(o),
    createEncoder: (o) => new AnthropicStreamEncoder(o),
    encodeError: (error) => ({ status: anthropicStatus(error), body: encodeAnthropicError(error) }),
    decodeError: decodeAnthropicError,
  },
  gemini: {
    decodeRequest: decodeGeminiRequest,
    encodeRequest: encodeGeminiRequest,
    decodeResponse: decodeGeminiResponse,
    encodeResponse: encodeGeminiResponse,
    createDecoder: (o) => new GeminiStreamDecoder(o),
    createEncoder: (o) => new GeminiStreamEncoder(o),
    encodeError: (error) => ({ status: geminiStatus(error), body: encodeGeminiError(error) }),
    decodeError: decodeGeminiError,
  },
};

/** The upstream side of a dialect: writing requests, reading answers, streams and errors. */
export type UpstreamCodec = Pick<
  DialectCodec,
  "encodeRequest" | "decodeResponse" | "createDecoder" | "encodeError" | "decodeError"
>;

/** Every dialect an upstream may speak: the client dialects, and Bedrock's Converse (upstream only). */
export const upstreamCodecs: Record<UpstreamDialect, UpstreamCodec> = {
  ...codecs,
  "bedrock-converse": {
    encodeRequest: encodeConverseRequest,
    decodeResponse: decodeConverseResponse,
    createDecoder: (o) => new ConverseStreamDecoder(o),
    encodeError: (error) => ({ status: error.status, body: encodeConverseError(error) }),
    decodeError: decodeConverseError,
  },
};
