// The pool's child processes start here (worker/processPool/processPool.ts). With a compiled entry
// (worker/compiledThreadEntry.ts, passed as the first argument) the child requires it as is;
// otherwise the TypeScript runs through tsx, registered here.
const compiled = process.argv[2];
if (compiled) {
  const { createRequire } = await import('node:module');
  createRequire(import.meta.url)(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./poolChild.ts');
}
