import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nkeys } from '@nats-io/transport-node';
import { natsSecurityFrom } from '../../cli/flags/natsFlags.ts';
import { ENV } from '../../cli/env.ts';
import { buildProgram } from '../../cli/program.ts';
import { explainNatsConnectFailure } from '../../cluster/nats/connectNats.ts';
import {
  describeNatsSecurity,
  natsClientOptions,
  type NatsClientSecurity,
} from '../../cluster/nats/natsClientSecurity.ts';
import { natsNames } from '../../cluster/nats/natsNames.ts';
import { accountsConfig, permissionsConfig } from '../../cluster/nats/natsAccountsConfig.ts';
import {
  workerAccountLinks,
  workerInboxPrefix,
  workerPermissions,
} from '../../cluster/nats/workerPermissions.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { makeCertificates, type TestCertificates } from '../security/fixtures/certificates.ts';
import { runChorus } from '../support/chorusProcess.ts';

const PASSWORD = 'S3cret-pa55word-that-must-not-leak';
const SERVERS = ['nats://127.0.0.1:4222'];
let dir = '';
let certs: TestCertificates;
let seed = '';
let publicKey = '';
const file = (name: string) => join(dir, name);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-nats-security-'));
  certs = await makeCertificates(dir);
  const pair = nkeys.createUser();
  seed = new TextDecoder().decode(pair.getSeed());
  publicKey = pair.getPublicKey();
  await writeFile(file('password'), `${PASSWORD}\n`);
  await writeFile(file('empty'), '\n');
  await writeFile(file('two-lines'), `${PASSWORD}\nmore\n`);
  await writeFile(file('seed'), `${seed}\n`);
  await writeFile(file('public-key'), `${publicKey}\n`);
  await writeFile(file('not-a-seed'), `SU${PASSWORD}\n`);
});

after(() => rm(dir, { recursive: true, force: true }));

/** The error `f` throws, checked to be a NonRetryableError that does not quote the secrets. */
function refusal(f: () => unknown): string {
  let caught: unknown;
  try {
    f();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof NonRetryableError, `expected a NonRetryableError, got ${String(caught)}`);
  for (const secret of [PASSWORD, seed]) assert.ok(!caught.message.includes(secret), caught.message);
  return caught.message;
}

test('URL credentials keep working; a user and password file or password become user/pass', () => {
  assert.deepEqual(natsClientOptions(['nats://u:p%40ss@h:4222']), {
    servers: ['nats://h:4222'],
    user: 'u',
    pass: 'p@ss',
  });
  assert.deepEqual(natsClientOptions(SERVERS, { user: 'worker', passwordFile: file('password') }), {
    servers: SERVERS,
    user: 'worker',
    pass: PASSWORD,
  });
  assert.deepEqual(natsClientOptions(SERVERS, { user: 'worker', password: 'from-env' }).pass, 'from-env');
  // The file wins over the value.
  assert.equal(
    natsClientOptions(SERVERS, { user: 'w', password: 'from-env', passwordFile: file('password') }).pass,
    PASSWORD,
  );
  assert.deepEqual(natsClientOptions(SERVERS), { servers: SERVERS });
});

test('settings that cannot work are refused, naming the flag or file and never the secret', () => {
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { user: 'w' })),
    /--nats-user needs a password/,
  );
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { password: PASSWORD })),
    /password is given without a user/,
  );
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { user: 'w', password: PASSWORD, nkeySeedFile: file('seed') })),
    /two ways to log in/,
  );
  assert.match(
    refusal(() => natsClientOptions(['nats://u:p@h:1'], { user: 'w', password: PASSWORD })),
    /the URL carries credentials/,
  );
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { user: 'w', passwordFile: file('missing') })),
    /cannot read the NATS password file .*missing: no such file/,
  );
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { user: 'w', passwordFile: file('empty') })),
    /password file .*empty is empty/,
  );
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { user: 'w', passwordFile: file('two-lines') })),
    /holds more than one line/,
  );
  for (const name of ['public-key', 'not-a-seed', 'password']) {
    assert.match(
      refusal(() => natsClientOptions(SERVERS, { nkeySeedFile: file(name) })),
      new RegExp(`${name} does not hold an nkey user seed`),
    );
  }
});

test('an nkey seed file signs the server nonce as its public key', () => {
  const options = natsClientOptions(SERVERS, { nkeySeedFile: file('seed') });
  assert.equal(options.user, undefined);
  const authenticator = options.authenticator;
  assert.ok(typeof authenticator === 'function', 'one authenticator');
  const auth = authenticator('a-nonce') as { nkey: string; sig: string };
  assert.equal(auth.nkey, publicKey);
  assert.ok(
    nkeys.fromPublic(publicKey).verify(new TextEncoder().encode('a-nonce'), nkeys.decode(auth.sig)),
    'the signature verifies with the public key',
  );
});

