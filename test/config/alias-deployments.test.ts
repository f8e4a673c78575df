/** One deployment of an alias added, replaced and removed by its name (src/config/alias-deployments.ts). */
import { describe, expect, it } from "vitest";
import {
  deploymentList,
  deploymentNameOf,
  MAX_DEPLOYMENTS,
  namedProblem,
  putDeployment,
  removeDeployment,
} from "../../src/config/alias-deployments.js";

describe("a deployment of an alias by its name", () => {
  it("names a deployment as routing does: its own name, or provider/model (the model defaulting to the alias)", () => {
    expect(deploymentNameOf("fast", { provider: "a", model: "m", name: "eu" })).toBe("eu");
    expect(deploymentNameOf("fast", { provider: "a", model: "m" })).toBe("a/m");
    expect(deploymentNameOf("fast", { provider: "a" })).toBe("a/fast");
    expect(deploymentList({ provider: "a", max_tokens: 5 })).toEqual([{ provider: "a" }]);
    expect(deploymentList({ max_tokens: 5 })).toEqual([]);
  });

  it("adds to the provider + model form by writing it as a list, every other setting kept", () => {
    const out = putDeployment("fast", { provider: "a", model: "m", max_tokens: 9 }, "eu", { provider: "b" });
    expect(out).toEqual({
      ok: true,
      added: true,
      names: ["a/m", "eu"],
      settings: {
        max_tokens: 9,
        deployments: [
          { provider: "a", model: "m" },
          { provider: "b", name: "eu" },
        ],
      },
    });
  });

  it("replaces the one of that name in its place; a default name is not written", () => {
    const settings = {
      deployments: [
        { provider: "a", model: "m" },
        { provider: "b", name: "eu" },
      ],
    };
    const out = putDeployment("fast", settings, "a/m", { provider: "a", model: "m", weight: 3 });
    expect(out).toMatchObject({
      ok: true,
      added: false,
      settings: {
        deployments: [
          { provider: "a", model: "m", weight: 3 },
          { provider: "b", name: "eu" },
        ],
      },
    });
    // The name in the body may repeat the path's, never differ from it.
    expect(putDeployment("fast", settings, "eu", { provider: "c", name: "eu" })).toMatchObject({ ok: true });
    expect(putDeployment("fast", settings, "eu", { provider: "c", name: "us" })).toMatchObject({
      ok: false,
      status: 400,
      field: "name",
    });
  });

  it("refuses a name two deployments share, the last deployment's removal, one past the most", () => {
    const twice = {
      deployments: [
        { provider: "a", model: "m" },
        { provider: "a", model: "m" },
      ],
    };
    expect(removeDeployment("fast", twice, "a/m")).toMatchObject({ ok: false, status: 409 });
    expect(removeDeployment("fast", { provider: "a" }, "a/fast")).toMatchObject({
      ok: false,
      status: 409,
      field: "models.fast.deployments",
    });
    expect(removeDeployment("fast", { provider: "a" }, "b/fast")).toMatchObject({ ok: false, status: 404 });
    const full = { deployments: Array.from({ length: MAX_DEPLOYMENTS }, (_, i) => ({ provider: "a", name: `d${i}` })) };
    expect(putDeployment("fast", full, "one-more", { provider: "a" })).toMatchObject({ ok: false, status: 400 });
    expect(putDeployment("fast", full, "d7", { provider: "b" })).toMatchObject({ ok: true, added: false });
    expect(removeDeployment("fast", full, "d0")).toMatchObject({
      ok: true,
      names: full.deployments.slice(1).map((d) => d.name),
    });
  });

  it("names a problem's deployment by its name, in the cross-checks' and the schema's paths", () => {
    const names = ["a/m", "eu"];
    expect(namedProblem("models.fast.deployments.1.provider: no provider named 'x'", "fast", names)).toBe(
      "models.fast.deployments.eu.provider: no provider named 'x'",
    );
    expect(namedProblem("models.fast.deployments[0].weight: too small", "fast", names)).toBe(
      "models.fast.deployments.a/m.weight: too small",
    );
    expect(namedProblem("models.fast.deployments.1", "fast", names)).toBe("models.fast.deployments.eu");
    expect(namedProblem("models.fast.deployments: at most", "fast", names)).toBe("models.fast.deployments: at most");
    expect(namedProblem("models.other.deployments.1.provider: x", "fast", names)).toBe(
      "models.other.deployments.1.provider: x",
    );
    expect(namedProblem("models.fast.deployments.7.provider: x", "fast", names)).toBe(
      "models.fast.deployments.7.provider: x",
    );
  });
});
