import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LoggedProcess } from '../support/loggedProcess.ts';
import { findIp } from './ipCommand.ts';

const LOG_LINES = 1000;
const SETPRIV = '/usr/bin/setpriv';

function spawnInNamespace(
  ns: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Readonly<Record<string, string>> },
): ChildProcess {
  const bin = findIp();
  if (!bin) throw new Error('the `ip` command (iproute2) is not installed');
  // setpriv (util-linux) execs in place too, with a parent-death signal: should the test process be
  // SIGKILLed, nothing it started in a namespace outlives it.
  const orphanGuard = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL'] : [];
  return spawn(bin, ['netns', 'exec', ns, ...orphanGuard, command, ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
  });
}

/**
 * A long-running process inside a network namespace (`ip netns exec <ns> <command> …`, which execs
 * in place: the child's pid is the command's own), with its output kept, line by line, for
 * assertions and failure messages.
 */
export class NsProcess extends LoggedProcess {
  constructor(
    name: string,
    readonly ns: string,
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: Readonly<Record<string, string>> } = {},
  ) {
    super(name, spawnInNamespace(ns, command, args, options), LOG_LINES);
  }
}
