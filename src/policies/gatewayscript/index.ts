import { codeId } from "../../config/code";
import { child } from "../../config/problems";
import type { PolicyCompiler } from "../policy";
import { titleOf } from "../policy";
import { BufferShim } from "./buffer";
import { scriptConsole } from "./console";
import { v10Context } from "./context-api";
import { ScriptRun, timeLimitMs } from "./run";
import { querystringModule, urlModule } from "./url-modules";
import { urlopenModule } from "./urlopen";
import { apimModule, headerMetadataModule, sessionObject } from "./v5";

/** Module names a script may `require` (the build refuses any other, at its line): each maps to one shim. */
const MODULES = {
  apim: "apim",
  // The v5-compatible gateway loads the same module from IBM's own file.
  "./apim.custom.js": "apim",
  "local:///isp/policy/apim.custom.js": "apim",
  urlopen: "urlopen",
  url: "url",
  querystring: "querystring",
  "header-metadata": "header-metadata",
} as const;
type ModuleName = (typeof MODULES)[keyof typeof MODULES];

/**
 * The script's free names, given as parameters so each request gets its own. Besides the shims, the
 * names a script could use to leave its sandbox are shadowed: `fetch`, `caches` and `WebSocket` are
 * undefined (a script calls out through `urlopen`), and `globalThis`/`self`/`global` are a fresh object
 * per run, so nothing a script stores there outlives its request.
 */
const PARAMS = [
  "context",
  "session",
  "apim",
  "require",
  "console",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "setImmediate",
  "Buffer",
  "fetch",
  "caches",
  "WebSocket",
  "globalThis",
  "self",
  "global",
] as const;

const HEADER = `(function (${PARAMS.join(", ")}) {\n`;

/**
 * `gatewayscript`: the definition's JavaScript, compiled into the bundle at build time (Workers refuse
 * `eval`), run with DataPower's APIs for both gateway generations. See docs/gatewayscript.md.
 */
export const compileGatewayScript: PolicyCompiler = (config, path, reader, scope) => {
  reader.keys(config, path, { known: ["source", "version", "title", "description"] });
  const source = reader.string(config, "source", path, { required: true });
  if (source === undefined || source.trim() === "") return undefined;
  const title = titleOf(config, "gatewayscript");
  const fn = scope.code.compile(codeId(scope.file, path), `${HEADER}${source}\n})`, child(path, "source"), reader, 2, {
    modules: Object.keys(MODULES),
    declareAssigned: true,
  }) as ((...shims: unknown[]) => unknown) | undefined;
  if (!fn) return undefined;
  const api = scope.name;

  return {
    kind: "gatewayscript",
    title,
    run(ctx) {
      const run = new ScriptRun(ctx, title, timeLimitMs(ctx.env));
      const loaded = new Map<ModuleName, unknown>();
      const load = (name: ModuleName): unknown => {
        switch (name) {
          case "apim":
            return apimModule(run);
          case "urlopen":
            return urlopenModule(run);
          case "url":
            return urlModule;
          case "querystring":
            return querystringModule;
          case "header-metadata":
            return headerMetadataModule(run);
        }
      };
      const require = (spec: unknown): unknown => {
        const name = typeof spec === "string" && Object.hasOwn(MODULES, spec) ? MODULES[spec as keyof typeof MODULES] : undefined;
        // The build already refused other names; this is for a script that redefines what it passes.
        if (name === undefined) throw new Error(`module '${String(spec)}' is not available`);
        if (!loaded.has(name)) loaded.set(name, load(name));
        return loaded.get(name);
      };
      const setTimer = (repeat: boolean) => (cb: unknown, ms?: unknown, ...args: unknown[]) => run.setTimer(cb, ms, repeat, args);
      const clear = (id: unknown) => run.clearTimer(id);
      const shims: Record<(typeof PARAMS)[number], unknown> = {
        context: v10Context(run),
        session: sessionObject(run),
        apim: require("apim"),
        require,
        console: scriptConsole(api, title),
        setTimeout: setTimer(false),
        clearTimeout: clear,
        setInterval: setTimer(true),
        clearInterval: clear,
        setImmediate: (cb: unknown, ...args: unknown[]) => run.setTimer(cb, 0, false, args),
        Buffer: BufferShim,
        fetch: undefined,
        caches: undefined,
        WebSocket: undefined,
        globalThis: {},
        self: undefined,
        global: undefined,
      };
      shims.self = shims.global = shims.globalThis;
      return run.start(fn, PARAMS.map((p) => shims[p]));
    },
  };
};
