import { bodyText } from "../assembly/body";
import { PolicyError } from "../assembly/errors";
import { child } from "../config/problems";
import { describe } from "../config/reader";
import { LABELS } from "./containers/branches";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

/** DataPower's default parse settings (apic-default-parsesettings) allow documents up to 4 MiB. */
const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;

/**
 * `parse` (IBM: rapim_cli_policies_parse): parses the message's JSON body into data, so later policies
 * read members (`message.body.order.id`). JSON only: an XML document (by Content-Type with
 * `use-content-type`, by `document_type` in literal settings, or by its first character) is a clear error,
 * at build time when the definition says so, else at run time. See docs/policies-edge.md.
 */
export const compileParse: PolicyCompiler = (config, path, reader) => {
  reader.keys(config, path, {
    known: ["use-content-type", "parse-settings-reference", "input", "output", "warn-on-empty-input"],
    inert: LABELS,
  });
  const useContentType = reader.boolean(config, "use-content-type", path, false);
  const warnOnEmpty = reader.boolean(config, "warn-on-empty-input", path, false);
  const input = reader.string(config, "input", path) ?? "message";
  const output = reader.string(config, "output", path) ?? input;
  if (input !== "message" && input !== "request") reader.report(child(path, "input"), `expected message or request (the message the body is read from), found ${describe(input)}`);
  readSettings(config["parse-settings-reference"], child(path, "parse-settings-reference"), reader);

  return {
    kind: "parse",
    title: titleOf(config, "parse"),
    async run(ctx) {
      const message = ctx.message;
      const fromRequest = message.isRequest;
      // Parsing the client's request: bad input is the client's (400); the origin's response: ours (500).
      const fail = (detail: string) =>
        new PolicyError("RuntimeError", `parse: ${detail}`, fromRequest ? { status: 400, reason: "Bad Request", publicMessage: "The message body is not valid JSON" } : {});
      const type = message.headers.get("content-type") ?? "";
      if (useContentType && /\bxml\b/i.test(type)) throw fail(`Content-Type ${type.split(";")[0]} is XML, and parse reads JSON only at the edge`);
      const text = await bodyText(message, MAX_DOCUMENT_BYTES, fail);
      if (text.trim() === "") {
        if (warnOnEmpty) return;
        throw fail("the body is empty");
      }
      if (text.trimStart().startsWith("<")) throw fail("the body is XML, and parse reads JSON only at the edge");
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch (e) {
        throw fail(`the body is not valid JSON (${e instanceof Error ? e.name : "error"})`);
      }
      if (output === "message" || output === input) message.data = { of: text, value: data };
      else ctx.set(output, { body: data });
    },
  };
};

/**
 * `parse-settings-reference`: `default` names a DataPower ParseSettings object, `literal` gives settings as
 * JSON or XML text, `url` points at them. Only the document type matters here: XML fails the build.
 */
function readSettings(value: unknown, path: string, reader: Parameters<PolicyCompiler>[2]): void {
  if (value === undefined || value === null) return;
  const settings = reader.object(value, path, "parse settings ({default: NAME} or {literal: TEXT})");
  if (!settings) return;
  reader.keys(settings, path, {
    known: ["literal"],
    inert: {
      default: "DataPower's ParseSettings objects do not exist at the edge; JSON documents up to 4 MiB are parsed",
      url: "parse settings are not fetched at the edge; JSON documents up to 4 MiB are parsed",
    },
  });
  const literal = settings.literal;
  if (literal === undefined) return;
  if (typeof literal !== "string") {
    reader.report(child(path, "literal"), `expected serialized parse settings (text), found ${describe(literal)}`);
    return;
  }
  const docType = /document[_-]?type["'>\s:]*([a-z]+)/i.exec(literal)?.[1]?.toLowerCase();
  if (docType === "xml") reader.report(child(path, "literal"), "document type xml: parse reads JSON only at the edge (XML is not parsed; see docs/policies-edge.md)");
  else if (docType !== undefined && docType !== "json" && docType !== "detect") {
    reader.report(child(path, "literal"), `document type ${docType}: parse reads JSON only at the edge`);
  }
}