test('TLS files are read and checked at start', () => {
  const tls = natsClientOptions(SERVERS, {
    tls: { caFile: certs.ca.cert, certFile: certs.client.cert, keyFile: certs.client.key },
  }).tls;
  assert.match(String(tls?.ca), /BEGIN CERTIFICATE/);
  assert.match(String(tls?.cert), /BEGIN CERTIFICATE/);
  assert.match(String(tls?.key), /PRIVATE KEY/);
  // The CA alone turns TLS on (required of the server).
  assert.deepEqual(Object.keys(natsClientOptions(SERVERS, { tls: { caFile: certs.ca.cert } }).tls ?? {}), [
    'ca',
  ]);
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { tls: { certFile: certs.client.cert } })),
    /--nats-tls-cert and --nats-tls-key go together/,
  );
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { tls: { caFile: certs.ca.key } })),
    /chorus-test-ca\.key is not a PEM certificate/,
  );
  assert.match(
    refusal(() =>
      natsClientOptions(SERVERS, { tls: { certFile: certs.client.cert, keyFile: certs.server.key } }),
    ),
    /the NATS TLS files cannot be used together/,
  );
  assert.match(
    refusal(() => natsClientOptions(SERVERS, { tls: { caFile: file('nope.crt') } })),
    /cannot read the NATS TLS CA file .*nope\.crt: no such file/,
  );
});

test('the start-up description names users and files, never a secret', () => {
  const cases: [NatsClientSecurity, string[], RegExp][] = [
    [
      { user: 'worker', passwordFile: file('password') },
      SERVERS,
      /^user "worker" with a password from .*password, TLS only if/,
    ],
    [{ user: 'worker', password: PASSWORD }, SERVERS, /^user "worker" with a password, /],
    [
      { nkeySeedFile: file('seed'), tls: { caFile: certs.ca.cert } },
      SERVERS,
      /^the nkey seed in .*seed, TLS trusting .*ca\.crt$/,
    ],
    [{}, ['nats://u:p@h:1'], /^user "u" with a password, /],
    [{}, SERVERS, /^no credentials, /],
  ];
  for (const [security, servers, want] of cases) {
    const text = describeNatsSecurity(natsClientOptions(servers, security), security);
    assert.match(text, want);
    assert.ok(!text.includes(PASSWORD) && !text.includes(seed), text);
  }
});

test('connection failures get a hint at the setting to fix', () => {
  const untrusted = Object.assign(new Error('unable to verify the first certificate'), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  });
  assert.match(
    explainNatsConnectFailure(untrusted, false),
    /--nats-tls-ca \(CHORUS_NATS_TLS_CA\) must name the CA/,
  );
  const auth = Object.assign(new Error('Authorization Violation'), { name: 'AuthorizationError' });
  assert.match(explainNatsConnectFailure(auth, false), /refused these credentials/);
  assert.match(
    explainNatsConnectFailure(new Error("server does not support 'tls'"), true),
    /does not offer TLS/,
  );
  const timeout = Object.assign(new Error('timeout'), { name: 'TimeoutError' });
  assert.match(explainNatsConnectFailure(timeout, true), /give --nats-tls-cert and --nats-tls-key/);
  assert.equal(explainNatsConnectFailure(new Error('connection refused'), false), 'connection refused');
});

test('the CLI flags and environment become the security settings; the password has no flag', () => {
  const saved = process.env[ENV.natsPassword];
  try {
    process.env[ENV.natsPassword] = 'from-env';
    assert.deepEqual(natsSecurityFrom({ natsUser: 'w' }), { user: 'w', password: 'from-env' });
    assert.deepEqual(natsSecurityFrom({ natsUser: 'w', natsPasswordFile: 'f' }), {
      user: 'w',
      passwordFile: 'f',
    });
    delete process.env[ENV.natsPassword];
    assert.deepEqual(
      natsSecurityFrom({ natsNkeyFile: 's', natsTlsCa: 'ca', natsTlsCert: 'c', natsTlsKey: 'k' }),
      {
        nkeySeedFile: 's',
        tls: { caFile: 'ca', certFile: 'c', keyFile: 'k' },
      },
    );
  } finally {
    if (saved === undefined) delete process.env[ENV.natsPassword];
    else process.env[ENV.natsPassword] = saved;
  }
  for (const command of ['coordinator', 'worker']) {
    const flags = buildProgram()
      .commands.find((c) => c.name() === command)
      ?.options.map((o) => o.long);
    for (const flag of [
      '--nats-user',
      '--nats-password-file',
      '--nats-nkey-file',
      '--nats-tls-ca',
      '--nats-tls-cert',
      '--nats-tls-key',
    ]) {
      assert.ok(flags?.includes(flag), `chorus ${command} ${flag}`);
    }
    assert.ok(!flags?.includes('--nats-password'), 'no flag takes the password itself');
  }
});

