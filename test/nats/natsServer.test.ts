import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { findNatsServer, startNatsServer } from '../support/natsServer.ts';

test('a missing nats-server is a clear error that says how to install it', () => {
  assert.throws(() => findNatsServer('/nonexistent-dir', []), /apt-get install nats-server/);
});

test('the launcher starts a real server, applies max_payload, survives kill + restart, and cleans up', async () => {
  const srv = await startNatsServer({ maxPayload: 64 * 1024 });
  try {
    assert.match(srv.url, /^nats:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(existsSync(srv.storeDir));
    const nc = await connect({ servers: srv.url });
    assert.equal(nc.info?.max_payload, 64 * 1024);
    assert.equal(nc.info?.jetstream, true);
    await nc.close();

    const firstPid = srv.pid;
    srv.kill();
    await srv.restart();
    assert.notEqual(srv.pid, firstPid);
    const again = await connect({ servers: srv.url });
    assert.equal(again.info?.port, srv.port);
    await again.close();
  } finally {
    await srv.stop();
  }
  assert.equal(existsSync(srv.storeDir), false);
  await assert.rejects(connect({ servers: srv.url, reconnect: false, timeout: 500 }));
});
