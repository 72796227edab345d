// What the browser and HTTP benchmarks share: percentiles, and one API call timed over runs.
import { api } from "../tests/e2e/harness.mjs";

/** The `p` quantile (0..1) of `xs`, nearest rank. */
export const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
};

/** `req` posted `runs` times after one warm-up (as a second look would be): each run's ms. */
export async function timedApi(url, req, runs) {
  await api(url, req);
  const times = [];
  let result;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = (await api(url, req)).result;
    times.push(performance.now() - t0);
  }
  return { times, result };
}
