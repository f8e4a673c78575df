import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, HttpRequest } from "@smithy/types";
import type { OutgoingCall } from "./types.js";

export interface AwsAuthOptions {
  region: string;
  /** The signing name of the service (`bedrock` for bedrock-runtime). */
  service: string;
  profile?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
}

/**
 * Where the credentials come from: the keys given, or AWS's standard chain for Node (environment variables,
 * the shared config and credentials files with their profiles — SSO, assumed roles, credential processes —,
 * web identity, then the container and instance metadata endpoints). The chain caches what it found and
 * fetches again before temporary credentials expire.
 */
export async function awsCredentials(opts: AwsAuthOptions): Promise<AwsCredentialIdentityProvider> {
  if (opts.accessKeyId && opts.secretAccessKey) {
    const fixed: AwsCredentialIdentity = {
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      ...(opts.sessionToken ? { sessionToken: opts.sessionToken } : {}),
    };
    return async () => fixed;
  }
  const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
  return defaultProvider(opts.profile ? { profile: opts.profile } : {});
}

/**
 * Signs calls with AWS Signature Version 4 (AWS's own signer, SHA-256 from node:crypto): the method, path,
 * query, the headers sent and the body's hash, under a key derived for the day, region and service.
 */
export function awsSigner(opts: AwsAuthOptions): (call: OutgoingCall) => Promise<OutgoingCall> {
  // AWS's libraries are loaded on the first call (llmux without Bedrock never loads them).
  let ready: Promise<{ sign(request: HttpRequest): Promise<HttpRequest> }> | undefined;
  const load = async () => {
    const [{ SignatureV4 }, { Hash }, credentials] = await Promise.all([
      import("@smithy/signature-v4"),
      import("@smithy/hash-node"),
      awsCredentials(opts),
    ]);
    return new SignatureV4({
      credentials,
      region: opts.region,
      service: opts.service,
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: true,
      applyChecksum: true,
    });
  };
  return async (call) => {
    ready ??= load().catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    const signer = await ready;
    const url = new URL(call.url);
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const request: HttpRequest = {
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: { ...call.headers, host: url.host },
      body: call.body,
    };
    const signed = await signer.sign(request);
    return { ...call, headers: signed.headers };
  };
}
