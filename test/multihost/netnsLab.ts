import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { findIp, ip, ipOrThrow } from './ipCommand.ts';

/**
 * A small private network of "hosts" for one test run: one Linux network namespace per host, each
 * with a veth pair to a bridge in a `hub` namespace, all on 10.231.7.0/24. Nothing is routed
 * anywhere else (no default route, no link to the machine's own namespace), so the hosts can only
 * reach each other. Cutting a host's link (`cut`) downs its hub-side veth: its TCP connections stay
 * open but carry nothing until `heal`, as when a cable is pulled.
 *
 * Names: `chorus-mh<pid>-<hex>-<host>`; the pid of the creating test process lets a later run sweep
 * namespaces left by one that died (see sweepLeftovers.ts).
 */

export const NAMESPACE_PREFIX = 'chorus-mh';
/** `chorus-mh<pid>-<hex>-<host>`: the creator's pid, the run's random part, the host. */
export const NAMESPACE_NAME = /^chorus-mh(\d+)-([0-9a-f]+)-([a-z0-9]+)$/;

const SUBNET = '10.231.7';
const HUB = 'hub';
/** Every lab of this process, removed synchronously if the process exits without `destroy`. */
const labs = new Set<NetnsLab>();
let hooked = false;

export class NetnsLab {
  private readonly addresses = new Map<string, string>();
  private destroyed = false;

  private constructor(
    /** `<pid>-<hex>`, shared by this run's namespaces. */
    readonly runId: string,
    readonly hosts: readonly string[],
  ) {
    hosts.forEach((host, i) => this.addresses.set(host, `${SUBNET}.${10 + i}`));
  }

  /**
   * Creates the hub and one namespace per host (names of at most 6 lowercase letters or digits:
   * the hub-side veth is `h-<host>`, and interface names are limited to 15 characters).
   * On any failure it removes what it made and throws.
   */
  static async create(hosts: readonly string[]): Promise<NetnsLab> {
    for (const host of hosts) {
      if (!/^[a-z0-9]{1,6}$/.test(host) || host === HUB) throw new Error(`bad host name ${host}`);
    }
    hookExit();
    const lab = new NetnsLab(`${process.pid}-${randomBytes(3).toString('hex')}`, hosts);
    labs.add(lab);
    try {
      await lab.build();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  /** The namespace of a host (or of the hub). */
  ns(host: string): string {
    return `${NAMESPACE_PREFIX}${this.runId}-${host}`;
  }

  /** A host's address on the lab network. */
  address(host: string): string {
    const address = this.addresses.get(host);
    if (!address) throw new Error(`no host ${host} in this lab`);
    return address;
  }

  /** Takes a host off the network: its link goes down at the hub (packets are dropped, not refused). */
  async cut(host: string): Promise<void> {
    await ipOrThrow(['-n', this.ns(HUB), 'link', 'set', `h-${host}`, 'down']);
  }

  /** Puts a cut host back on the network. */
  async heal(host: string): Promise<void> {
    await ipOrThrow(['-n', this.ns(HUB), 'link', 'set', `h-${host}`, 'up']);
  }

  /** Namespaces this lab made that still exist. */
  async existing(): Promise<string[]> {
    const ours = new Set(this.allNamespaces());
    return (await listNamespaces()).filter((name) => ours.has(name));
  }

  /**
   * Kills (by pid) whatever still runs in the lab's namespaces (the test's own processes, which it
   * should have stopped already) and deletes the namespaces; idempotent.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    labs.delete(this);
    for (const name of await this.existing()) await removeNamespace(name);
  }

  private allNamespaces(): string[] {
    return [this.ns(HUB), ...this.hosts.map((h) => this.ns(h))];
  }

  private async build(): Promise<void> {
    const hub = this.ns(HUB);
    for (const name of this.allNamespaces()) await ipOrThrow(['netns', 'add', name]);
    await ipOrThrow(['-n', hub, 'link', 'add', 'br0', 'type', 'bridge']);
    await ipOrThrow(['-n', hub, 'link', 'set', 'br0', 'up']);
    for (const host of this.hosts) {
      const ns = this.ns(host);
      const veth = `h-${host}`;
      // Created inside the hub with its peer placed straight into the host: the machine's own
      // namespace never holds either end.
      await ipOrThrow(['-n', hub, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      await ipOrThrow(['-n', hub, 'link', 'set', veth, 'master', 'br0']);
      await ipOrThrow(['-n', hub, 'link', 'set', veth, 'up']);
      await ipOrThrow(['-n', ns, 'link', 'set', 'lo', 'up']);
      await ipOrThrow(['-n', ns, 'addr', 'add', `${this.address(host)}/24`, 'dev', 'eth0']);
      await ipOrThrow(['-n', ns, 'link', 'set', 'eth0', 'up']);
    }
  }
}

/** Names of every network namespace on the machine. */
export async function listNamespaces(): Promise<string[]> {
  const out = await ip(['netns', 'list']);
  return out.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter(Boolean);
}

/** SIGKILLs the processes in one of our namespaces (by pid), then deletes it. */
export async function removeNamespace(name: string): Promise<void> {
  const pids = await ip(['netns', 'pids', name]);
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean).map(Number)) killPid(pid);
  const del = await ip(['netns', 'del', name]);
  if (del.code !== 0) process.stderr.write(`could not delete network namespace ${name}: ${del.stderr}\n`);
}

function killPid(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * If the test process exits or is stopped by a signal with labs still up (a crash, a timeout, ^C),
 * kill what runs in them and remove them, synchronously. (A SIGKILLed test leaves namespaces behind,
 * empty: its processes die with it, see nsProcess.ts; the next run sweeps them.)
 */
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = () => {
    const bin = findIp();
    if (!bin) return;
    for (const lab of [...labs]) {
      labs.delete(lab);
      for (const name of [lab.ns(HUB), ...lab.hosts.map((h) => lab.ns(h))]) {
        try {
          const pids = execFileSync(bin, ['netns', 'pids', name], { encoding: 'utf8', timeout: 5000 });
          for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) killPid(pid);
          execFileSync(bin, ['netns', 'del', name], { timeout: 5000, stdio: 'ignore' });
        } catch {
          // Already gone, or nothing more can be done at exit.
        }
      }
    }
  };
  process.once('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanup();
      // Die of the signal, as the process would have without this hook.
      process.kill(process.pid, signal);
    });
  }
}
