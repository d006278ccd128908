import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hashToken, parseTokensFile, TokenTable } from '../../cluster/grpc/authTokens.ts';
import { clientSecurityFrom } from '../../cli/flags/coordinatorConnection.ts';
import { serverSecurityFrom } from '../../cli/commands/coordinator.ts';
import { ENV } from '../../cli/env.ts';
import { buildProgram } from '../../cli/program.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { runChorus, type ChorusExit } from '../support/chorusProcess.ts';

/** The `chorus token` commands and the security flags' errors, run as a user runs them (in parallel). */

let dir = '';
const runs: Record<string, ChorusExit> = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-security-cli-'));
  const badTokens = join(dir, 'tokens.yaml');
  const pasted = 'chorus_this-is-a-token-pasted-by-mistake-0123456789';
  await writeFile(badTokens, `tokens:\n  - { name: a, role: client, sha256: ${pasted} }\n`);
  const cases: Record<string, Promise<ChorusExit>> = {
    createJson: runChorus(['token', 'create', '--role', 'worker', '--name', 'gpu-pool', '--json'], {
      cleanEnv: true,
    }),
    createText: runChorus(['token', 'create', '--role', 'client', '--name', 'alice'], { cleanEnv: true }),
    hash: runChorus(['token', 'hash'], { cleanEnv: true, stdin: 'chorus_abc\n' }),
    badName: runChorus(['token', 'create', '--role', 'client', '--name', 'no spaces'], { cleanEnv: true }),
    badTokensFile: runChorus(
      ['coordinator', '--auth-tokens', badTokens, '--metrics-port', '0', '--grpc', '127.0.0.1:0'],
      { cleanEnv: true },
    ),
  };
  await Promise.all(
    Object.entries(cases).map(async ([name, run]) => {
      runs[name] = await run;
    }),
  );
  runs.pasted = { code: 0, signal: null, stdout: pasted, stderr: '', seconds: 0 };
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function run(name: string): ChorusExit {
  const r = runs[name];
  assert.ok(r, name);
  return r;
}

test('token create --json gives a token whose hash is the entry; the entry parses as a tokens file', () => {
  const r = run('createJson');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { name: string; role: string; sha256: string; token: string };
  assert.equal(out.name, 'gpu-pool');
  assert.equal(out.role, 'worker');
  assert.equal(out.sha256, hashToken(out.token));
  assert.match(out.token, /^chorus_[A-Za-z0-9_-]{43}$/);
});

test('token create prints the token alone on stdout and the tokens-file entry on stderr', () => {
  const r = run('createText');
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  assert.match(token, /^chorus_\S{43}$/);
  assert.ok(!r.stderr.includes(token), 'the token is printed once, on stdout');
  const entry = r.stderr.split('\n').find((l) => l.trim().startsWith('- {'));
  assert.ok(entry, r.stderr);
  const table = new TokenTable(parseTokensFile(`tokens:\n${entry}\n`, 'pasted'));
  assert.deepEqual(table.verify(token), { name: 'alice', role: 'client' });
});

test('token hash reads the token from stdin', () => {
  const r = run('hash');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), hashToken('chorus_abc'));
});

test('a bad token name is bad input (exit 2)', () => {
  assert.equal(run('badName').code, 2);
  assert.match(run('badName').stderr, /expected 1-64 letters/);
});

test('a coordinator with a bad tokens file does not start, and does not echo what was pasted in it', () => {
  const r = run('badTokensFile');
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /auth tokens file .*tokens\.yaml: tokens\[0\]\.sha256: expected the SHA-256/);
  const pasted = run('pasted').stdout;
  assert.ok(!r.stderr.includes(pasted) && !r.stderr.includes(pasted.slice(7, 30)));
});

