/** A small seeded generator for tests (Park–Miller LCG + Box–Muller): same numbers on every run. */
export function seededRandom(seed: number): { uniform: () => number; normal: (std?: number) => number } {
  let state = seed % 2147483647 || 1;
  const uniform = (): number => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
  const normal = (std = 1): number =>
    std * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}
