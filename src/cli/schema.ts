import { configJsonSchema } from "../config/json-schema.js";
import type { Command } from "./command.js";

export const schemaCommand: Command = {
  name: "schema",
  summary: "Print the JSON Schema of the configuration file (for editors).",
  description: [
    "Draft 2020-12, with every key described. Save it next to llmux.yaml and make this the file's first line:",
    "  # yaml-language-server: $schema=./llmux.schema.json",
  ].join("\n"),
  examples: ["llmux schema > llmux.schema.json"],
  run: () => {
    process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
