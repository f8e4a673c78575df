import { z } from "zod";
import { CloudBetas } from "./schema-protocol.js";
import { Headers, Timeout } from "./schema-upstream.js";
import { secret } from "./secret-fields.js";

/**
 * The cloud providers: Google Cloud Vertex AI and Amazon Bedrock. Their credentials come from the cloud's
 * own mechanisms (a service-account key or Application Default Credentials; the AWS credential chain), read
 * by the cloud's own libraries.
 */

export const VertexSchema = z
  .object({
    type: z
      .literal("vertex")
      .describe("Google Cloud Vertex AI: Gemini models (generateContent) and Claude models (rawPredict)."),
    project: z.string().min(1).describe("The Google Cloud project id."),
    region: z
      .string()
      .min(1)
      .default("global")
      .describe("The location: a region (us-east5, europe-west1…) or global (the default)."),
    base_url: z
      .string()
      .url()
      .optional()
      .describe(
        "The endpoint, when not the location's own (https://{region}-aiplatform.googleapis.com; global: https://aiplatform.googleapis.com), e.g. a Private Service Connect address.",
      ),
    credentials: secret(
      z
        .string()
        .min(1)
        .optional()
        .describe(
          `A service-account key: the path of its JSON file, or the JSON itself ("\${GOOGLE_SERVICE_ACCOUNT_JSON}"). Omit to use Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, the metadata server).`,
        ),
      "service_account",
    ),
    api_version: z.string().default("v1").describe("The API version in the path: v1 (default) or v1beta1."),
    betas: CloudBetas,
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict();

export const BedrockSchema = z
  .object({
    type: z
      .literal("bedrock")
      .describe("Amazon Bedrock: any model through Converse, or Claude's own body through InvokeModel."),
    region: z.string().min(1).describe(`The AWS region, e.g. us-east-1 (or "\${AWS_REGION}").`),
    api: z
      .enum(["converse", "invoke"])
      .default("converse")
      .describe(
        "converse: the Converse API, for every model; invoke: InvokeModel with Anthropic's own request body (Claude models only).",
      ),
    base_url: z
      .string()
      .url()
      .optional()
      .describe("The endpoint, when not https://bedrock-runtime.{region}.amazonaws.com (a VPC endpoint, FIPS)."),
    profile: z
      .string()
      .min(1)
      .optional()
      .describe("A profile of the AWS shared config and credentials files (default: AWS_PROFILE, then default)."),
    access_key_id: secret(
      z
        .string()
        .min(1)
        .optional()
        .describe(
          `An access key id ("\${VARIABLE}"), with secret_access_key. Omit both to use the AWS credential chain: environment, profile (SSO, role, process), web identity, container and instance roles.`,
        ),
    ),
    secret_access_key: secret(z.string().min(1).optional().describe("The secret of access_key_id.")),
    session_token: secret(z.string().min(1).optional().describe("A session token, for temporary keys.")),
    api_key: secret(
      z.string().min(1).optional().describe("A Bedrock API key, sent as a bearer token instead of a SigV4 signature."),
    ),
    betas: CloudBetas,
    headers: Headers.optional(),
    timeout_ms: Timeout.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.access_key_id === undefined) !== (v.secret_access_key === undefined))
      ctx.addIssue({
        code: "custom",
        path: [v.access_key_id === undefined ? "access_key_id" : "secret_access_key"],
        message: "give access_key_id and secret_access_key together",
      });
    if (v.session_token !== undefined && v.access_key_id === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["session_token"],
        message: "session_token goes with access_key_id and secret_access_key",
      });
    if (v.api_key !== undefined && (v.access_key_id !== undefined || v.profile !== undefined))
      ctx.addIssue({
        code: "custom",
        path: ["api_key"],
        message: "api_key replaces SigV4 signing: give it without access keys or a profile",
      });
  });
