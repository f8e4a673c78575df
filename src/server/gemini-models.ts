import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import type { ModelTable } from "../routing/model-table.js";
import { geminiLimitFields, limitsOfName } from "./model-limits.js";

/** A model as Gemini's models.list / models.get describe it, with its limits. */
function geminiModel(models: ModelTable, id: string) {
  return {
    name: `models/${id}`,
    baseModelId: id,
    version: "llmux",
    displayName: id,
    ...geminiLimitFields(limitsOfName(models, id)),
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
  };
}

/** GET /v1beta/models and /v1beta/models/{model}, in Gemini's shape. */
export function geminiModels(ex: Exchange, models: ModelTable, id?: string): void {
  if (id === undefined) {
    answerJson(ex, 200, { models: models.listed().map((m) => geminiModel(models, m)) });
    return;
  }
  const name = id.replace(/^models\//, "");
  if (!models.resolve(name)) {
    answerError(ex, "gemini", {
      status: 404,
      kind: "not_found",
      message: `The model '${name}' is not configured here`,
      param: "model",
    });
    return;
  }
  answerJson(ex, 200, geminiModel(models, name));
}
