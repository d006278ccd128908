import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ChorusError } from '../core/errors.ts';
import { loadExperiments } from './loadExperiments.ts';
import { renderResults, type ResultsExperiment } from './renderResults.ts';

const USAGE =
  'usage: node --import tsx results/resultsMain.ts [--out docs/RESULTS.md] [--runs runs] ' +
  '[--intro file.md] [--discussion file.md] [--allow-not-run] job.yaml…';

/** `node --import tsx results/resultsMain.ts …`: renders docs/RESULTS.md from run reports; returns the exit code (2 for bad arguments or a missing file). */
export async function resultsMain(args: readonly string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        out: { type: 'string', default: 'docs/RESULTS.md' },
        runs: { type: 'string', default: 'runs' },
        intro: { type: 'string' },
        discussion: { type: 'string' },
        // A job without a report yet is named on the page as not run, instead of stopping the render.
        'allow-not-run': { type: 'boolean', default: false },
      },
    });
    if (positionals.length === 0) throw new ChorusError(`no job files given\n${USAGE}`);
    const { experiments, notRun } = await loadExperiments(positionals, values.runs, values['allow-not-run']);
    if (experiments.length === 0) throw new ChorusError('no experiment has a report yet: nothing to render');
    const markdown = renderResults(experiments, {
      notRun,
      machine: machine(),
      date: newestDate(experiments),
      intro: values.intro === undefined ? undefined : await readText(values.intro),
      discussion: values.discussion === undefined ? undefined : await readText(values.discussion),
    });
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, markdown);
    console.log(
      `wrote ${values.out} (${experiments.length} experiment${experiments.length === 1 ? '' : 's'})`,
    );
    return 0;
  } catch (err) {
    // Bad input gets one clear line; anything else is a bug and keeps its stack.
    if (!(err instanceof ChorusError || isArgumentError(err))) throw err;
    console.error(`error: ${err.message}${isArgumentError(err) ? `\n${USAGE}` : ''}`);
    return 2;
  }
}

/** node:util parseArgs rejects unknown options and missing values with ERR_PARSE_ARGS_* codes. */
function isArgumentError(err: unknown): err is Error {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return err instanceof Error && typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** CPU model, cores, memory and Node version: what the timings depend on. */
function machine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() || 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `${model}, ${cores.length} cores, ${gib} GiB RAM, Node ${process.version}`;
}

/** The day of the newest run (YYYY-MM-DD). */
function newestDate(experiments: readonly ResultsExperiment[]): string {
  const newest = Math.max(...experiments.map((e) => Date.parse(e.report.createdAt)).filter(Number.isFinite));
  return Number.isFinite(newest) ? new Date(newest).toISOString().slice(0, 10) : 'unknown date';
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new ChorusError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

// Run as a script (npm run results calls resultsMain itself).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await resultsMain(process.argv.slice(2));
}
