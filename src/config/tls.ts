import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createSecureContext } from "node:tls";
import { ConfigError } from "./config-error.js";
import type { Config } from "./schema.js";

type Tls = NonNullable<Config["server"]["tls"]>;

function read(key: "cert" | "key", path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (code ?? String(err));
    throw new ConfigError([`server.tls.${key}: cannot read '${path}' (${why})`]);
  }
}

/** First line of an OpenSSL error, without its error-code prefix. */
const reason = (err: unknown) =>
  String((err as Error).message ?? err)
    .split("\n")[0]!
    .replace(/^error:[0-9A-F]+:/, "");

/**
 * The certificate and key `server.tls` names, read and checked at start-up: a file that cannot be read,
 * is not PEM, or a key that does not belong to the certificate is a configuration error naming the key.
 */
export function readTls(tls: Tls): { cert: Buffer; key: Buffer } {
  const cert = read("cert", tls.cert);
  const key = read("key", tls.key);
  const problems: string[] = [];
  try {
    new X509Certificate(cert);
  } catch (err) {
    problems.push(`server.tls.cert: '${tls.cert}' is not a PEM certificate (${reason(err)})`);
  }
  try {
    createPrivateKey(key);
  } catch (err) {
    problems.push(`server.tls.key: '${tls.key}' is not a PEM private key (${reason(err)})`);
  }
  if (problems.length === 0) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      problems.push(
        `server.tls: the key in '${tls.key}' does not belong to the certificate in '${tls.cert}' (${reason(err)})`,
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { cert, key };
}
