import type { Agent, ClientRequest, RequestOptions } from "node:http";

/** `addRequest` as node's HTTP and HTTPS agents have it (it is not in node's published types). */
interface AddsRequests {
  addRequest(req: ClientRequest, options: RequestOptions): void;
}

/**
 * An agent whose connections do not keep the first request's headers. Node's agent makes a connection from a
 * copy of the request's options, and the listeners it installs on the socket keep that copy for as long as
 * the socket lives: with an open stream per connection, every stream held the headers of the request that
 * opened its connection (their list and the copy's own properties, about 1 KB). A connection needs the
 * address, the port and the TLS settings, never the headers, which the request itself still sends.
 */
export function withoutRequestHeaders<A extends Agent>(agent: A): A {
  const own = agent as unknown as AddsRequests;
  const addRequest = own.addRequest.bind(agent);
  own.addRequest = (req, options) => {
    const { headers: _, ...connection } = options;
    addRequest(req, connection);
  };
  return agent;
}
