// Options of every entry point: one DEFAULTS object per factory, spread under what the caller gave (and a bad value
// refused with ERR_BAD_OPTIONS, index.ts). A field given as undefined takes its default, as if it were left out, so
// a caller may write `port: env.PORT ? Number(env.PORT) : undefined`.

/** What `withDefaults` returns: every field of `defaults` present (the caller's value when given), the rest as given. */
export type WithDefaults<D, G> = Omit<G, keyof D> & { [K in keyof D]: D[K] | Exclude<G[K & keyof G], undefined> };

/** `defaults` with every field of `given` that is not undefined spread over it. One level: a nested group of options
 *  (`limits`, `retry`) is merged by the caller with its own defaults. */
export function withDefaults<D extends object, G extends object>(defaults: D, given: G): WithDefaults<D, G> {
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  return { ...defaults, ...defined } as WithDefaults<D, G>;
}
