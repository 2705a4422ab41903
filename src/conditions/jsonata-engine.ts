/// <reference path="./jsonata-min.d.ts" />
/**
 * The `jsonata` package's minified build: the same interpreter as its main file (no `eval`, no
 * `new Function`), at less than half the bundle size (wrangler does not minify the worker).
 */
import jsonata from "jsonata/jsonata.min.js";

export default jsonata;
