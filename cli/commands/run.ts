import { renderTable } from '../../coordinator/report/renderTable.ts';
import { loadJobFile } from '../../core/spec/loadJob.ts';
import type { RunFlags } from '../main.ts';
import { createReporter } from '../progress/createReporter.ts';

/** `chorus run job.yaml`: the embedded mode. Ctrl-C stops cleanly; the same command resumes. */
export async function runCommand(jobFile: string, flags: RunFlags): Promise<void> {
  // Check the job file before loading tfjs and the thread pool, so bad input is refused at once.
  await loadJobFile(jobFile);
  const { runEmbedded } = await import('../../coordinator/runEmbedded.ts');
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
