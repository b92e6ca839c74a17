// Map-like objects keyed by names that come from outside (run directories, tags, hparams).
/**
 * An empty map-like object without a prototype, for objects keyed by run, tag or hparam names: on a
 * plain {}, `out["__proto__"] = x` replaces the object's prototype instead of adding a key (the entry
 * vanishes from JSON), and lookups like `out["constructor"]` find inherited members.
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
