import type { Agent, ClientRequest, RequestOptions } from "node:http";

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
    const { headers: _h, path: _p, method: _m, agent: _a, ...connection } = options;
    addRequest(req, connection);
  };
  return agent;
}
