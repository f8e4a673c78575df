import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import type { ModelTable } from "../routing/model-table.js";

/** A model as Gemini's models.list / models.get describe it. */
function geminiModel(id: string) {
  return {
    name: `models/${id}`,
    baseModelId: id,
    version: "llmux",
    displayName: id,
    supportedGenerationMethods: ["generateContent", "streamGenerateContent", "countTokens"],
  };
}

/** GET /v1beta/models and /v1beta/models/{model}, in Gemini's shape. */
export function geminiModels(ex: Exchange, models: ModelTable, id?: string): void {
  if (id === undefined) {
    answerJson(ex, 200, { models: models.listed().map(geminiModel) });
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
  answerJson(ex, 200, geminiModel(name));
}
