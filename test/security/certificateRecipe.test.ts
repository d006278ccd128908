import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ChorusProcess, REPO_ROOT, runChorus } from '../support/chorusProcess.ts';
import { startNatsServer } from '../support/natsServer.ts';
import { uniquePrefix } from '../nats/prefix.ts';

/**
 * The certificate recipe of docs/security.md ("Setting it up", step 1), run as written: the
 * coordinator serves TLS with the certificate it makes, and clients that trust its CA reach it as
 * 127.0.0.1 and as localhost (a certificate without the IP name fails the first).
 */

const run = promisify(execFile);

/** The shell block of step 1, "Certificates", from the page. */
async function recipe(): Promise<string> {
  const page = await readFile(join(REPO_ROOT, 'docs/security.md'), 'utf8');
  const step = page.slice(page.indexOf('1. **Certificates.**'));
  const block = /```sh\n([\s\S]*?)```/.exec(step)?.[1];
  assert.ok(block, 'step 1 has a sh block');
  return block.replace(/^ {3}/gm, '');
}

test('the documented certificate serves gRPC to clients dialling 127.0.0.1 and localhost', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-cert-recipe-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await run('bash', ['-euo', 'pipefail', '-c', await recipe()], { cwd: dir });
  const { stdout } = await run('openssl', [
    'x509',
    '-in',
    join(dir, 'coordinator.crt'),
    '-noout',
    '-ext',
    'subjectAltName',
  ]);
  assert.match(stdout, /IP Address:127\.0\.0\.1/);
  assert.match(stdout, /DNS:localhost/);

  const nats = await startNatsServer();
  t.after(() => nats.stop());
  const coordinator = new ChorusProcess(
    'coordinator',
    [
      'coordinator',
      ...['--nats', nats.url, '--nats-prefix', uniquePrefix(), '--metrics-port', '0'],
      ...['--grpc', '127.0.0.1:0', '--cache', join(dir, 'cache')],
      ...['--tls-cert', join(dir, 'coordinator.crt'), '--tls-key', join(dir, 'coordinator.key')],
    ],
    { cleanEnv: true, t },
  );
  const port = (await coordinator.waitForLine(/coordinator ready: gRPC 127\.0\.0\.1:(\d+)/, 90_000))[1];
  for (const host of ['127.0.0.1', 'localhost']) {
    const exit = await runChorus(
      ['jobs', '--coordinator', `${host}:${port}`, '--tls-ca', join(dir, 'ca.crt')],
      { cleanEnv: true, t, timeoutMs: 60_000 },
    );
    assert.equal(exit.code, 0, `dialling ${host}: ${exit.stderr}`);
  }
});
