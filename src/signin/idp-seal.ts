import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import type { ProviderTokens } from "../admin/oidc-code-flow.js";

/**
 * The identity provider's tokens of a sign-in (its refresh token, or its access token), kept so that llmux can
 * ask the provider at every refresh whether the person may still sign in. Stored only sealed, under keys the
 * database never holds:
 *
 * - between the browser step and the client's next poll, on the device code's row: sealed to an X25519 public
 *   key derived from the device code (only the client holds the code; the row keeps the public key and the
 *   digest);
 * - in the session: under a key derived from the session's current refresh token (only the client holds it;
 *   the row keeps its digest), sealed again under the next one at each rotation.
 *
 * So a copy of the database opens none of them, and no master key is needed.
 */
export type IdpTokens = ProviderTokens;

const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

/** The device code's X25519 key pair (its private key derived from the code: nothing of it is stored). */
function deviceKey(deviceCode: string): { priv: KeyObject; pub: KeyObject } {
  const seed = createHash("sha256").update(`llmux signin device box\0${deviceCode}`).digest();
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, seed]), format: "der", type: "pkcs8" });
  return { priv, pub: createPublicKey(priv) };
}

/** The public half of a device code's key, to keep on its row (base64url SPKI). */
export function deviceBoxKey(deviceCode: string): string {
  return (deviceKey(deviceCode).pub.export({ format: "der", type: "spki" }) as Buffer).toString("base64url");
}

function aesSeal(key: Buffer, text: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, nonce);
  const body = Buffer.concat([c.update(text, "utf8"), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]).toString("base64url");
}

function aesOpen(key: Buffer, sealed: string): string {
  const raw = Buffer.from(sealed, "base64url");
  const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]).toString("utf8");
}

const shared = (secret: Buffer, label: string) => createHash("sha256").update(label).update(secret).digest();

/** Seals tokens to a device row's public key (an ephemeral X25519 key each time): `<ephemeral spki>.<box>`. */
export function sealForDevice(boxKey: string, tokens: IdpTokens): string {
  const pub = createPublicKey({ key: Buffer.from(boxKey, "base64url"), format: "der", type: "spki" });
  const eph = generateKeyPairSync("x25519");
  const key = shared(diffieHellman({ privateKey: eph.privateKey, publicKey: pub }), "llmux signin device box\0");
  const ephPub = (eph.publicKey.export({ format: "der", type: "spki" }) as Buffer).toString("base64url");
  return `${ephPub}.${aesSeal(key, JSON.stringify(tokens))}`;
}

/** Opens what `sealForDevice` sealed, with the device code the client presented; undefined if it does not open. */
export function openForDevice(deviceCode: string, sealed: string): IdpTokens | undefined {
  try {
    const [ephPub, box] = sealed.split(".");
    const publicKey = createPublicKey({ key: Buffer.from(ephPub ?? "", "base64url"), format: "der", type: "spki" });
    const secret = diffieHellman({ privateKey: deviceKey(deviceCode).priv, publicKey });
    return JSON.parse(aesOpen(shared(secret, "llmux signin device box\0"), box ?? "")) as IdpTokens;
  } catch {
    return undefined;
  }
}

const sessionKey = (refreshToken: string) => shared(Buffer.from(refreshToken), "llmux signin session idp\0");

/** Seals tokens under the session's refresh token. */
export const sealForSession = (refreshToken: string, tokens: IdpTokens): string =>
  aesSeal(sessionKey(refreshToken), JSON.stringify(tokens));

/** Opens what `sealForSession` sealed, with the refresh token presented; undefined if it does not open. */
export function openForSession(refreshToken: string, sealed: string): IdpTokens | undefined {
  try {
    return JSON.parse(aesOpen(sessionKey(refreshToken), sealed)) as IdpTokens;
  } catch {
    return undefined;
  }
}
