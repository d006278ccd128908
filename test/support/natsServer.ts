import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ChorusError } from '../../core/errors.ts';

/**
 * Starts a real `nats-server` (JetStream on, loopback only, random port, temporary store) for
 * integration tests, in the spirit of the nats.js `nst` launcher. A missing binary is an error,
 * never a skip: the distributed mode cannot be tested without it.
 */

export interface NatsServerOptions {
  /** Largest message the server accepts (server default 1 MiB). Needs a config file: 2.9's CLI has no flag. */
  maxPayload?: number;
  /** How long to wait for "Server is ready" (default 10 s). */
  startTimeoutMs?: number;
  /** Require this user and password from every client (as deploy/k8s/base/nats.conf does). */
  auth?: { user: string; password: string };
  /** More config lines, e.g. an `authorization` block with users and permissions, or a `tls` block. */
  config?: readonly string[];
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  /** JetStream's store directory (`-sd`); kept across `restart`, removed by `stop`. */
  readonly storeDir: string;
  /** The current process id (changes on restart). */
  readonly pid: number;
  /** The server's last log lines, for failure messages. */
  log(): string;
  /** Stops the server gracefully and removes its files. */
  stop(): Promise<void>;
  /** Stops the server (if it runs) and starts it again on the same port and store. */
  restart(): Promise<void>;
  /** SIGKILL, no cleanup: a crashed server. `restart` or `stop` afterwards. */
  kill(): void;
}

const LOG_LINES = 200;
/** Where Debian puts the binary; not on a non-root user's PATH. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

const live = new Set<ChildProcess>();
const roots = new Set<string>();
let hooked = false;

/** Kills every server still running when the test process exits, however it exits. */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = () => {
    for (const child of live) child.kill('SIGKILL');
    live.clear();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
    roots.clear();
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      // Re-raise so the process still dies of the signal, as it would have without this hook.
      process.kill(process.pid, signal);
    });
  }
}

/** The nats-server binary: PATH first, then the sbin folders the Debian package uses. */
export function findNatsServer(
  searchPath = process.env.PATH ?? '',
  extraDirs: readonly string[] = EXTRA_DIRS,
): string {
  const dirs = [...searchPath.split(delimiter).filter(Boolean), ...extraDirs];
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new ChorusError(
    'nats-server was not found on PATH (nor in /usr/sbin): the NATS integration tests need a real server. ' +
      'Install it with `apt-get install nats-server` (Debian/Ubuntu) or put a nats-server binary (2.9+) on PATH.',
  );
}

interface Running {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = findNatsServer();
  hookExit();
  const root = await mkdtemp(join(tmpdir(), 'chorus-nats-'));
  roots.add(root);
  const storeDir = join(root, 'store');
  await mkdir(storeDir);
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const logLines: string[] = [];
  const log = () => logLines.join('\n');

  const argsFor = async (port: number): Promise<string[]> => {
    if (options.maxPayload === undefined && options.auth === undefined && options.config === undefined) {
      return ['-js', '-p', String(port), '-sd', storeDir, '-a', '127.0.0.1'];
    }
    const conf = join(root, 'nats.conf');
    const { auth } = options;
    await writeFile(
      conf,
      [
        `listen: "127.0.0.1:${port}"`,
        ...(options.maxPayload !== undefined ? [`max_payload: ${options.maxPayload}`] : []),
        `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
        ...(auth
          ? [
              `authorization { users: [ { user: ${JSON.stringify(auth.user)}, password: ${JSON.stringify(auth.password)} } ] }`,
            ]
          : []),
        ...(options.config ?? []),
        '',
      ].join('\n'),
    );
    return ['-c', conf];
  };

  const launch = async (port: number): Promise<Running> => {
    const child = spawn(bin, await argsFor(port), { stdio: ['ignore', 'ignore', 'pipe'] });
    live.add(child);
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        live.delete(child);
        resolve();
      });
    });
    const running = await new Promise<Running>((resolve, reject) => {
      let buffered = '';
      let listening: number | undefined;
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new ChorusError(`nats-server did not start: ${why}\n${log()}`));
      };
      const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
      child.once('error', (err) => fail(err.message));
      void exited.then(() => fail(`it exited with code ${child.exitCode ?? child.signalCode}`));
      // Keep draining stderr for the server's whole life: a full pipe would block its logging.
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          logLines.push(line);
          if (logLines.length > LOG_LINES) logLines.shift();
          const m = /Listening for client connections on [^\s]*:(\d+)/.exec(line);
          if (m?.[1]) listening = Number(m[1]);
          if (!settled && line.includes('Server is ready') && listening !== undefined) {
            settled = true;
            clearTimeout(timer);
            resolve({ child, port: listening, exited });
          }
        }
      });
    });
    // Unref'd once up: a test that forgets `stop` still exits, and the exit hook kills the server.
    child.unref();
    (child.stderr as Socket | null)?.unref();
    return running;
  };

  // -1 lets the server pick a free port itself: no race with another process grabbing a probed one.
  let current: Running | undefined;
  try {
    current = await launch(-1);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    roots.delete(root);
    throw err;
  }
  const port = current.port;

  const halt = async (signal: NodeJS.Signals) => {
    const running = current;
    current = undefined;
    if (!running) return;
    // Ref'd again while we wait, or an otherwise idle test process would exit mid-stop.
    running.child.ref();
    if (running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill(signal);
      const force = setTimeout(() => running.child.kill('SIGKILL'), 5_000);
      await running.exited;
      clearTimeout(force);
    } else {
      await running.exited;
    }
  };

  let lastKilled: Running | undefined;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return current?.child.pid ?? -1;
    },
    log,
    async stop() {
      await halt('SIGTERM');
      lastKilled?.child.ref();
      if (lastKilled) await lastKilled.exited;
      await rm(root, { recursive: true, force: true });
      roots.delete(root);
    },
    async restart() {
      await halt('SIGTERM');
      lastKilled?.child.ref();
      if (lastKilled) await lastKilled.exited;
      lastKilled = undefined;
      // The port can take a moment to be free again after a kill; retry a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          current = await launch(port);
          return;
        } catch (err) {
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 200 * attempt));
        }
      }
    },
    kill() {
      const running = current;
      current = undefined;
      if (!running) return;
      running.child.kill('SIGKILL');
      lastKilled = running;
    },
  };
}
