/**
 * The request's headers as node:http's flat list of names and values, which it writes as given (validated as
 * setHeader validates them). Given an object, node:http copies every header into an object of its own, which
 * stays in dictionary mode for as long as the request lives (about 450 bytes per open stream), one setHeader
 * call each. The list is what the object would have sent: a name given twice in different case is one header
 * at its first place with its last name and value, and Host comes last, made as node:http makes it (the URL's
 * host, its port unless the scheme's own), unless the headers name one (a signed request does).
 */
export function headerList(headers: Record<string, string>, host: string): string[] {
  const list: string[] = [];
  const at = new Map<string, number>();
  let hasHost = false;
  for (const name in headers) {
    const lower = name.toLowerCase();
    const was = at.get(lower);
    if (was !== undefined) {
      list[was] = name;
      list[was + 1] = headers[name]!;
      continue;
    }
    at.set(lower, list.length);
    if (lower === "host") hasHost = true;
    list.push(name, headers[name]!);
  }
  if (!hasHost) list.push("Host", host);
  return list;
}
