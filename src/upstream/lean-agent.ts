import type { Agent, ClientRequest, RequestOptions } from "node:http";
import type { Socket } from "node:net";

/** `addRequest` as node's HTTP and HTTPS agents have it (it is not in node's published types). */
interface AddsRequests {
  addRequest(req: ClientRequest, options: RequestOptions): void;
}

/**
 * An agent whose connections keep only what makes a connection. Node's agent makes a connection from a copy
 * of the request's options, and the listeners it installs on the socket keep that copy for as long as the
 * socket lives: with an open stream per connection, every stream held the headers of the request that opened
 * its connection (the caller's credentials among them), its path and method, in a copy of some fifteen
 * properties. A connection needs the address, the port and the TLS settings; the request itself still sends
 * its headers, path and method.
 */
export function withoutRequestFields<A extends Agent>(agent: A): A {
  const own = agent as unknown as AddsRequests;
  const addRequest = own.addRequest.bind(agent);
  own.addRequest = (req, options) => {
    // Copied key by key into an ordinary object. Node hands over a null-prototype copy of the request's options,
    // which V8 keeps as a dictionary: a rest copy of it without these fields cost about 1.3 % of a small
    // request's CPU, and node's agent copies what it is given once more, faster from an ordinary object.
    const connection: Record<string, unknown> = {};
    for (const k in options)
      if (k !== "headers" && k !== "path" && k !== "method" && k !== "agent")
        connection[k] = (options as Record<string, unknown>)[k];
    addRequest(req, connection as RequestOptions);
  };
  return agent;
}

/** What node's agent takes off an upstream's announced keep-alive timeout, so as to close first. */
const HINT_MARGIN_MS = 1000;

/**
 * Pooled connections close once idle for `ms`, or sooner when the upstream's `Keep-Alive: timeout=N` says it
 * closes them sooner (a second before; not kept at all when that leaves nothing), as node's agent does with a
 * `timeout` option. With that option, though, node clears the connection's timeout as each response ends and
 * sets it again as the connection is pooled, and listens for it on every request: a timer made and listeners
 * added and removed per request. Here the timeout is set once, when a connection is first pooled (again only
 * when the upstream's hint changes it), and left running while a request uses the connection: when it comes,
 * the agent destroys the connection only if it is in its free list (node's `onTimeout` in _http_agent.js; were it
 * ever to destroy any connection, a request in flight would be cut), so a request in flight is never cut by it
 * (llmux's own watch times the upstream's silences: idle-watch.ts). Each time a connection is pooled again its
 * timeout is re-armed from that moment.
 */
export function closingWhenIdle<A extends Agent>(agent: A, ms: number): A {
  const keepAliveMsecs = (agent as unknown as { keepAliveMsecs?: number }).keepAliveMsecs ?? 1000;
  agent.keepSocketAlive = (duplex) => {
    const socket = duplex as Socket;
    socket.setKeepAlive(true, keepAliveMsecs);
    socket.unref();
    let idle = ms;
    const res = (socket as { _httpMessage?: { res?: { headers: Record<string, unknown> } } })._httpMessage?.res;
    const hint = res?.headers["keep-alive"];
    if (typeof hint === "string") {
      const seconds = /^timeout=(\d+)/.exec(hint)?.[1];
      if (seconds !== undefined) {
        const hinted = Number.parseInt(seconds, 10) * 1000 - HINT_MARGIN_MS;
        if (hinted <= 0) return false;
        if (hinted < idle) idle = hinted;
      }
    }
    // The same timeout may have come and gone while a request held the connection (its body read, a slow
    // client holding the rest): it is re-armed from now by node's own refresh, which any read or write makes,
    // without a new timer (a new one where that is missing).
    const rearm = (socket as Socket & { _unrefTimer?: () => void })._unrefTimer;
    if (socket.timeout !== idle || typeof rearm !== "function") socket.setTimeout(idle);
    else rearm.call(socket);
    return true;
  };
  return agent;
}
