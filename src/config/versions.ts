import type { CompiledApi } from "../assembly/api";

/**
 * Compares two `info.version` strings as API Connect versions usually are (semantic versions such as `1.0.0`,
 * `2.1`): numerically part by part, a pre-release (`2.0.0-beta`) before its release; other text by code points.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA = "", preA] = splitPre(a);
  const [coreB = "", preB] = splitPre(b);
  const partsA = coreA.split(".");
  const partsB = coreB.split(".");
  for (let i = 0; i < Math.max(partsA.length, partsB.length); i++) {
    const x = partsA[i] ?? "0";
    const y = partsB[i] ?? "0";
    const d = /^\d+$/.test(x) && /^\d+$/.test(y) ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return Math.sign(d);
  }
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return preA < preB ? -1 : 1;
}

function splitPre(version: string): [string, string | undefined] {
  const cut = version.indexOf("-");
  return cut < 0 ? [version, undefined] : [version.slice(0, cut), version.slice(cut + 1)];
}

/**
 * Two files that are versions of one API (same `x-ibm-name`, different `info.version`) on one base path:
 * API Connect serves one API per base path in a catalog, so the edge serves the highest version and the
 * build warns naming the other. Returns the API to serve and the warning, or undefined when the two are
 * not versions of one API (then the shared base path is a problem).
 */
export function chooseVersion(served: CompiledApi, other: CompiledApi): { keep: CompiledApi; warning: string } | undefined {
  if (served.name !== other.name || served.version === other.version) return undefined;
  const [keep, drop] = compareVersions(other.version, served.version) > 0 ? [other, served] : [served, other];
  return {
    keep,
    warning: `${drop.file}: ${drop.name} ${drop.version} is not served: ${keep.file} is version ${keep.version} of the same API on the same base path '${keep.basePath || "/"}', and the highest version is served (remove the file you do not want, or give it its own base path)`,
  };
}
