import { Command } from 'commander';
import { portOption, positiveIntOption } from '../options.ts';
import { backendOption, type BackendFlag } from '../flags/backendFlag.ts';
import { checkPoolFlags, poolOptions, type PoolFlags } from '../flags/poolFlags.ts';

export interface RunFlags extends PoolFlags {
  out?: string;
  slots?: number;
  backend?: BackendFlag;
  fresh?: boolean;
  json?: boolean;
  /** Serve the job's metrics while it runs; off unless given. */
  metricsPort?: number;
}

/** `chorus run job.yaml`: the embedded mode. Ctrl-C stops cleanly; the same command resumes. */
export function runCommand(): Command {
  return poolOptions(new Command('run'))
    .description('run a job in this process (a pool of worker threads or processes); rerun to resume')
    .argument('<job>', 'job file (YAML or JSON)')
    .option('-o, --out <dir>', 'output folder (default: runs/<job name>)')
    .option(
      '--slots <n>',
      'worker threads (default: the job file, else the number of cores)',
      positiveIntOption,
    )
    .addOption(backendOption('tfjs backend (default: the job file, else auto)'))
    .option('--fresh', 'delete the output folder first instead of resuming')
    .option('--json', 'print machine-readable events, one JSON object per line')
    .option(
      '--metrics-port <port>',
      'serve /metrics, /healthz, /readyz on this port while the job runs',
      portOption,
    )
    .action(runJob);
}

async function runJob(jobFile: string, flags: RunFlags): Promise<void> {
  // Check the job file before loading tfjs and the thread pool, so bad input is refused at once.
  const { loadJobFile } = await import('../../core/spec/loadJob.ts');
  const { job } = await loadJobFile(jobFile);
  checkPoolFlags(flags, flags.backend ?? job.runtime.backend);
  const [{ runEmbedded }, { renderTable }, { createReporter }] = await Promise.all([
    import('../../coordinator/runEmbedded.ts'),
    import('../../coordinator/report/renderTable.ts'),
    import('../progress/createReporter.ts'),
  ]);
  const metrics =
    flags.metricsPort === undefined
      ? undefined
      : await (await import('../metrics/embeddedRunMetrics.ts')).startEmbeddedRunMetrics(flags.metricsPort);
  const reporter = createReporter({ json: flags.json === true });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nchorus: stopping (state is saved; press Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const { report, outDir } = await runEmbedded({
      jobFile,
      ...(flags.out !== undefined ? { out: flags.out } : {}),
      ...(flags.slots !== undefined ? { slots: flags.slots } : {}),
      ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
      ...(flags.fresh ? { fresh: true } : {}),
      placement: {
        ...(flags.isolation !== undefined ? { isolation: flags.isolation } : {}),
        ...(flags.gpus !== undefined ? { gpus: flags.gpus } : {}),
        ...(flags.slotsPerGpu !== undefined ? { slotsPerGpu: flags.slotsPerGpu } : {}),
      },
      signal: controller.signal,
      onStart: ({ job, outDir: dir, data, slots }) => {
        metrics?.onStart({ job, outDir: dir, slots });
        reporter.start({
          job: job.name,
          outDir: dir,
          slots,
          counts: {
            train: data.train.count,
            validation: data.validation.count,
            test: data.test.count,
            classes: data.classes,
          },
        });
      },
      onEvent: (e) => {
        metrics?.onEvent(e);
        reporter.event(e);
      },
      ...(metrics ? { onThreadMessage: metrics.onThreadMessage } : {}),
    });
    metrics?.onReport(report);
    reporter.stop();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ type: 'report', outDir, report })}\n`);
    } else {
      process.stdout.write(`\n${renderTable(report)}\n`);
      process.stdout.write(
        `\nReport: ${outDir}/report.html (also report.md, report.json); models under ${outDir}/models\n`,
      );
    }
  } finally {
    await metrics?.close();
    reporter.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
