import type { Context } from "../assembly/context";
import { runtimeError } from "../assembly/errors";
import { isSingleReference, renderTemplate, type Template } from "../assembly/template";
import { child } from "../config/problems";
import { readOnlyProblem } from "../assembly/writable";
import type { PolicyCompiler } from "./policy";
import { titleOf } from "./policy";

type ValueType = "any" | "string" | "number" | "boolean";
const TYPES: readonly ValueType[] = ["any", "string", "number", "boolean"];

interface Action {
  mode: "set" | "add" | "clear";
  name: string;
  type: ValueType;
  /** A string value is a template; other YAML values (numbers, objects) are taken as they are. */
  value: { template: Template } | { literal: unknown } | undefined;
}

function valueOf(action: Action, ctx: Context): unknown {
  const v = action.value;
  if (v === undefined) return "";
  if ("literal" in v) return coerce(v.literal, action);
  // `value: $(some.var)` keeps the variable's own value (an object stays an object) when the type is `any`.
  const raw = action.type === "any" && isSingleReference(v.template) ? ctx.get(v.template.names[0] as string) : renderTemplate(v.template, ctx);
  return coerce(raw, action);
}

function coerce(value: unknown, action: Action): unknown {
  switch (action.type) {
    case "any":
      return value;
    case "string":
      return typeof value === "string" ? value : typeof value === "object" && value !== null ? JSON.stringify(value) : String(value ?? "");
    case "number": {
      const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
      if (!Number.isFinite(n)) throw runtimeError(`set-variable: value for '${action.name}' is not a number`);
      return n;
    }
    case "boolean":
      if (value === true || value === "true") return true;
      if (value === false || value === "false") return false;
      throw runtimeError(`set-variable: value for '${action.name}' is not true or false`);
  }
}

/** `set-variable`: `actions: [{set|add|clear: NAME, value, type}]`, applied in order. */
export const compileSetVariable: PolicyCompiler = (config, path, reader) => {
  const before = reader.problems.length;
  // A misspelt key explains what follows (e.g. `actoins` → no actions): report it alone.
  if (!reader.keys(config, path, { known: ["actions"], inert: { title: "", description: "", version: "" } })) return undefined;
  const list = reader.array(config.actions, child(path, "actions"), "a list of actions");
  if (!list) return undefined;
  const actions: Action[] = [];
  list.forEach((raw, i) => {
    const at = child(child(path, "actions"), i);
    const obj = reader.object(raw, at, "an action ({set|add|clear: NAME, value: …})");
    if (!obj) return;
    if (!reader.keys(obj, at, { known: ["set", "add", "clear", "value", "type"] })) return;
    const modes = (["set", "add", "clear"] as const).filter((m) => obj[m] !== undefined);
    if (modes.length !== 1) {
      reader.report(at, modes.length === 0 ? "expected one of set, add or clear" : `expected only one of set, add or clear, found ${modes.join(" and ")}`);
      return;
    }
    const mode = modes[0] as Action["mode"];
    const name = reader.string(obj, mode, at, { required: true });
    const type = reader.oneOf(obj, "type", at, TYPES) ?? "any";
    if (name === undefined) return;
    const readOnly = readOnlyProblem(name, mode);
    if (readOnly) {
      reader.report(child(at, mode), readOnly);
      return;
    }
    let value: Action["value"];
    if (mode !== "clear") {
      if (obj.value === undefined) {
        reader.report(child(at, "value"), `is required with ${mode}`);
        return;
      }
      if (typeof obj.value === "string") {
        const template = reader.parseTemplate(obj.value, child(at, "value"));
        if (!template) return;
        value = { template };
      } else value = { literal: obj.value };
    }
    actions.push({ mode, name, type, value });
  });
  if (reader.problems.length > before) return undefined;
  return {
    kind: "set-variable",
    title: titleOf(config, "set-variable"),
    run(ctx) {
      for (const action of actions) {
        if (action.mode === "clear") ctx.clear(action.name);
        else ctx.set(action.name, valueOf(action, ctx), action.mode);
      }
    },
  };
};
