import { PolicyError } from "../assembly/errors";
import { parseTemplate, renderTemplate } from "../assembly/template";
import { child } from "../config/problems";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

/**
 * `throw`: raises a named error. Its `message` is the API author's own text for the client,
 * so, as on API Connect, it is the response's `moreInformation` when nothing catches it.
 */
export const compileThrow: PolicyCompiler = (config, path, reader, scope) => {
  reader.keys(config, path, { known: ["name", "message", "error-status-code", "error-status-reason"], inert: { title: "", description: "", version: "" } });
  const name = reader.string(config, "name", path, { required: true });
  if (name !== undefined && /\s/.test(name.trim())) reader.report(child(path, "name"), `expected an error name without spaces, found ${JSON.stringify(name)}`);
  const message = reader.template(config, "message", path, { fallback: "" });
  const status = reader.integer(config, "error-status-code", path, { min: 200, max: 599, fallback: 500 });
  const reason = reader.template(config, "error-status-reason", path, { fallback: "" }) ?? parseTemplate("");
  if (name !== undefined) scope.raisedNames?.add(name.trim());
  if (name === undefined || status === undefined || message === undefined) return undefined;
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
