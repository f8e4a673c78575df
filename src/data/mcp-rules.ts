/** A key's or a team's MCP allow-lists: globs of servers, and of tools by namespaced name (`github__*`). */
export interface McpRules {
  servers?: string[] | undefined;
  tools?: string[] | undefined;
}

/** The column's JSON, or null for none (every MCP server and tool). */
export function mcpColumn(rules: McpRules | null | undefined): string | null {
  return rules && (rules.servers || rules.tools) ? JSON.stringify(rules) : null;
}

/** The rules as an answer's field: `{mcp}`, or nothing when none are set (every MCP server and tool). */
export function mcpField(column: string | null | undefined): { mcp?: McpRules } {
  const rules = mcpRulesOf(column);
  return rules ? { mcp: rules } : {};
}

export function mcpRulesOf(column: string | null | undefined): McpRules | null {
  return column ? (JSON.parse(column) as McpRules) : null;
}
