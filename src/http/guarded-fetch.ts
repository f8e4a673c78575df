import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import { isPrivateAddress } from "./private-address.js";

/** A connection refused because of where it would go. */
export class PrivateAddressRefused extends Error {}

/** Which addresses are refused, and the setting that would allow them (named in the refusal). */
export interface AddressGuard {
  /** Default: isPrivateAddress (a test may exempt an address of its own). */
  isPrivate?: (address: string) => boolean;
  /** Default: mcp.allow_private_addresses. */
  setting?: string;
}

/** Resolves a name like dns.lookup, refusing it when any address it resolves to is private. */
function guardedLookup(guard: AddressGuard): LookupFunction {
  const isPrivate = guard.isPrivate ?? isPrivateAddress;
  const setting = guard.setting ?? "mcp.allow_private_addresses";
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, "", 0);
      const list = addresses as unknown as LookupAddress[];
      const bad = list.find((a) => isPrivate(a.address));
      if (bad || list.length === 0)
        return callback(
          new PrivateAddressRefused(
            `${hostname} resolves to ${bad?.address ?? "nothing"}, a private, loopback or link-local address (${setting})`,
          ),
          "",
          0,
        );
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

function headersOf(res: IncomingMessage): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers))
    if (Array.isArray(v)) for (const x of v) h.append(k, x);
    else if (v !== undefined) h.set(k, v);
  return h;
}

async function bodyBytes(body: RequestInit["body"]): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return Buffer.from(await new Response(body).arrayBuffer());
}

/**
 * A fetch for a remote server's requests (the MCP SDK's transports take one): over node:http(s), so that the
 * address actually connected to is checked (a name that resolves to a private address is refused when it is
 * resolved, not only as written: DNS can point anywhere), unless `allowPrivate`. The body of an answer that is
 * an error (4xx, 5xx) is not handed on (nor its reason phrase): what a server (or whatever a URL reached) says
 * in it never reaches a status page or a log, only its status.
 */
export function guardedFetch(opts: { allowPrivate: boolean } & AddressGuard) {
  const isPrivate = opts.isPrivate ?? isPrivateAddress;
  const lookup = guardedLookup(opts);
  return async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`unsupported URL ${url.protocol}`);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (!opts.allowPrivate && isIP(host) && isPrivate(host))
      throw new PrivateAddressRefused(
        `${host} is a private, loopback or link-local address (${opts.setting ?? "mcp.allow_private_addresses"})`,
      );
    const body = await bodyBytes(init.body);
    const headers = Object.fromEntries(new Headers(init.headers ?? {}).entries());
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason ?? new DOMException("aborted", "AbortError"));
      const req = request(
        url,
        {
          method: init.method ?? "GET",
          headers: body ? { ...headers, "content-length": String(body.length) } : headers,
          ...(opts.allowPrivate ? {} : { lookup }),
        },
        (res) => {
          const status = res.statusCode ?? 502;
          const noBody = status === 204 || status === 304 || (init.method ?? "GET") === "HEAD";
          const failed = status >= 400;
          if (failed || noBody) res.resume();
          // An error's body is llmux's own words: the status, never what the server (or whatever answered) said.
          const body = noBody
            ? null
            : failed
              ? `the server answered HTTP ${status} (its answer is not shown)`
              : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          const headers = headersOf(res);
          if (failed) headers.set("content-type", "text/plain");
          resolve(new Response(body, { status, headers }));
        },
      );
      const abort = () => req.destroy(signal?.reason ?? new DOMException("aborted", "AbortError"));
      signal?.addEventListener("abort", abort, { once: true });
      req.on("close", () => signal?.removeEventListener("abort", abort));
      req.on("error", reject);
      req.end(body);
    });
  };
}
