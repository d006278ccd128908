import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Where Debian's iproute2 puts `ip` (not on a non-root user's PATH in /sbin setups). */
const CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];
/** No `ip` command takes this long; a hung one is killed rather than hanging the test. */
const IP_TIMEOUT_MS = 10_000;

export interface IpExit {
  code: number;
  stdout: string;
  stderr: string;
}

/** The `ip` binary (iproute2), or undefined when it is not installed. */
export function findIp(): string | undefined {
  return CANDIDATES.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs `ip <args>` to its end (bounded) and returns its exit code and output; never throws. */
export function ip(args: readonly string[]): Promise<IpExit> {
  const bin = findIp();
  if (!bin) return Promise.resolve({ code: 127, stdout: '', stderr: 'ip (iproute2) is not installed' });
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: IP_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr: stderr || (err ? err.message : '') });
    });
  });
}

/** `ip <args>`, throwing with the command and its stderr when it fails. */
export async function ipOrThrow(args: readonly string[]): Promise<string> {
  const exit = await ip(args);
  if (exit.code !== 0) throw new Error(`ip ${args.join(' ')} failed (${exit.code}): ${exit.stderr.trim()}`);
  return exit.stdout;
}
