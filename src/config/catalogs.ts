import { child } from "./problems";
import { describe, type ConfigReader } from "./reader";

/** The Workers var that names the catalog this deployment stands for (one wrangler environment per catalog). */
export const CATALOG_VAR = "APIC_CATALOG";

export interface ApiProperties {
  /** `x-ibm-configuration.properties.NAME.value`, on a prototype-less object. */
  base: Readonly<Record<string, unknown>>;
  /** Per catalog: the base values with `catalogs.NAME.properties` over them, merged at load. */
  byCatalog: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/**
 * Reads `x-ibm-configuration.properties` and `x-ibm-configuration.catalogs`. Every catalog's property set
 * is merged here, once per API, so a request only looks its deployment's catalog up (see `propertiesFor`).
 */
export function readApiProperties(ibm: Record<string, unknown>, reader: ConfigReader): ApiProperties {
  const base = Object.create(null) as Record<string, unknown>;
  const byCatalog = new Map<string, Record<string, unknown>>();
  const at = "x-ibm-configuration.properties";
  const obj = ibm.properties === undefined ? {} : reader.object(ibm.properties, at);
  for (const [key, entry] of Object.entries(obj ?? {})) {
    const propAt = child(at, key);
    const prop = reader.object(entry, propAt, "an object ({value: …})");
    if (!prop) continue;
    reader.keys(prop, propAt, {
      known: ["value"],
      inert: {
        description: "",
        encoded: "an encoded value is decrypted by API Connect only; give the plain value, or keep a secret in a Workers secret and read it as $(env.NAME)",
      },
    });
    base[key] = prop.value ?? "";
  }
  if (ibm.catalogs === undefined) return { base, byCatalog };
  const catalogsAt = "x-ibm-configuration.catalogs";
  const catalogs = reader.object(ibm.catalogs, catalogsAt, "an object of catalogs ({NAME: {properties: {…}}})");
  for (const [name, raw] of Object.entries(catalogs ?? {})) {
    const catAt = child(catalogsAt, name);
    const catalog = reader.object(raw, catAt, "a catalog ({properties: {…}})");
    if (!catalog) continue;
    reader.keys(catalog, catAt, { known: ["properties"] });
    const merged = Object.assign(Object.create(null) as Record<string, unknown>, base);
    const overrides = catalog.properties === undefined ? {} : reader.object(catalog.properties, child(catAt, "properties"));
    for (const [key, value] of Object.entries(overrides ?? {})) {
      if (value !== null && typeof value === "object") {
        reader.report(child(child(catAt, "properties"), key), `expected the property's value (a string, number or boolean), found ${describe(value)}`);
        continue;
      }
      merged[key] = value ?? "";
    }
    byCatalog.set(name, merged);
  }
  return { base, byCatalog };
}

/** The property values for this deployment's catalog (`APIC_CATALOG`); a catalog the API does not list uses the base values. */
export function propertiesFor(props: ApiProperties, env: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const catalog = catalogOf(env);
  return (catalog !== undefined ? props.byCatalog.get(catalog) : undefined) ?? props.base;
}

export function catalogOf(env: Readonly<Record<string, unknown>>): string | undefined {
  const value = Object.hasOwn(env, CATALOG_VAR) ? env[CATALOG_VAR] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}
