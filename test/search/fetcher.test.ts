/**
 * The page fetcher of web_fetch (issue 42): pages as text within the limits, and no SSRF — a private, loopback,
 * link-local or metadata address is refused as written, as resolved, and after a redirect, by the real guard.
 */
import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchSchema } from "../../src/config/schema-search.js";
import { isPrivateAddress } from "../../src/http/private-address.js";
import { type FetcherOptions, pageFetcherOf } from "../../src/search/fetcher.js";
import { WebToolError } from "../../src/search/types.js";
import { PageServer } from "./page-server.js";

const settings = (fetch: Record<string, unknown> = {}) => SearchSchema.parse({ fetch })!.fetch;
const fetcher = (fetch: Record<string, unknown> = {}, opts: FetcherOptions = {}) =>
  pageFetcherOf(settings(fetch), opts);
const signal = () => new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<WebToolError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebToolError);
  return err as WebToolError;
}

let local: PageServer;
/** A page server on 127.0.0.2, the one address the redirect tests' guard lets through. */
let outside: PageServer;
beforeAll(async () => {
  local = await PageServer.start("127.0.0.1");
  outside = await PageServer.start("127.0.0.2");
});
afterAll(async () => {
  await local.close();
  await outside.close();
});

describe("a page, within the limits (allow_private_addresses: the page server is local)", () => {
  const open = () => fetcher({ allow_private_addresses: true });

  it("HTML becomes text, with its title; scripts and styles are not text", async () => {
    const page = await open().fetch(local.url("/page.html"), { signal: signal() });
    expect(page).toMatchObject({
      url: local.url("/page.html"),
      finalUrl: local.url("/page.html"),
      title: "The Fake & Page",
      contentType: "text/html",
      truncated: false,
    });
    expect(page.text).toContain("Heading\nFirst paragraph with a link.\none\ntwo");
    expect(page.text).toContain("Last paragraph");
    expect(page.text).not.toMatch(/not text|color: red|enable scripts|<p>/);
    expect(page.bytes).toBeGreaterThan(100);
    expect(Date.parse(page.retrievedAt)).not.toBeNaN();
  });

  it("JSON and plain text come as they are; charsets are honoured (header, then <meta>)", async () => {
    expect((await open().fetch(local.url("/data.json"), { signal: signal() })).text).toBe('{"hello":"world"}');
    expect((await open().fetch(local.url("/latin1.txt"), { signal: signal() })).text).toBe("café");
    expect((await open().fetch(local.url("/meta-latin1.html"), { signal: signal() })).title).toBe("café");
  });

  it("a gzip page is decompressed; a compressed bomb is cut at max_bytes, not inflated", async () => {
    const page = await open().fetch(local.url("/gzip.html"), { signal: signal() });
    expect(page.title).toBe("The Fake & Page");
    const bomb = await fetcher({ allow_private_addresses: true, max_bytes: 64 * 1024 }).fetch(local.url("/bomb.txt"), {
      signal: signal(),
    });
    expect(bomb.truncated).toBe(true);
    expect(bomb.text.length).toBe(64 * 1024);
  });

  it("a page past max_bytes is cut and says so", async () => {
    const page = await fetcher({ allow_private_addresses: true, max_bytes: 10_000 }).fetch(local.url("/big.txt"), {
      signal: signal(),
    });
    expect(page.truncated).toBe(true);
    expect(page.text).toHaveLength(10_000);
  });

  it("a type not in content_types is unsupported_content_type (none at all too)", async () => {
    expect((await failure(open().fetch(local.url("/image.png"), { signal: signal() }))).code).toBe(
      "unsupported_content_type",
    );
    expect((await failure(open().fetch(local.url("/untyped"), { signal: signal() }))).code).toBe(
      "unsupported_content_type",
    );
    const images = fetcher({ allow_private_addresses: true, content_types: ["image/*"] });
    expect((await images.fetch(local.url("/image.png"), { signal: signal() })).contentType).toBe("image/png");
  });

  it("redirects are followed up to max_redirects; a loop is url_not_accessible", async () => {
    const to = encodeURIComponent(local.url("/data.json"));
    const page = await open().fetch(local.url(`/redirect?to=${to}`), { signal: signal() });
    expect(page.finalUrl).toBe(local.url("/data.json"));
    expect((await failure(open().fetch(local.url("/loop"), { signal: signal() }))).message).toContain("5 redirects");
    const none = fetcher({ allow_private_addresses: true, max_redirects: 0 });
    expect((await failure(none.fetch(local.url(`/redirect?to=${to}`), { signal: signal() }))).code).toBe(
      "url_not_accessible",
    );
  });

  it("an error status is url_not_accessible; a page that never answers or stalls is a timeout", async () => {
    expect((await failure(open().fetch(local.url("/missing"), { signal: signal() }))).code).toBe("url_not_accessible");
    const quick = fetcher({ allow_private_addresses: true, timeout_ms: 300 });
    expect((await failure(quick.fetch(local.url("/hang"), { signal: signal() }))).code).toBe("timeout");
    expect((await failure(quick.fetch(local.url("/stall"), { signal: signal() }))).code).toBe("timeout");
  });

  it("domain lists: blocked wins, an allow-list admits its domains only", async () => {
    const f = open();
    expect(
      (await failure(f.fetch(local.url("/page.html"), { signal: signal(), blockedDomains: ["127.0.0.1"] }))).code,
    ).toBe("url_not_allowed");
    expect(
      (await failure(f.fetch(local.url("/page.html"), { signal: signal(), allowedDomains: ["example.com"] }))).code,
    ).toBe("url_not_allowed");
    expect(local.hits).toBeGreaterThan(0);
  });

  it("bad input: not a URL, not http(s), a user name in it", async () => {
    const f = open();
    expect((await failure(f.fetch("not a url", { signal: signal() }))).code).toBe("invalid_input");
    expect((await failure(f.fetch("file:///etc/passwd", { signal: signal() }))).code).toBe("invalid_input");
    expect((await failure(f.fetch(`http://user:pw@127.0.0.1:${local.port}/`, { signal: signal() }))).code).toBe(
      "url_not_allowed",
    );
  });
});

