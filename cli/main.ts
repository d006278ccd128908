import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backendChoice } from '../core/backend/backendChoice.ts';
import { ChorusError, JobInterruptedError, NonRetryableError } from '../core/errors.ts';
import { TOKEN_NAME, TOKEN_NAME_RULE, TOKEN_ROLES } from '../cluster/grpc/authTokens.ts';
import { redactNatsUrl } from '../cluster/nats/natsConnectOptions.ts';
import { ENV } from './env.ts';
import type { ClientSecurityFlags } from './commands/clientSecurity.ts';
import type { CoordinatorFlags } from './commands/coordinator.ts';
import type { SubmitFlags } from './commands/submit.ts';
import type { TokenCreateFlags } from './commands/token.ts';
import type { WorkerFlags } from './commands/worker.ts';
import {
  DEFAULTS,
  envOrUndefined,
  fromEnv,
  hostPortOption,
  nonNegativeIntOption,
  portOption,
  positiveIntOption,
  serversOf,
} from './options.ts';

/** Exit codes: 0 ok, 1 the job failed, 2 bad input (job file, flags), 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

export type BackendFlag = (typeof backendChoice.options)[number];

export interface RunFlags {
  out?: string;
  slots?: number;
  backend?: BackendFlag;
  fresh?: boolean;
  json?: boolean;
  /** Serve the job's metrics while it runs; off unless given. */
  metricsPort?: number;
}

/** An integer from the environment (a bad value is reported as a bad flag would be). */
function envInt(name: 'slots' | 'gpu' | 'metricsPort', min = 1): number | undefined {
  const value = envOrUndefined(name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new NonRetryableError(`${ENV[name]}: expected an integer >= ${min}, got "${value}"`);
  }
  return n;
}

const backendOption = (what: string) => {
  const option = new Option('--backend <name>', what).choices(backendChoice.options);
  const fromEnvironment = envOrUndefined('backend');
  if (fromEnvironment === undefined) return option;
  const parsed = backendChoice.safeParse(fromEnvironment);
  if (!parsed.success) {
    throw new NonRetryableError(
      `${ENV.backend}: expected one of ${backendChoice.options.join(', ')}, got "${fromEnvironment}"`,
    );
  }
  return option.default(parsed.data);
};
const coordinatorOption = () =>
  new Option('--coordinator <host:port>', 'coordinator gRPC address')
    .default(fromEnv('coordinator', DEFAULTS.coordinator))
    .argParser(hostPortOption);
/** `--nats`; its help shows the default without the password a URL from the environment may carry. */
const natsUrlOption = () => {
  const urls = fromEnv('natsUrl', DEFAULTS.natsUrl);
  return new Option(
    '--nats <urls>',
    'NATS server URL(s), comma-separated; nats://user:password@host:port',
  ).default(urls, serversOf(urls).map(redactNatsUrl).join(','));
};
const natsOptions = (cmd: Command) =>
  cmd
    .addOption(natsUrlOption())
    .option(
      '--nats-prefix <prefix>',
      'prefix of every NATS stream, bucket and subject',
      fromEnv('natsPrefix', DEFAULTS.natsPrefix),
    )
    .option('--nats-user <name>', `NATS user (${ENV.natsUser})`, envOrUndefined('natsUser'))
    .option(
      '--nats-password-file <file>',
      `file holding the NATS password (${ENV.natsPasswordFile}; else the password itself from ${ENV.natsPassword})`,
      envOrUndefined('natsPasswordFile'),
    )
    .option(
      '--nats-nkey-file <file>',
      `file holding an nkey user seed, to log in to NATS without a password (${ENV.natsNkeyFile})`,
      envOrUndefined('natsNkeyFile'),
    )
    .option(
      '--nats-tls-ca <file>',
      `CA bundle (PEM) that signed the NATS server's certificate; requires TLS (${ENV.natsTlsCa})`,
      envOrUndefined('natsTlsCa'),
    )
    .option(
      '--nats-tls-cert <file>',
      `client certificate (PEM), for a NATS server that verifies clients (${ENV.natsTlsCert})`,
      envOrUndefined('natsTlsCert'),
    )
    .option(
      '--nats-tls-key <file>',
      `private key of --nats-tls-cert (PEM) (${ENV.natsTlsKey})`,
      envOrUndefined('natsTlsKey'),
    );

