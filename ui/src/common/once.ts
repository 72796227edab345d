/** `f`, called at most once: later calls return the first call's result. */
export function once<T>(f: () => T): () => T {
  let result: { value: T } | undefined;
  return () => (result ??= { value: f() }).value;
}
