import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_METRICS_PORTS } from '../../observability/metricsServer.ts';

/*
 * Docker cannot build here (no engine), so these are static checks of what the images must be:
 * multi-stage, a non-root user in the final stage, the right base and tfjs package, the CLI as entry.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Stage {
  from: string;
  lines: string[];
}

/** Instructions (continuation lines joined, comments dropped) grouped by stage. */
function stages(text: string): Stage[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const result: Stage[] = [];
  for (const line of joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const from = /^FROM\s+(\S+)/i.exec(line);
    if (from?.[1]) result.push({ from: from[1], lines: [] });
    else result.at(-1)?.lines.push(line);
  }
  return result;
}

async function peerVersion(name: string): Promise<string> {
  const pkg = JSON.parse(await readFile(`${repo}package.json`, 'utf8')) as {
    peerDependencies: Record<string, string>;
  };
  const range = pkg.peerDependencies[name];
  assert.ok(range, `${name} is a peer dependency`);
  return range.replace(/^[\^~]/, '');
}

async function checkImage(file: string, tfjsPackage: string, finalBase: RegExp): Promise<void> {
  const s = stages(await readFile(`${repo}deploy/docker/${file}`, 'utf8'));
  assert.ok(s.length >= 2, `${file} is multi-stage`);
  const [build, final] = [s[0]!, s.at(-1)!];
  assert.match(final.from, finalBase, `${file} final base`);
  assert.ok(!final.from.endsWith(':latest') && final.from.includes(':'), 'a pinned base tag');
  assert.ok(
    build.lines.some((l) => /^RUN .*npm ci --omit=dev/.test(l)),
    'production dependencies from the lockfile',
  );
  const version = await peerVersion(tfjsPackage);
  assert.ok(
    build.lines.some((l) => l.includes(`${tfjsPackage}@${version}`)),
    `${file} installs ${tfjsPackage}@${version} (the peer dependency's version)`,
  );
  const users = final.lines.filter((l) => /^USER\s/.test(l));
  assert.equal(users.length, 1, `${file}: one USER in the final stage`);
  const user = users[0]!.split(/\s+/)[1]!;
  assert.ok(!/^(root|0)(:|$)/.test(user), `${file} runs as ${user}, not root`);
  assert.ok(
    final.lines.some((l) => /^COPY --from=/.test(l)),
    `${file} copies the build stage's output into the final image`,
  );
  assert.ok(final.lines.includes('ENTRYPOINT ["node", "/app/cli/bin.mjs"]'), `${file} runs the chorus CLI`);
  const exposed = final.lines.filter((l) => l.startsWith('EXPOSE')).join(' ');
  for (const port of [50051, DEFAULT_METRICS_PORTS.coordinator, DEFAULT_METRICS_PORTS.worker]) {
    assert.match(exposed, new RegExp(`\\b${port}\\b`), `${file} exposes ${port}`);
  }
}

test('Dockerfile.cpu: Node 20 slim with tfjs-node, multi-stage, non-root', async () => {
  await checkImage('Dockerfile.cpu', '@tensorflow/tfjs-node', /^node:20[.\w-]*-slim$/);
});

test('Dockerfile.gpu: CUDA runtime with cuDNN and tfjs-node-gpu, multi-stage, non-root', async () => {
  await checkImage('Dockerfile.gpu', '@tensorflow/tfjs-node-gpu', /^nvidia\/cuda:11\.[\d.]+-cudnn8-runtime-/);
  const s = stages(await readFile(`${repo}deploy/docker/Dockerfile.gpu`, 'utf8'));
  assert.ok(
    s.at(-1)!.lines.some((l) => /^COPY --from=build \/usr\/local\/bin\/node /.test(l)),
    'Node comes from the build stage',
  );
});

test('.dockerignore keeps dependencies, runs, git and tests out of the build context', async () => {
  const entries = (await readFile(`${repo}.dockerignore`, 'utf8'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const must of ['node_modules', 'runs', '.git', 'test'])
    assert.ok(entries.includes(must), `.dockerignore has ${must}`);
  // What the CLI needs at run time must not be ignored.
  for (const needed of ['cli', 'core', 'coordinator', 'worker', 'proto', 'observability', 'package.json']) {
    assert.ok(!entries.includes(needed), `${needed} stays in the context`);
  }
});
