/**
 * `npm run results`: runs every experiment of examples/results/ (one `chorus run` after another, each
 * in its own process with the machine's cores as slots), then writes docs/RESULTS.md from their
 * reports, with results/intro.md and results/discussion.md around the tables, and copies each report
 * to docs/results/<name>/.
 *
 *   npm run results                          every job (see docs/RESULTS.md for how long)
 *   npm run results -- mnist-mlp5 mnist-cnn5 some of them (the others' reports in docs/results/ are reused)
 *   npm run results -- --render              no runs: only rewrite docs/RESULTS.md from docs/results/
 *
 * A job that already finished in runs/<name>/ is not redone (`chorus run` resumes); delete that
 * folder, or run the job by hand with --fresh, to measure again.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { resultsMain } from './resultsMain.ts';

const EXAMPLES = 'examples/results';
/**
 * In the order of docs/RESULTS.md's tables: MNIST then Fashion-MNIST, MLPs then CNNs, 5 then 10; then the
 * training-recipe experiment (10 members at LeNet-5 size, students online and offline) over three seeds.
 */
const EXPERIMENTS = [
  ...['mnist', 'fashion'].flatMap((data) =>
    ['mlp5', 'mlp10', 'cnn5', 'cnn10'].map((kind) => `${data}-${kind}`),
  ),
  ...[1, 2, 3].map((seed) => `fashion-recipe-s${seed}`),
];

function run(jobFile: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['cli/bin.mjs', 'run', jobFile], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(args: readonly string[]): Promise<number> {
  const renderOnly = args.includes('--render');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !EXPERIMENTS.includes(n));
  if (unknown.length > 0) {
    console.error(`error: unknown experiment ${unknown.join(', ')} (expected ${EXPERIMENTS.join(', ')})`);
    return 2;
  }
  const chosen = names.length > 0 ? names : EXPERIMENTS;
  if (!renderOnly) {
    for (const name of chosen) {
      const jobFile = join(EXAMPLES, `${name}.yaml`);
      console.log(`\n=== ${jobFile}`);
      const code = await run(jobFile);
      if (code !== 0) {
        console.error(`error: ${jobFile} failed (exit ${code}); docs/RESULTS.md not written`);
        return code;
      }
    }
  }
  // The reports behind docs/RESULTS.md, kept in the repository (runs/ is not): the ones just run are
  // copied there, and the page is rendered from there, so earlier experiments' reports are reused.
  for (const name of renderOnly ? [] : chosen) {
    const dir = join('docs', 'results', name);
    await mkdir(dir, { recursive: true });
    // The html page repeats report.json with its charts' boilerplate: run the job to get it.
    for (const file of ['report.md', 'report.json']) {
      await copyFile(join('runs', name, file), join(dir, file));
    }
  }
  return resultsMain([
    '--runs',
    join('docs', 'results'),
    '--intro',
    'results/intro.md',
    '--discussion',
    'results/discussion.md',
    // Experiments not run yet (each seed of the recipe experiment takes hours) are named as such.
    '--allow-not-run',
    ...EXPERIMENTS.map((name) => join(EXAMPLES, `${name}.yaml`)),
  ]);
}

process.exitCode = await main(process.argv.slice(2));
