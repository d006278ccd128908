import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTestSamples } from './samples.ts';
import { startStaticServer } from './staticServer.ts';

/**
 * Serves the browser example for a finished run:
 *
 *   npm run browser -- runs/mnist-demo            # then open the printed address
 *   npm run browser -- runs/mnist-demo --port 8080
 *
 * The page, the browser build of @tensorflow/tfjs from node_modules, the run's folder (its distilled
 * student and exported ensemble) and 100 of its test samples, on 127.0.0.1 only.
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '..', '..');

async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  const portAt = args.indexOf('--port');
  const port = portAt >= 0 ? Number(args.splice(portAt, 2)[1]) : 8080;
  const runDir = resolve(args[0] ?? join('runs', 'mnist-demo'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected a port number`);
  try {
    await access(join(runDir, 'report.json'));
  } catch {
    throw new Error(`${runDir} holds no finished run (no report.json): run a job first, e.g. npm run demo`);
  }
  const samples = await runTestSamples(runDir, 100, process.cwd());
  const server = await startStaticServer({
    port,
    folders: {
      '/': HERE,
      '/tfjs/': join(ROOT, 'node_modules', '@tensorflow', 'tfjs', 'dist'),
      '/run/': runDir,
    },
    files: { '/samples.json': { body: JSON.stringify(samples), type: 'application/json' } },
  });
  console.log(`Serving ${runDir} at ${server.url}/  (Ctrl-C to stop)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`serve: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