test('half a TLS setting on the coordinator is bad input', () => {
  assert.throws(
    () => serverSecurityFrom({ nats: '', natsPrefix: '', grpc: '', tlsCert: 'c.pem' }),
    (err: Error) =>
      err instanceof NonRetryableError && /--tls-cert and --tls-key go together/.test(err.message),
  );
  assert.throws(
    () => serverSecurityFrom({ nats: '', natsPrefix: '', grpc: '', tlsClientCa: 'ca.pem' }),
    /--tls-client-ca needs --tls-cert and --tls-key/,
  );
  assert.deepEqual(
    serverSecurityFrom({
      nats: '',
      natsPrefix: '',
      grpc: '',
      tlsCert: 'c',
      tlsKey: 'k',
      tlsClientCa: 'ca',
      authTokens: 't',
    }),
    { tls: { certFile: 'c', keyFile: 'k', clientCaFile: 'ca' }, authTokensFile: 't' },
  );
});

test('every command that dials the coordinator takes the TLS and token flags; env names are their defaults', () => {
  const program = buildProgram();
  for (const name of ['submit', 'status', 'watch', 'cancel', 'fetch', 'jobs', 'workers', 'worker']) {
    const cmd = program.commands.find((c) => c.name() === name);
    assert.ok(cmd, name);
    const flags = cmd.options.map((o) => o.long);
    for (const flag of ['--tls', '--tls-ca', '--tls-cert', '--tls-key', '--token-file']) {
      assert.ok(flags.includes(flag), `${name} takes ${flag}`);
    }
  }
  const coordinator = program.commands.find((c) => c.name() === 'coordinator');
  const flags = coordinator?.options.map((o) => o.long) ?? [];
  for (const flag of ['--tls-cert', '--tls-key', '--tls-client-ca', '--auth-tokens'])
    assert.ok(flags.includes(flag), flag);
  for (const name of [
    'CHORUS_TOKEN',
    'CHORUS_TOKEN_FILE',
    'CHORUS_TLS',
    'CHORUS_TLS_CA',
    'CHORUS_TLS_CERT',
    'CHORUS_TLS_KEY',
    'CHORUS_TLS_CLIENT_CA',
    'CHORUS_AUTH_TOKENS',
  ]) {
    assert.ok(Object.values(ENV).includes(name as never), `${name} is in cli/env.ts`);
  }
});

test('CHORUS_TLS must be true or false', () => {
  const saved = process.env.CHORUS_TLS;
  try {
    process.env.CHORUS_TLS = 'maybe';
    assert.throws(() => buildProgram(), /CHORUS_TLS: expected true or false, got "maybe"/);
    process.env.CHORUS_TLS = 'yes';
    const jobs = buildProgram().commands.find((c) => c.name() === 'jobs');
    assert.equal(jobs?.options.find((o) => o.long === '--tls')?.defaultValue, true);
  } finally {
    if (saved === undefined) delete process.env.CHORUS_TLS;
    else process.env.CHORUS_TLS = saved;
  }
});

test('client security from flags and environment: the token file wins over CHORUS_TOKEN', async () => {
  const saved = process.env.CHORUS_TOKEN;
  const file = join(dir, 'my.token');
  await writeFile(file, '  chorus_from-file\n');
  try {
    process.env.CHORUS_TOKEN = 'chorus_from-env';
    assert.deepEqual(clientSecurityFrom({}), { token: 'chorus_from-env' });
    assert.deepEqual(clientSecurityFrom({ tokenFile: file }), { token: 'chorus_from-file' });
    assert.deepEqual(clientSecurityFrom({ tls: true }), { tls: {}, token: 'chorus_from-env' });
    assert.deepEqual(clientSecurityFrom({ tlsCa: 'ca.pem' }).tls, { caFile: 'ca.pem' });
    process.env.CHORUS_TOKEN = 'two words';
    assert.throws(
      () => clientSecurityFrom({}),
      (err: Error) =>
        /CHORUS_TOKEN is not a single word/.test(err.message) && !err.message.includes('two words'),
    );
    delete process.env.CHORUS_TOKEN;
    assert.deepEqual(clientSecurityFrom({}), {});
    await writeFile(file, '\n');
    assert.throws(() => clientSecurityFrom({ tokenFile: file }), /the token from the token file .* is empty/);
  } finally {
    if (saved === undefined) delete process.env.CHORUS_TOKEN;
    else process.env.CHORUS_TOKEN = saved;
  }
});
