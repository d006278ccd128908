import { Command } from 'commander';
import { coordinatorOptions, type CoordinatorFlags } from '../flags/coordinatorFlags.ts';

export interface FetchFlags extends CoordinatorFlags {
  out?: string;
}

/**
 * `chorus fetch JOB`: downloads a done job's report.json, report.md, report.html and every model into
 * a folder laid out as `chorus run`'s; a rerun downloads only what is missing or different.
 */
export function fetchCommand(): Command {
  return coordinatorOptions(
    new Command('fetch')
      .description("download a done job's report and models (rerun to resume)")
      .argument('<job-id>'),
  )
    .option('-o, --out <dir>', 'folder to download into (default: runs/<job id>)')
    .action(fetchJob);
}

const MB = 1e6;
const size = (bytes: number) => (bytes >= 0.1 * MB ? `${(bytes / MB).toFixed(1)} MB` : `${bytes} B`);

async function fetchJob(jobId: string, flags: FetchFlags): Promise<void> {
  const { join } = await import('node:path');
  const { withCoordinator } = await import('../flags/coordinatorConnection.ts');
  const { fetchArtifacts } = await import('../../cluster/client/fetchArtifacts.ts');
  const outDir = flags.out ?? join('runs', jobId);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const plan = await withCoordinator(flags, (client) =>
    fetchArtifacts(client, jobId, outDir, {
      onPlan: ({ files, kept, wanted }) => {
        const total = wanted.reduce((n, f) => n + f.size, 0);
        say(
          `job ${jobId}: ${files.length} files; ${kept.length} already in ${outDir}, ` +
            `${wanted.length} to download (${size(total)})`,
        );
      },
      onFile: (file, p) =>
        say(`  ${file.path} (${size(file.size)})  ${size(p.bytesDone)} of ${size(p.bytesTotal)}`),
    }),
  );
  say(`fetched ${plan.wanted.length} file(s) into ${outDir}`);
  process.stdout.write(`${outDir}\n`);
}
