import { createHmac, timingSafeEqual } from "node:crypto";
import type { ReasoningPart } from "../ir/types.js";

/**
 * Reasoning state carried through a client's opaque field (an Anthropic thinking `signature`, a Responses
 * `encrypted_content`, a Gemini `thoughtSignature`) when the state belongs to another dialect's provider. The client echoes the field
 * unchanged; llmux opens it on the next request and restores the reasoning exactly as the provider gave it.
 *
 * Format: `llmux1.<payload>.<mac>` — base64url JSON and an HMAC-SHA256 (truncated to 128 bits) of the
 * version and payload with llmux's secret. The payload names the provider and model that produced the
 * reasoning, so state can only go back to where it came from, and a client cannot forge or alter it.
 */
export const ENVELOPE_PREFIX = "llmux1.";

/** Where reasoning was produced: a provider name and upstream model. */
export interface Origin {
  provider: string;
  model: string;
}

interface Payload {
  v: 1;
  p: string;
  m: string;
  /** text, summary parts, raw flag */
  t?: string;
  y?: string[];
  w?: 1;
  /** Anthropic signature / redacted data, Responses encrypted content / item id. */
  s?: string;
  x?: string;
  e?: string;
  i?: string;
  /** Gemini thought signature. */
  g?: string;
  /** The Chat field the reasoning came in (reasoning_content, reasoning): where it must be echoed. */
  f?: "reasoning_content" | "reasoning";
}

function mac(secret: string, payload: string): string {
  return createHmac("sha256", secret)
    .update(`${ENVELOPE_PREFIX}${payload}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

export function isEnvelope(value: string | undefined): value is string {
  return typeof value === "string" && value.startsWith(ENVELOPE_PREFIX);
}

/** Seals a reasoning part with its origin. */
export function seal(part: ReasoningPart, origin: Origin, secret: string): string {
  const p: Payload = { v: 1, p: origin.provider, m: origin.model };
  if (part.text) p.t = part.text;
  if (part.summary) p.y = part.summary;
  if (part.raw) p.w = 1;
  if (part.signature !== undefined) p.s = part.signature;
  if (part.redacted !== undefined) p.x = part.redacted;
  if (part.encrypted !== undefined) p.e = part.encrypted;
  if (part.id !== undefined) p.i = part.id;
  if (part.thoughtSignature !== undefined) p.g = part.thoughtSignature;
  if (part.field !== undefined) p.f = part.field;
  const payload = Buffer.from(JSON.stringify(p)).toString("base64url");
  return `${ENVELOPE_PREFIX}${payload}.${mac(secret, payload)}`;
}

export type Opened = { ok: true; part: ReasoningPart; origin: Origin } | { ok: false; reason: string };

/** Opens an envelope; anything altered, forged or sealed with another secret is refused. */
export function open(envelope: string, secret: string): Opened {
  const body = envelope.slice(ENVELOPE_PREFIX.length);
  const dot = body.lastIndexOf(".");
  if (dot <= 0) return { ok: false, reason: "malformed envelope" };
  const payload = body.slice(0, dot);
  const given = Buffer.from(body.slice(dot + 1), "base64url");
  const expected = Buffer.from(mac(secret, payload), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "envelope signature does not verify (altered, forged, or sealed with another secret)" };
  }
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Payload;
  } catch {
    return { ok: false, reason: "malformed envelope" };
  }
  if (p.v !== 1) return { ok: false, reason: `unknown envelope version ${String(p.v)}` };
  const part: ReasoningPart = { type: "reasoning", text: p.t ?? "" };
  if (p.y) part.summary = p.y;
  if (p.w) part.raw = true;
  if (p.s !== undefined) part.signature = p.s;
  if (p.x !== undefined) part.redacted = p.x;
  if (p.e !== undefined) part.encrypted = p.e;
  if (p.i !== undefined) part.id = p.i;
  if (p.g !== undefined) part.thoughtSignature = p.g;
  if (p.f === "reasoning_content" || p.f === "reasoning") part.field = p.f;
  return { ok: true, part, origin: { provider: p.p, model: p.m } };
}
