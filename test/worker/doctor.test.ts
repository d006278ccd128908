import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { runDoctor } from '../../worker/doctor/runDoctor.ts';
import {
  linkerLibraries,
  nvidiaGpus,
  parseLdconfig,
  parseNvidiaSmi,
} from '../../worker/doctor/systemProbes.ts';
import { Cluster } from '../support/chorusCluster.ts';
import { runChorus } from '../support/chorusProcess.ts';

const CUDA = [
  'libcudart.so.11.0',
  'libcublas.so.11',
  'libcublasLt.so.11',
  'libcufft.so.10',
  'libcurand.so.10',
  'libcusolver.so.11',
  'libcusparse.so.11',
  'libcudnn.so.8',
];
const LDCONFIG = `9 libs found in cache \`/etc/ld.so.cache'
${CUDA.map((lib) => `\t${lib} (libc6,x86-64) => /usr/local/cuda/lib64/${lib}`).join('\n')}
\tlibc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6
`;
const SMI = '0, NVIDIA A10G, 535.104.05, 23028\n1, NVIDIA A10G, 535.104.05, 23028\n';

test('ldconfig -p and nvidia-smi output are read into library names and GPUs', () => {
  const names = parseLdconfig(LDCONFIG);
  for (const lib of CUDA) assert.ok(names.has(lib), lib);
  assert.ok(names.has('libc.so.6'));
  assert.equal(names.size, CUDA.length + 1);
  assert.deepEqual(parseNvidiaSmi(SMI)[1], {
    index: 1,
    name: 'NVIDIA A10G',
    driver: '535.104.05',
    memoryMiB: 23028,
  });
  assert.deepEqual(parseNvidiaSmi('No devices were found\n'), []);
});

test('on this machine: native packages missing, wasm and cpu start, no nvidia-smi; auto passes', async () => {
  const result = await runDoctor({ system: { libraries: async () => new Set(['libc.so.6']) } });
  const byName = new Map(result.checks.map((c) => [c.name, c]));
  assert.equal(byName.get('backend tensorflow-gpu')?.status, 'missing');
  assert.match(byName.get('backend tensorflow-gpu')?.detail ?? '', /npm install @tensorflow\/tfjs-node-gpu$/);
  assert.equal(byName.get('backend tensorflow')?.status, 'missing');
  assert.equal(byName.get('backend wasm')?.status, 'ok');
  assert.equal(byName.get('backend cpu')?.status, 'ok');
  assert.equal(byName.get('CUDA 11 / cuDNN 8 libraries')?.status, 'missing');
  assert.equal(byName.get('GPUs')?.status, 'missing');
  assert.equal(byName.get('wasm SIMD')?.status, 'ok');
  assert.equal(result.backend, 'wasm');
  assert.equal(result.ok, true);
  const gpu = await runDoctor({ backend: 'tensorflow-gpu', system: { libraries: async () => new Set() } });
  assert.equal(gpu.ok, false, 'the asked backend cannot start');
  assert.equal(gpu.checks.at(-1)?.status, 'fail');
});

