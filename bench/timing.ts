// Timing helpers shared by the benchmark's runners (bench/run.ts, bench/cnn-bench.ts).

export const now = () => performance.now();

/** Mean seconds per call of f over about `seconds` of calls (after a warm-up of `warm` calls). */
export function latency(f: () => void, seconds = 0.3, warm = 200): number {
  for (let i = 0; i < warm; i++) f();
  let calls = 0;
  const t0 = now();
  while (now() - t0 < seconds * 1000) {
    for (let i = 0; i < 50; i++) f();
    calls += 50;
  }
  return (now() - t0) / 1000 / calls;
}
