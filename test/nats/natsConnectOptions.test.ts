import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '@nats-io/transport-node';
import { ensureResources } from '../../coordinator/nats/ensureResources.ts';
import { natsConnectOptions, redactNatsUrl } from '../../cluster/nats/natsConnectOptions.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { startNatsServer, type NatsServer } from '../support/natsServer.ts';

const USER = 'chorus';
// Characters that must be percent-encoded in a URL: the helper must decode them.
const PASSWORD = 'pa:ss@w/rd%1';
const encoded = encodeURIComponent(PASSWORD);

test('credentials leave the URLs and become user/pass; the servers keep scheme, host and port', () => {
  assert.deepEqual(
    natsConnectOptions([`nats://${USER}:${encoded}@nats-0:4222`, `nats://${USER}:${encoded}@nats-1:4222`]),
    {
      servers: ['nats://nats-0:4222', 'nats://nats-1:4222'],
      user: USER,
      pass: PASSWORD,
    },
  );
  // One URL with credentials is enough: the others share the login.
  assert.deepEqual(natsConnectOptions(['tls://a:1', `tls://${USER}:${encoded}@b:2`]), {
    servers: ['tls://a:1', 'tls://b:2'],
    user: USER,
    pass: PASSWORD,
  });
  assert.deepEqual(natsConnectOptions(['nats://127.0.0.1:4222', 'localhost:4223']), {
    servers: ['nats://127.0.0.1:4222', 'localhost:4223'],
  });
  assert.deepEqual(natsConnectOptions(['nats://[::1]:4222']), { servers: ['nats://[::1]:4222'] });
  // A user without a password is a token, as NATS URLs carry one.
  assert.deepEqual(natsConnectOptions(['nats://s3cret-token@h:4222']), {
    servers: ['nats://h:4222'],
    token: 's3cret-token',
  });
});

test('bad URLs are refused without echoing their passwords', () => {
  const differs = () => natsConnectOptions([`nats://${USER}:${encoded}@a:1`, 'nats://other:pw2@b:1']);
  assert.throws(differs, NonRetryableError);
  assert.throws(differs, (err: Error) => !err.message.includes(encoded) && !err.message.includes('pw2'));
  assert.throws(differs, /different credentials/);
  const invalid = () => natsConnectOptions(['nats://u:hunter2@bad host:4222']);
  assert.throws(invalid, /is not a NATS URL/);
  assert.throws(invalid, (err: Error) => !err.message.includes('hunter2'));
  assert.throws(() => natsConnectOptions([]), /no NATS server URL/);
});

test('redactNatsUrl hides credentials and keeps the rest', () => {
  assert.equal(redactNatsUrl(`nats://${USER}:${encoded}@nats:4222`), 'nats://***@nats:4222');
  assert.equal(redactNatsUrl('nats://nats:4222'), 'nats://nats:4222');
  assert.equal(redactNatsUrl('h:4222'), 'h:4222');
  assert.equal(redactNatsUrl('nats://u:pw@bad host'), '<invalid NATS URL>');
});

let srv: NatsServer;
before(async () => {
  srv = await startNatsServer({ auth: { user: USER, password: PASSWORD } });
});
after(async () => {
  await srv.stop();
});

test('against a server that requires a password: the URL credentials log in, nats.js alone would not', async () => {
  const url = `nats://${USER}:${encoded}@127.0.0.1:${srv.port}`;
  // nats.js ignores credentials in a server URL: the reason for natsConnectOptions.
  await assert.rejects(connect({ servers: [url], maxReconnectAttempts: 0 }), { name: 'AuthorizationError' });

  const nc = await connect({ ...natsConnectOptions([url]), maxReconnectAttempts: 0 });
  try {
    const resources = await ensureResources(nc, { prefix: 'credtest' });
    await resources.state.put('probe', 'ok');
    assert.equal((await resources.state.get('probe'))?.string(), 'ok');
  } finally {
    await nc.close();
  }
});

test('a wrong password fails with an authorization error that does not contain it', async () => {
  const wrong = 'not-the-password';
  const err = await connect({
    ...natsConnectOptions([`nats://${USER}:${wrong}@127.0.0.1:${srv.port}`]),
    maxReconnectAttempts: 0,
  }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.ok(err, 'the connection is refused');
  assert.equal(err.name, 'AuthorizationError');
  assert.ok(!`${err.message}\n${err.stack ?? ''}`.includes(wrong));
});
