// A zod record that keeps every key, "__proto__" and "constructor" included, in a null-prototype
// object. zod's z.record silently drops a "__proto__" key (to protect the object it builds), which would
// lose a run or tag literally named so (a run directory can be); building into Object.create(null)
// makes every key an ordinary own property instead.
import { z } from 'zod';

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** Like z.record(key, value), but every key survives and the output has no prototype. */
export function ownRecord<V extends z.ZodType>(key: z.ZodType<string>, value: V) {
  return z
    .custom<Record<string, z.input<V>>>(isPlainObject, 'expected an object (a record)')
    .transform((input, ctx) => {
      const out = Object.create(null) as Record<string, z.output<V>>;
      for (const k of Object.keys(input)) {
        const kr = key.safeParse(k);
        if (!kr.success) {
          for (const iss of kr.error.issues) ctx.addIssue({ code: 'custom', message: `bad key: ${iss.message}`, path: [k] });
          continue;
        }
        const vr = value.safeParse(input[k]);
        if (!vr.success) {
          for (const iss of vr.error.issues) ctx.addIssue({ code: 'custom', message: iss.message, path: [k, ...iss.path] });
          continue;
        }
        out[k] = vr.data;
      }
      return out;
    });
}

