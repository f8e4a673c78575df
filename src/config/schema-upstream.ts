import { z } from "zod";
import { secret } from "./secret-fields.js";

/** The fields every provider's settings share. */
export const Headers = secret(
  z.record(z.string(), z.string()).describe("Extra headers sent with every upstream request."),
);
export const Timeout = z
  .number()
  .int()
  .positive()
  .describe("Milliseconds before an upstream request that has sent nothing is abandoned.");