/** A yes/no environment variable (`true`/`false`, `1`/`0`, `yes`/`no`). */
function envBool(name: 'tls'): boolean | undefined {
  const value = envOrUndefined(name)?.toLowerCase();
  if (value === undefined) return undefined;
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no'].includes(value)) return false;
  throw new NonRetryableError(`${ENV[name]}: expected true or false, got "${value}"`);
}

/** TLS and token flags of every command that dials the coordinator (docs/security.md). */
const clientSecurityOptions = (cmd: Command) =>
  cmd
    .option('--tls', `connect with TLS, trusting the public CAs (${ENV.tls})`, envBool('tls'))
    .option(
      '--tls-ca <file>',
      `CA bundle (PEM) that signed the coordinator's certificate; turns TLS on (${ENV.tlsCa})`,
      envOrUndefined('tlsCa'),
    )
    .option(
      '--tls-cert <file>',
      `client certificate (PEM), for a coordinator that requires mutual TLS (${ENV.tlsCert})`,
      envOrUndefined('tlsCert'),
    )
    .option('--tls-key <file>', `private key of --tls-cert (PEM) (${ENV.tlsKey})`, envOrUndefined('tlsKey'))
    .option(
      '--token-file <file>',
      `file holding the bearer token (${ENV.tokenFile}; else the token itself from ${ENV.token})`,
      envOrUndefined('tokenFile'),
    );

function tokenNameOption(value: string): string {
  if (!TOKEN_NAME.test(value)) throw new InvalidArgumentError(`expected ${TOKEN_NAME_RULE}`);
  return value;
}