test('a tfjs-node-gpu that is installed but fails to load is a failure, with the CUDA libraries the linker lacks', async () => {
  const broken = (specifier: string): Promise<unknown> =>
    Promise.reject(new Error(`libcudart.so.11.0: cannot open shared object file (${specifier})`));
  const result = await runDoctor({
    backend: 'tensorflow-gpu',
    importModule: broken,
    system: {
      libraries: async () => new Set(['libcudnn.so.8']),
      gpus: async () => ({ gpus: parseNvidiaSmi(SMI) }),
    },
  });
  const check = result.checks.find((c) => c.name === 'backend tensorflow-gpu');
  assert.equal(check?.status, 'fail');
  assert.match(check?.detail ?? '', /is installed but failed to load \(libcudart\.so\.11\.0: cannot open/);
  assert.match(check?.detail ?? '', /the linker knows none of libcudart\.so\.11\.0, libcublas\.so\.11, /);
  assert.doesNotMatch(check?.detail ?? '', /libcudnn\.so\.8/, 'only the missing ones');
  assert.match(
    result.checks.find((c) => c.name === 'GPUs')?.detail ?? '',
    /^0: NVIDIA A10G, 23028 MiB, driver 535\.104\.05; 1: /,
  );
  assert.equal(result.ok, false);
});

test('a stand-in tfjs-node-gpu that registers a tensorflow backend: the asked backend starts', async () => {
  const standIn = (): Promise<unknown> => {
    if (tf.findBackendFactory('tensorflow') === null)
      tf.registerBackend('tensorflow', tf.findBackendFactory('cpu')!);
    for (const kernel of tf.getKernelsForBackend('cpu')) {
      if (!tf.getKernel(kernel.kernelName, 'tensorflow'))
        tf.registerKernel({ ...kernel, backendName: 'tensorflow' });
    }
    return Promise.resolve({});
  };
  const result = await runDoctor({
    backend: 'tensorflow-gpu',
    importModule: standIn,
    system: { libraries: async () => new Set(CUDA), gpus: async () => ({ gpus: parseNvidiaSmi(SMI) }) },
  });
  assert.equal(result.checks.find((c) => c.name === 'backend tensorflow-gpu')?.status, 'ok');
  assert.equal(result.checks.find((c) => c.name === 'CUDA 11 / cuDNN 8 libraries')?.status, 'ok');
  assert.equal(result.backend, 'tensorflow');
  assert.equal(result.ok, true);
  tf.removeBackend('tensorflow');
});

/** A folder of stand-in `ldconfig` and `nvidia-smi` programs that print what real ones print. */
async function standInPrograms(): Promise<string> {
  const bin = await mkdtemp(join(tmpdir(), 'chorus-doctor-bin-'));
  await writeFile(join(bin, 'ldconfig'), `#!/bin/sh\ncat <<'EOF'\n${LDCONFIG}EOF\n`);
  await writeFile(join(bin, 'nvidia-smi'), `#!/bin/sh\nprintf '${SMI.replace(/\n/g, '\\n')}'\n`);
  await chmod(join(bin, 'ldconfig'), 0o755);
  await chmod(join(bin, 'nvidia-smi'), 0o755);
  return bin;
}

test('ldconfig and nvidia-smi are the programs on PATH', async () => {
  const bin = await standInPrograms();
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path ?? ''}`;
  try {
    assert.deepEqual([...((await linkerLibraries()) ?? [])].sort(), [...CUDA, 'libc.so.6'].sort());
    assert.deepEqual(await nvidiaGpus(), { gpus: parseNvidiaSmi(SMI) });
  } finally {
    process.env.PATH = path;
    await rm(bin, { recursive: true, force: true });
  }
  const missing = await nvidiaGpus();
  assert.deepEqual(missing, { missing: 'nvidia-smi not found (no NVIDIA driver here)' });
});

test('chorus doctor: a report on this machine; --backend tensorflow-gpu fails with exit code 1', async (t) => {
  const bin = await standInPrograms();
  t.after(() => rm(bin, { recursive: true, force: true }));
  const ok = await runChorus(['doctor'], { t, cleanEnv: true, timeoutMs: 60_000 });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(
    ok.stdout,
    /^-- +backend tensorflow-gpu +backend 'tensorflow-gpu' needs @tensorflow\/tfjs-node-gpu/m,
  );
  assert.match(ok.stdout, /^ok +backend wasm +@tensorflow\/tfjs-backend-wasm \d/m);
  assert.match(ok.stdout, /^-- +GPUs +nvidia-smi not found/m);
  assert.match(ok.stdout, /^ok +asked backend auto +starts here as 'wasm'$/m);

  const gpu = await runChorus(['doctor', '--backend', 'tensorflow-gpu', '--json'], {
    t,
    cleanEnv: true,
    env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    timeoutMs: 60_000,
  });
  assert.equal(gpu.code, 1, gpu.stderr);
  assert.match(gpu.stderr, /^chorus: doctor: asked backend tensorflow-gpu failed$/m);
  const result = JSON.parse(gpu.stdout) as {
    ok: boolean;
    checks: { name: string; status: string; detail: string }[];
  };
  assert.equal(result.ok, false);
  const gpus = result.checks.find((c) => c.name === 'GPUs');
  assert.equal(gpus?.status, 'ok');
  assert.match(gpus?.detail ?? '', /^0: NVIDIA A10G/);
  assert.equal(result.checks.find((c) => c.name === 'CUDA 11 / cuDNN 8 libraries')?.status, 'ok');
});

test('chorus doctor --nats --coordinator: logs in as a worker; an unreachable coordinator fails', async (t) => {
  const cluster = await Cluster.start(t, { workers: 0 });
  const nats = ['--nats', cluster.natsUrl, '--nats-prefix', cluster.prefix];
  const ok = await runChorus(['doctor', ...nats, '--coordinator', cluster.grpcAddress], {
    t,
    cleanEnv: true,
    timeoutMs: 60_000,
  });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /^ok +NATS +nats:\/\/127\.0\.0\.1:\d+: logged in; worker "worker" may pull/m);
  assert.match(ok.stdout, /^ok +coordinator +127\.0\.0\.1:\d+: reachable/m);

  const bad = await runChorus(
    ['doctor', ...nats, '--nats-prefix', 'nothere', '--coordinator', '127.0.0.1:1'],
    {
      t,
      cleanEnv: true,
      timeoutMs: 60_000,
    },
  );
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /^FAIL NATS +/m);
  assert.match(bad.stdout, /^FAIL coordinator +stopped while waiting for the coordinator/m);
  assert.match(bad.stderr, /doctor: NATS, coordinator failed/);
});
