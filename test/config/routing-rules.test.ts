/**
 * `routing.rules` and `budget.downgrade` in the configuration: what is wrong is named by its field, every
 * problem in one pass.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { problemsOf } from "./helpers.js";

const base = {
  providers: { claude: { type: "anthropic", api_key: "k" } },
  models: { "claude-*": { provider: "claude" }, cheap: { provider: "claude", model: "claude-haiku-4-5" } },
};

describe("routing.rules in the configuration", () => {
  it("accepts rules naming configured aliases, every condition spelt as documented", () => {
    const c = parseConfig(
      {
        ...base,
        routing: {
          rules: [
            {
              name: "everything",
              match: {
                input_tokens: "> 120k",
                reasoning: true,
                effort: ["high", "max"],
                images: false,
                documents: false,
                tools: true,
                tool: "web_search*",
                client: ["claude-code", "codex"],
                agent: "sub",
                model: "claude-*",
                key: "ci-*",
                team: "team_a",
                tag: "job=batch",
                time: "22:00-06:00",
                budget: "> 80%",
              },
              route: "cheap",
            },
            { name: "rest", route: "cheap" },
          ],
        },
      },
      {},
    );
    expect(c.routing.rules.map((r) => r.name)).toEqual(["everything", "rest"]);
    expect(c.routing.rules[1]!.match).toEqual({});
  });

  it("names each problem by its field: an unknown alias, a pattern, a name twice, a bad condition", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          ...base,
          routing: {
            rules: [
              { name: "a", match: { model: "gpt-*" }, route: "CHEAP" },
              { name: "a", route: "claude-*" },
              { name: "c", match: { input_tokens: "lots", time: "9-5", agent: "child" }, route: "cheap" },
            ],
          },
        },
        {},
      ),
    );
    const text = problems.join("\n");
    expect(text).toContain('routing.rules[2].match.input_tokens: "lots": write `> 120000`, `< 2k` or `> 1m`');
    expect(text).toContain('routing.rules[2].match.time: "9-5": write HH:MM-HH:MM, e.g. 22:00-06:00');
    expect(text).toContain('routing.rules[2].match.agent: "child" is not one of main, sub');
    // The cross-checks run once the shapes are right.
    const refs = problemsOf(() =>
      parseConfig(
        {
          ...base,
          routing: {
            rules: [
              { name: "a", match: { model: "gpt-*" }, route: "CHEAP" },
              { name: "a", route: "claude-*" },
            ],
          },
        },
        {},
      ),
    );
    expect(refs).toContain("routing.rules.0.route: no model alias named 'CHEAP' (did you mean 'cheap'?)");
    expect(refs).toContain("routing.rules.1.name: another rule is named 'a'");
    expect(refs).toContain("routing.rules.1.route: 'claude-*' is a pattern; name an alias");
  });

  it("a soft budget's alias must be configured", () => {
    const problems = problemsOf(() =>
      parseConfig(
        {
          ...base,
          billing: { users: { alice: { budget: { usd: 5, period: "day", downgrade: { at: 0.8, to: "nowhere" } } } } },
          tags: { "project=x": { budget: { usd: 5, period: "day", downgrade: { at: 1.5, to: "cheap" } } } },
        },
        {},
      ),
    );
    expect(problems.join("\n")).toMatch(
      /tags\.project=x\.budget\.downgrade\.at|tags\["project=x"\]\.budget\.downgrade\.at/,
    );
    const refs = problemsOf(() =>
      parseConfig(
        {
          ...base,
          billing: { users: { alice: { budget: { usd: 5, period: "day", downgrade: { at: 0.8, to: "nowhere" } } } } },
        },
        {},
      ),
    );
    expect(refs).toEqual(["billing.users.alice.budget.downgrade.to: no model alias named 'nowhere'"]);
  });
});
