import { randomBytes } from 'node:crypto';
import { findIp, ip } from './ipCommand.ts';

/**
 * Why this machine cannot run the multi-host tests, or undefined when it can: the check creates
 * (and deletes) a throwaway namespace with a veth pair, which needs root or CAP_NET_ADMIN and
 * CAP_SYS_ADMIN, the iproute2 `ip` command and a kernel with network namespaces, veth and bridges.
 */
export async function whyNoNamespaces(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces are Linux-only (this is ${process.platform})`;
  if (!findIp()) return 'the `ip` command (Debian package iproute2) is not installed';
  const name = `chorus-probe${process.pid}-${randomBytes(3).toString('hex')}`;
  const add = await ip(['netns', 'add', name]);
  if (add.code !== 0) {
    const uid = process.getuid?.();
    return `\`ip netns add\` failed (uid ${uid ?? '?'}; root or CAP_NET_ADMIN+CAP_SYS_ADMIN needed): ${add.stderr.trim()}`;
  }
  try {
    const veth = await ip(['-n', name, 'link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1']);
    if (veth.code !== 0) return `cannot create a veth pair in a namespace: ${veth.stderr.trim()}`;
    const bridge = await ip(['-n', name, 'link', 'add', 'b0', 'type', 'bridge']);
    if (bridge.code !== 0) return `cannot create a bridge in a namespace: ${bridge.stderr.trim()}`;
    return undefined;
  } finally {
    await ip(['netns', 'del', name]);
  }
}
