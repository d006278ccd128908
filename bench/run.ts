/**
 * `npm run bench`: runs the benchmark suite, one child process at a time, writes bench/results.json
 * and regenerates BENCHMARKS.md from it.
 *
 *   npm run bench                       the full suite (~10 minutes on 2 cores)
 *   npm run bench -- --only training    one benchmark (comma-separated names); other sections are kept
 *   npm run bench -- --quick            a short smoke run, written to a temporary folder
 *   --results <file> --markdown <file>  write elsewhere
 *
 * Profiling: CHORUS_BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the coordinator the load and
 * distributed sections start; CHORUS_BENCH_CHILD_CPU_PROF=<dir> one of every bench child process.
 */
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregation } from './aggregation.ts';
import { augmentThroughput } from './augmentThroughput.ts';
import type { Benchmark, BenchResults, Section, SectionBody } from './benchResults.ts';
import { parseArgs } from './emitResult.ts';
import { e2e } from './e2e.ts';
import { executorOverhead } from './executorOverhead.ts';
import { isolation } from './isolation.ts';
import { loadBenchmark } from './load.ts';
import { distributedVsEmbedded } from './distributedVsEmbedded.ts';
import { logitStreamingSection } from './logitStreamingSection.ts';
import { machineInfo, versions } from './machineInfo.ts';
import { profileStep } from './profileStep.ts';
import { replicationCost } from './replicationCost.ts';
import { renderBenchmarks } from './renderBenchmarks.ts';
import { slotScaling } from './slotScaling.ts';
import { threadStart } from './threadStart.ts';
import { trainingThroughput } from './trainingThroughput.ts';

/** In run order, which is also the order of BENCHMARKS.md. */
export const BENCHMARKS: Readonly<Record<string, Benchmark>> = {
  training: trainingThroughput,
  augment: augmentThroughput,
  aggregation,
  executor: executorOverhead,
  'thread-start': threadStart,
  slots: slotScaling,
  isolation,
  streaming: logitStreamingSection,
  profile: profileStep,
  load: loadBenchmark,
  distributed: distributedVsEmbedded,
  replication: replicationCost,
  e2e,
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const quick = args.has('quick');
  const only = args
    .get('only')
    ?.split(',')
    .map((s) => s.trim());
  for (const name of only ?? []) {
    if (!(name in BENCHMARKS)) {
      throw new Error(`--only ${name}: unknown benchmark (expected ${Object.keys(BENCHMARKS).join(', ')})`);
    }
  }
  const outDir = quick ? await mkdtemp(path.join(tmpdir(), 'chorus-bench-quick-')) : undefined;
  const resultsFile = path.resolve(
    args.get('results') ?? path.join(outDir ?? path.join(ROOT, 'bench'), 'results.json'),
  );
  const markdownFile = path.resolve(args.get('markdown') ?? path.join(outDir ?? ROOT, 'BENCHMARKS.md'));

  // --only keeps the other sections of an earlier run, so one benchmark can be refreshed alone.
  const previous = only ? await readResults(resultsFile) : undefined;
  const results: BenchResults = {
    date: new Date().toISOString(),
    quick,
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(
      ' ',
    ),
    machine: machineInfo(),
    versions: await versions(),
    sections: { ...(previous?.sections ?? {}) },
  };
  console.log(
    `chorus bench${quick ? ' (quick)' : ''}: load average ${results.machine.loadAverageStart.map((l) => l.toFixed(2)).join(' ')}`,
  );
  for (const [name, bench] of Object.entries(BENCHMARKS)) {
    if (only && !only.includes(name)) continue;
    console.log(`${name}:`);
    const t0 = performance.now();
    const meta = { name, date: new Date().toISOString(), loadAverageStart: loadavg() };
    let body: SectionBody;
    try {
      body = await bench({ quick });
    } catch (err) {
      body = { title: name, figures: [], details: {}, skipped: `failed: ${String(err)}` };
    }
    const section: Section = {
      ...meta,
      loadAverageEnd: loadavg(),
      seconds: (performance.now() - t0) / 1000,
      ...body,
    };
    results.sections[name] = section;
    for (const f of section.figures) {
      const ratio = f.ratio === null ? '' : `  (${f.ratio.toFixed(3)}× ${f.baseline?.label ?? ''})`;
      console.log(
        `  ${f.id}: ${f.value === null ? (f.note ?? 'n/a') : `${f.value.toPrecision(4)} ${f.unit}`}${ratio}`,
      );
    }
    if (section.skipped) console.log(`  skipped: ${section.skipped}`);
    console.log(`  (${section.seconds.toFixed(0)} s)`);
    // Written after every benchmark, so an interrupted run keeps what it measured.
    results.machine.loadAverageEnd = loadavg();
    await writeAtomically(resultsFile, `${JSON.stringify(ordered(results), null, 1)}\n`);
  }
  await writeAtomically(markdownFile, renderBenchmarks(ordered(results)));
  console.log(`wrote ${resultsFile} and ${markdownFile}`);
}

/** Write then rename: a run killed while writing leaves the previous file, not a truncated one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

/** Sections in suite order, whatever order they were measured in. */
function ordered(results: BenchResults): BenchResults {
  const sections: Record<string, Section> = {};
  for (const name of Object.keys(BENCHMARKS)) {
    const s = results.sections[name];
    if (s) sections[name] = s;
  }
  return { ...results, sections };
}

async function readResults(file: string): Promise<BenchResults | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as BenchResults;
  } catch {
    return undefined;
  }
}

await main();