export function buildProgram(): Command {
  const program = new Command('chorus')
    .description(
      'Train ensembles of TensorFlow.js models, combine them, and distil them into a small student.',
    )
    .exitOverride()
    .showHelpAfterError();

  program
    .command('run')
    .description('run a job in this process (a pool of worker threads); rerun to resume')
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
    .action(async (job: string, opts: RunFlags) => {
      const { runCommand } = await import('./commands/run.ts');
      await runCommand(job, opts);
    });

  natsOptions(
    program
      .command('coordinator')
      .description('serve the gRPC API and schedule jobs over NATS JetStream (runs until SIGTERM)'),
  )
    .option('--grpc <host:port>', 'gRPC listen address', fromEnv('grpcListen', DEFAULTS.grpcListen))
    .option(
      '--metrics-port <port>',
      `port of /metrics, /healthz, /readyz (default ${DEFAULTS.coordinatorMetricsPort}; ${ENV.metricsPort})`,
      portOption,
      envInt('metricsPort', 0),
    )
    .option('--cache <dir>', 'folder for downloaded job data', envOrUndefined('cacheDir'))
    .option(
      '--ack-wait-ms <ms>',
      'how long a task may go without a heartbeat before JetStream redelivers it (default 30000)',
      positiveIntOption,
    )
    .option(
      '--max-deliver <n>',
      'deliveries of a task before the job fails with its last error (default 3)',
      positiveIntOption,
    )
    .option(
      '--tls-cert <file>',
      `serve gRPC over TLS with this certificate chain (PEM) (${ENV.tlsCert})`,
      envOrUndefined('tlsCert'),
    )
    .option('--tls-key <file>', `private key of --tls-cert (PEM) (${ENV.tlsKey})`, envOrUndefined('tlsKey'))
    .option(
      '--tls-client-ca <file>',
      `mutual TLS: require client certificates signed by this CA (PEM) (${ENV.tlsClientCa})`,
      envOrUndefined('tlsClientCa'),
    )
    .option(
      '--auth-tokens <file>',
      `require bearer tokens listed (as SHA-256) in this file; see \`chorus token create\` (${ENV.authTokens})`,
      envOrUndefined('authTokens'),
    )
    .action(async (opts: CoordinatorFlags) => {
      const { coordinatorCommand } = await import('./commands/coordinator.ts');
      await coordinatorCommand(opts);
    });

  natsOptions(
    program.command('worker').description('run tasks from NATS JetStream in a thread pool (SIGTERM drains)'),
  )
    .addOption(coordinatorOption())
    .option(
      '--slots <n>',
      'tasks at once (threads; default the number of cores)',
      positiveIntOption,
      envInt('slots'),
    )
    .option(
      '--gpu <index>',
      'pin this process to one GPU (sets CUDA_VISIBLE_DEVICES)',
      nonNegativeIntOption,
      envInt('gpu', 0),
    )
    .addOption(backendOption("tfjs backend for every task (default: each job file's)"))
    .option(
      '--metrics-port <port>',
      `port of /metrics, /healthz, /readyz (default ${DEFAULTS.workerMetricsPort}; ${ENV.metricsPort})`,
      portOption,
      envInt('metricsPort', 0),
    )
    .option('--cache <dir>', 'folder for downloaded job data', envOrUndefined('cacheDir'))
    .option(
      '--drain-seconds <s>',
      'on SIGTERM, how long running tasks may take before they are handed back',
      positiveIntOption,
      30,
    )
    .action(async (opts: WorkerFlags) => {
      const { workerCommand } = await import('./commands/worker.ts');
      await workerCommand(opts);
    });

  program
    .command('submit')
    .description('submit a job (and the data files it names) to a coordinator')
    .argument('<job>', 'job file (YAML or JSON)')
    .addOption(coordinatorOption())
    .option('--wait', 'follow the job and print its report table')
    .option('--fresh', 'start over instead of resuming an unfinished run of the same job')
    .option('--json', 'machine-readable output')
    .action(async (job: string, opts: SubmitFlags) => {
      const { submitCommand } = await import('./commands/submit.ts');
      await submitCommand(job, opts);
    });

  for (const [name, description] of [
    ['status', "show a job's state and its tasks"],
    ['watch', 'follow a job until it ends and print its report table'],
    ['cancel', 'cancel a job'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<job-id>')
      .addOption(coordinatorOption())
      .option('--json', 'machine-readable output')
      .action(async (jobId: string, opts: { coordinator: string; json?: boolean } & ClientSecurityFlags) => {
        const commands = await import('./commands/inspect.ts');
        if (name === 'status') await commands.statusCommand(jobId, opts);
        else if (name === 'watch') await commands.watchCommand(jobId, opts);
        else await commands.cancelCommand(jobId, opts);
      });
  }
  for (const [name, description] of [
    ['jobs', 'list jobs, newest first'],
    ['workers', 'list connected workers'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .addOption(coordinatorOption())
      .option('--json', 'machine-readable output')
      .action(async (opts: { coordinator: string; json?: boolean } & ClientSecurityFlags) => {
        const commands = await import('./commands/inspect.ts');
        await (name === 'jobs' ? commands.jobsCommand(opts) : commands.workersCommand(opts));
      });
  }
  // Every command that dials the coordinator also takes its TLS and token settings.
  for (const cmd of program.commands) {
    if (cmd.options.some((o) => o.long === '--coordinator')) clientSecurityOptions(cmd);
  }

  program
    .command('nats-permissions')
    .description("print the NATS permissions of the workers' user, for the NATS server's config")
    .option(
      '--nats-prefix <prefix>',
      'prefix of every NATS stream, bucket and subject',
      fromEnv('natsPrefix', DEFAULTS.natsPrefix),
    )
    .option('--json', 'print them as JSON')
    .action(async (opts: { natsPrefix: string; json?: boolean }) => {
      const { permissionsConfig, workerPermissions } = await import('../cluster/nats/workerPermissions.ts');
      const permissions = workerPermissions(opts.natsPrefix);
      process.stdout.write(
        `${opts.json ? JSON.stringify(permissions, null, 2) : permissionsConfig(permissions)}\n`,
      );
    });

  const token = program.command('token').description('bearer tokens for the gRPC API (docs/security.md)');
  token
    .command('create')
    .description("print a new random token and the entry to add to the coordinator's tokens file")
    .addOption(
      new Option('--role <role>', 'what the token may do').choices(TOKEN_ROLES).makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'who or what holds it (shown in logs)', tokenNameOption)
    .option('--json', 'print {name, role, sha256, token} as one JSON object')
    .action(async (opts: TokenCreateFlags) => {
      const { tokenCreateCommand } = await import('./commands/token.ts');
      tokenCreateCommand(opts);
    });
  token
    .command('hash')
    .description('print the SHA-256 (the tokens-file entry) of a token read from standard input')
    .action(async () => {
      const { tokenHashCommand } = await import('./commands/token.ts');
      tokenHashCommand();
    });
  return program;
}

/** Runs the CLI and returns the exit code; errors a user can fix print without a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = buildProgram();
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (err instanceof NonRetryableError) {
      process.stderr.write(`chorus: ${err.message}\n`);
      return EXIT.badInput;
    }
    if (err instanceof JobInterruptedError) {
      process.stderr.write(`chorus: ${err.message}\n`);
      return EXIT.interrupted;
    }
    if (err instanceof ChorusError) {
      process.stderr.write(`chorus: ${err.message}\n`);
      return EXIT.failed;
    }
    process.stderr.write(
      `chorus: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT.failed;
  }
}