describe("no SSRF: the real guard (allow_private_addresses: false)", () => {
  it.each([
    "http://127.0.0.1/",
    "http://127.0.0.1:{port}/page.html",
    "http://[::1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://localhost:{port}/page.html",
    "http://metadata.google.internal/",
  ])("%s is url_not_allowed, and nothing is asked of it", async (raw) => {
    const before = local.hits;
    const err = await failure(fetcher().fetch(raw.replace("{port}", String(local.port)), { signal: signal() }));
    expect(err.code).toBe("url_not_allowed");
    expect(err.message).toContain("search.fetch.allow_private_addresses");
    expect(local.hits).toBe(before);
  });

  const host = hostname();
  const resolvesPrivate = lookup(host).then(
    (a) => isPrivateAddress(a.address),
    () => false,
  );
  it("a name that resolves to a private address is refused when it is resolved", async () => {
    if (!(await resolvesPrivate)) return; // this machine's name resolves to nothing private: nothing to show
    const err = await failure(fetcher().fetch(`http://${host}:${local.port}/page.html`, { signal: signal() }));
    expect(err.code).toBe("url_not_allowed");
    expect(err.message).toContain("resolves to");
  });

  describe("a redirect into a private address is refused (the page server on 127.0.0.2 is let through)", () => {
    // The one exemption: 127.0.0.2, standing for a public server. Everything else goes through the real check.
    const exempt: FetcherOptions = { isPrivate: (a) => a !== "127.0.0.2" && isPrivateAddress(a) };

    it("the exempt server itself is fetched (so what is refused below is the redirect)", async () => {
      const page = await fetcher({}, exempt).fetch(outside.url("/page.html"), { signal: signal() });
      expect(page.title).toBe("The Fake & Page");
    });

    it.each([
      "http://127.0.0.1:{port}/page.html",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::ffff:127.0.0.1]:{port}/page.html",
      "http://localhost:{port}/page.html",
      "http://10.1.2.3/",
    ])("→ %s", async (target) => {
      const before = local.hits;
      const to = encodeURIComponent(target.replace("{port}", String(local.port)));
      const err = await failure(fetcher({}, exempt).fetch(outside.url(`/redirect?to=${to}`), { signal: signal() }));
      expect(err.code).toBe("url_not_allowed");
      expect(err.message).toMatch(/^redirected/);
      expect(local.hits).toBe(before);
    });

    it("→ a name that resolves to a private address", async () => {
      if (!(await resolvesPrivate)) return;
      const to = encodeURIComponent(`http://${host}:${local.port}/page.html`);
      const err = await failure(fetcher({}, exempt).fetch(outside.url(`/redirect?to=${to}`), { signal: signal() }));
      expect(err.code).toBe("url_not_allowed");
    });

    it("→ a domain off the allow-list", async () => {
      const to = encodeURIComponent("http://elsewhere.example/");
      const err = await failure(
        fetcher({}, exempt).fetch(outside.url(`/redirect?to=${to}`), {
          signal: signal(),
          allowedDomains: ["127.0.0.2"],
        }),
      );
      expect(err.code).toBe("url_not_allowed");
      expect(err.message).toContain("redirected to elsewhere.example");
    });
  });
});
