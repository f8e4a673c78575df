/**
 * AWS Signature Version 4, checked the way AWS documents it (node:crypto only, nothing shared with the
 * signer llmux uses): the fakes of Bedrock and STS recompute every call's signature with it.
 */
import { createHash, createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";

export interface AwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/* Per https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html */

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding as AWS specifies it: unreserved characters kept, everything else %XX (upper case). */
function uriEncode(s: string): string {
  return [...Buffer.from(s, "utf8")]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
}

/** Why a request's SigV4 signature does not hold (undefined: it holds). */
export function signatureProblem(
  method: string,
  rawPath: string,
  headers: IncomingMessage["headers"],
  body: Buffer,
  keys: AwsKey[],
  region: string,
  service: string,
  now = Date.now(),
): { problem?: string; key?: AwsKey } {
  const auth = headers.authorization ?? "";
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { problem: `no SigV4 Authorization header (${auth.slice(0, 40)})` };
  const [, akid, day, reg, svc, signedList, signature] = m as unknown as string[];
  const key = keys.find((k) => k.accessKeyId === akid);
  if (!key) return { problem: `unknown access key ${akid}` };
  if (reg !== region || svc !== service) return { problem: `scope ${reg}/${svc}, expected ${region}/${service}` };
  const amzDate = String(headers["x-amz-date"] ?? "");
  if (!amzDate.startsWith(day!)) return { problem: `x-amz-date ${amzDate} outside the scope's day ${day}` };
  const when = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (!(Math.abs(now - when) < 5 * 60_000)) return { problem: `x-amz-date ${amzDate} is too far from now` };
  if (key.sessionToken && headers["x-amz-security-token"] !== key.sessionToken)
    return { problem: "the session token is missing or wrong" };
  const signed = signedList!.split(";");
  if (!signed.includes("host")) return { problem: "host is not signed" };
  const payloadHash = sha256(body);
  const claimed = headers["x-amz-content-sha256"];
  if (claimed !== undefined && claimed !== payloadHash)
    return { problem: "x-amz-content-sha256 is not the body's hash" };
  // Canonical URI: each segment of the path as sent, URI-encoded once more (every service but S3).
  const canonicalUri = rawPath
    .split("?")[0]!
    .split("/")
    .map((seg) => uriEncode(seg))
    .join("/");
  const query = new URLSearchParams(rawPath.split("?")[1] ?? "");
  const canonicalQuery = [...query.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalHeaders = signed
    .map((h) => {
      const v = headers[h];
      const value = (Array.isArray(v) ? v.join(",") : (v ?? "")).trim().replace(/\s+/g, " ");
      return `${h}:${value}\n`;
    })
    .join("");
  const canonicalRequest = [method, canonicalUri, canonicalQuery, canonicalHeaders, signedList, payloadHash].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const kDate = hmac(`AWS4${key.secretAccessKey}`, day!);
  const kSigning = hmac(hmac(hmac(kDate, region), service), "aws4_request");
  const expected = createHmac("sha256", kSigning).update(toSign).digest("hex");
  if (expected !== signature)
    return { problem: "The request signature we calculated does not match the signature you provided" };
  return { key };
}
