/**
 * CPU time (user + system, all of this process's threads) spent in `f`. On a shared machine wall time
 * stretches with other processes' load while CPU time mostly does not, so samples per CPU-second is the
 * steadier measure of what a single-threaded engine yields per core.
 */
export async function withCpuSeconds<T>(
  f: () => Promise<T> | T,
): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