/** NATS subject matching: `*` one token, `>` one or more at the end. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

test("the worker's permissions allow its work and none of the coordinator's", () => {
  const prefix = 'chorus';
  const n = natsNames(prefix);
  const { publish, subscribe } = workerPermissions(prefix, 'gpu-a');
  const canPublish = (subject: string) => publish.allow.some((p) => matches(p, subject));
  const canSubscribe = (subject: string) => subscribe.allow.some((p) => matches(p, subject));
  for (const subject of [
    `$JS.API.CONSUMER.MSG.NEXT.${n.taskStream}.${n.taskConsumer}`,
    `$JS.ACK.${n.taskStream}.${n.taskConsumer}.1.2.3.4.5`,
    n.resultSubject('job-1'),
    n.progressSubject('job-1'),
    `$KV.${n.workersBucket}.${n.workerKey('gpu-a', 'host-1')}`,
    `$JS.API.STREAM.MSG.GET.KV_${n.stateBucket}`,
    `$O.${n.artifactsBucket}.C.abc`,
    `$JS.API.DIRECT.GET.OBJ_${n.artifactsBucket}`,
    `$JS.API.STREAM.MSG.GET.OBJ_${n.artifactsBucket}`,
  ]) {
    assert.ok(canPublish(subject), `may publish ${subject}`);
  }
  for (const subject of [
    n.taskSubject('job-1'),
    `$KV.${n.stateBucket}.${n.jobKey('job-1')}`,
    `$KV.${n.workersBucket}.${n.workerKey('gpu-b', 'host-1')}`,
    `$JS.API.STREAM.CREATE.${n.taskStream}`,
    `$JS.API.STREAM.UPDATE.${n.taskStream}`,
    `$JS.API.STREAM.DELETE.${n.taskStream}`,
    `$JS.API.STREAM.DELETE.OBJ_${n.artifactsBucket}`,
    `$JS.API.STREAM.PURGE.${n.taskStream}`,
    `$JS.API.STREAM.PURGE.OBJ_${n.artifactsBucket}`,
    `$JS.API.STREAM.MSG.DELETE.OBJ_${n.artifactsBucket}`,
    `$JS.API.CONSUMER.CREATE.${n.taskStream}`,
    `$JS.API.CONSUMER.CREATE.OBJ_${n.artifactsBucket}`,
    `$JS.API.CONSUMER.DELETE.${n.taskStream}.${n.taskConsumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${n.resultStream}.${n.resultConsumer}`,
    `$JS.ACK.${n.resultStream}.${n.resultConsumer}.1.2.3.4.5`,
    `${prefix}.cancel.job-1`,
    'other.tasks.job-1',
  ]) {
    assert.ok(!canPublish(subject), `may not publish ${subject}`);
  }
  assert.ok(canSubscribe(`${workerInboxPrefix(prefix, 'gpu-a')}.abc.1`));
  assert.ok(canSubscribe(`${prefix}.cancel.job-1`));
  for (const subject of [
    '_INBOX.abc',
    '_INBOX.>',
    `${workerInboxPrefix(prefix, 'gpu-b')}.abc.1`,
    n.taskSubject('job-1'),
    n.resultSubject('job-1'),
  ]) {
    assert.ok(!canSubscribe(subject), `may not subscribe to ${subject}`);
  }
  // A worker may publish only what its account imports: the two lists agree but for the heartbeats.
  const imported = workerAccountLinks(prefix).services.map((s) => s.subject);
  assert.deepEqual(
    publish.allow.filter((p) => !imported.includes(p)),
    [`$KV.${n.workersBucket}.worker.gpu-a.*`],
  );
  // Every subject is quoted in the config text.
  const text = permissionsConfig(workerPermissions(prefix), 2);
  for (const s of [...publish.allow, ...subscribe.allow]) {
    if (!s.includes('gpu-a')) assert.ok(text.includes(JSON.stringify(s)), s);
  }
});

test('`chorus nats-permissions` prints the accounts for a prefix and worker name', async () => {
  const exit = await runChorus(['nats-permissions', '--nats-prefix', 'team-a', '--worker-name', 'gpu-a'], {
    cleanEnv: true,
  });
  assert.equal(exit.code, 0, exit.stderr);
  assert.ok(exit.stdout.includes(`${accountsConfig({ prefix: 'team-a', workerName: 'gpu-a' })}\n`));
  assert.match(exit.stdout, /"team-a\.results\.>"/);
  assert.match(exit.stdout, /"\$KV\.team-a-workers\.worker\.gpu-a\.\*"/);
  const json = await runChorus(['nats-permissions', '--json'], { cleanEnv: true });
  const parsed = JSON.parse(json.stdout) as { permissions: unknown };
  assert.deepEqual(parsed.permissions, workerPermissions('chorus', 'worker'));
  const bad = await runChorus(['nats-permissions', '--worker-name', 'a.b'], { cleanEnv: true });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid worker name "a\.b"/);
});
