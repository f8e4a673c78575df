/**
 * A local stand-in for AWS STS's AssumeRole (the Query protocol: a form POST, an XML answer), for the
 * credential chain's "profile with role_arn and source_profile". The call must be SigV4-signed (service
 * `sts`) with a key the Bedrock fake knows; the temporary key it issues is added to the Bedrock fake.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { type AwsKey, type BedrockFake, makeAwsKey, signatureProblem } from "./bedrock-fake.js";

export interface StsFake {
  url: string;
  assumed: { role: string; signedBy: string }[];
  issued: AwsKey[];
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

export async function startStsFake(bedrock: BedrockFake, region: string): Promise<StsFake> {
  const fake: StsFake = {
    url: "",
    assumed: [],
    issued: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a stalled request (a hung token endpoint) must not hold the close
      }),
  };
  const server = createServer(async (req, res) => {
    const raw = await read(req);
    const sig = signatureProblem(req.method ?? "", req.url ?? "/", req.headers, raw, bedrock.keys, region, "sts");
    const form = new URLSearchParams(raw.toString("utf8"));
    if (sig.problem || form.get("Action") !== "AssumeRole") {
      res.writeHead(403, { "content-type": "text/xml" });
      res.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>${sig.problem ?? "unsupported action"}</Message></Error></ErrorResponse>`,
      );
      return;
    }
    const role = form.get("RoleArn") ?? "";
    fake.assumed.push({ role, signedBy: sig.key!.accessKeyId });
    const temp = makeAwsKey(true);
    temp.accessKeyId = `ASIA${temp.accessKeyId.slice(4)}`;
    fake.issued.push(temp);
    bedrock.keys.push(temp);
    const expires = new Date(Date.now() + 3600_000).toISOString();
    res.writeHead(200, { "content-type": "text/xml" });
    res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${form.get("RoleSessionName")}</AssumedRoleId>
      <Arn>${role.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/")}/${form.get("RoleSessionName")}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${temp.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${temp.secretAccessKey}</SecretAccessKey>
      <SessionToken>${temp.sessionToken}</SessionToken>
      <Expiration>${expires}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>${randomBytes(16).toString("hex")}</RequestId></ResponseMetadata>
</AssumeRoleResponse>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}
