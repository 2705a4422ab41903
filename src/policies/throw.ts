import { PolicyError } from "../assembly/errors";
import { parseTemplate, renderTemplate } from "../assembly/template";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

/**
 * `throw`: raises a named error. Its `message` is the API author's own text for the client,
 * so, as on API Connect, it is the response's `moreInformation` when nothing catches it.
 */
export const compileThrow: PolicyCompiler = (config, path, reader) => {
  const name = reader.string(config, "name", path, { required: true });
  const message = parseTemplate(reader.string(config, "message", path) ?? "");
  const status = reader.integer(config, "error-status-code", path, { min: 200, max: 599, fallback: 500 });
  const reason = parseTemplate(reader.string(config, "error-status-reason", path) ?? "");
  if (name === undefined || status === undefined) return undefined;
  return {
    kind: "throw",
    title: titleOf(config, "throw"),
    run(ctx) {
      const text = renderTemplate(message, ctx);
      const phrase = renderTemplate(reason, ctx).replace(/[\r\n\0]/g, " ") || (status === 500 ? "Internal Server Error" : name);
      throw new PolicyError(name, text || name, { status, reason: phrase, publicMessage: text || phrase });
    },
  };
};
