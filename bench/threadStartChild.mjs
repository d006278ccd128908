// One pool-thread start, in a fresh process started like `chorus` (cli/bin.mjs): tsx registered through
// its API, so the process's execArgv is empty. `--compiled 1` uses the compiled thread entry
// (worker/compiledThreadEntry.ts), `--compiled 0` the TypeScript entry through tsx (what main did).
// Prints one marked JSON line (bench/emitResult.ts).
import { register } from 'tsx/esm/api';

register();
const { threadStartMeasurement } = await import('./threadStartMeasure.ts');
await threadStartMeasurement(process.argv.slice(2));
