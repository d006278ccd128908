import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, before, test } from 'node:test';
import { connectCoordinator } from '../../cluster/client/coordinatorConnection.ts';
import { connectDataPlane } from '../../cluster/client/dataPlaneConnection.ts';
import { type ConnectOptions } from '../../cluster/client/connection.ts';
import { RPC_ROLES } from '../../coordinator/grpc/auth.ts';
import { generateToken, hashToken, TokenTable } from '../../cluster/grpc/authTokens.ts';
import { loadChorusProto } from '../../proto/loadProto.ts';
import { rawCoordinator } from '../grpc/fixtures/rawClients.ts';
import { startSecuredServer, type SecuredServer } from './fixtures/securedServer.ts';
import { outcomeOf, RPC_CALLS, type CallOutcome } from './fixtures/rpcCalls.ts';

/** Bearer tokens over real gRPC on loopback: every RPC, every kind of bad credential, both roles. */

const clientToken = generateToken();
const workerToken = generateToken();
const tokens = new TokenTable([
  { name: 'alice', role: 'client', sha256: hashToken(clientToken) },
  { name: 'gpu-workers', role: 'worker', sha256: hashToken(workerToken) },
]);
const CLIENT_RPCS = Object.keys(RPC_CALLS).filter((r) => r !== 'PutLogits');

let s: SecuredServer;
before(async () => {
  s = await startSecuredServer({ tokens });
});
after(async () => {
  await s.server.close(100);
});

/** Calls `rpc` with fresh connections carrying `options` (a token, or none). */
async function call(rpc: string, options: ConnectOptions = {}): Promise<CallOutcome> {
  const c = connectCoordinator(s.server.address, { deadlineMs: 5000, ...options });
  const p = connectDataPlane(s.server.address, { deadlineMs: 5000, ...options });
  try {
    const run = RPC_CALLS[rpc];
    assert.ok(run, rpc);
    return await outcomeOf(run(c, p));
  } finally {
    c.close();
    p.close();
  }
}

function assertNoSecret(o: CallOutcome, rpc: string): void {
  for (const secret of [clientToken, workerToken]) {
    assert.ok(!o.details.includes(secret) && !o.message.includes(secret), `${rpc}: a token in the error`);
  }
}

test('every RPC of proto/chorus.proto has roles: clients run and read jobs, workers only stream logits', () => {
  const proto = loadChorusProto();
  const rpcs = [...Object.keys(proto.Coordinator.service), ...Object.keys(proto.DataPlane.service)].sort();
  assert.deepEqual(Object.keys(RPC_ROLES).sort(), rpcs);
  assert.deepEqual(Object.keys(RPC_CALLS).sort(), rpcs, 'the test calls every RPC');
  for (const rpc of rpcs)
    assert.deepEqual(RPC_ROLES[rpc], rpc === 'PutLogits' ? ['worker'] : ['client'], rpc);
});

test('no token: every RPC is UNAUTHENTICATED and no handler runs', async () => {
  for (const rpc of Object.keys(RPC_CALLS)) {
    const o = await call(rpc);
    assert.equal(o.code, grpc.status.UNAUTHENTICATED, `${rpc}: ${o.details}`);
    assert.match(o.details, /missing credentials/);
    assert.match(o.message, /UNAUTHENTICATED/, 'the client error names the status');
  }
  assert.equal(s.totalCalls(), 0, `handlers called: ${JSON.stringify([...s.calls])}`);
  assert.equal(s.recorded.submitted.length + s.recorded.logits.length + s.recorded.cancelled.length, 0);
});

test('a wrong token: every RPC is UNAUTHENTICATED, and the token is not echoed', async () => {
  const wrong = generateToken();
  for (const rpc of Object.keys(RPC_CALLS)) {
    const o = await call(rpc, { token: wrong });
    assert.equal(o.code, grpc.status.UNAUTHENTICATED, `${rpc}: ${o.details}`);
    assert.equal(o.details, 'invalid token');
    assert.ok(!o.message.includes(wrong));
  }
  // A token that differs only in its last character, and one that is a prefix of a valid one. (The last
  // character is random: replacing it with a fixed one was the same token once in 64 runs.)
  const otherLast = clientToken.endsWith('A') ? 'B' : 'A';
  for (const near of [`${clientToken.slice(0, -1)}${otherLast}`, clientToken.slice(0, 20)]) {
    assert.equal((await call('ListJobs', { token: near })).code, grpc.status.UNAUTHENTICATED);
  }
  assert.equal(s.totalCalls(), 0);
});

test('a worker token on a client RPC is PERMISSION_DENIED and changes nothing', async () => {
  for (const rpc of CLIENT_RPCS) {
    const o = await call(rpc, { token: workerToken });
    assert.equal(o.code, grpc.status.PERMISSION_DENIED, `${rpc}: ${o.details}`);
    assert.equal(o.details, `token "gpu-workers" has role worker, which may not call ${rpc}`);
    assertNoSecret(o, rpc);
  }
  assert.equal(s.totalCalls(), 0);
  assert.equal(s.recorded.submitted.length, 0, 'SubmitJob did not reach the handler');
  assert.equal(s.recorded.cancelled.length, 0, 'CancelJob did not reach the handler');
});

test('a client token on PutLogits is PERMISSION_DENIED; no logits are accepted', async () => {
  const o = await call('PutLogits', { token: clientToken });
  assert.equal(o.code, grpc.status.PERMISSION_DENIED);
  assert.match(o.details, /token "alice" has role client, which may not call PutLogits/);
  assertNoSecret(o, 'PutLogits');
  assert.equal(s.recorded.logits.length, 0);
  assert.equal(s.totalCalls(), 0);
});

test('the right tokens work: a client token for every client RPC, a worker token for PutLogits', async () => {
  for (const rpc of CLIENT_RPCS) {
    const o = await call(rpc, { token: clientToken });
    assert.equal(o.code, grpc.status.OK, `${rpc}: ${o.details}`);
  }
  const put = await call('PutLogits', { token: workerToken });
  assert.equal(put.code, grpc.status.OK, put.details);
  assert.equal(s.recorded.submitted.length, 1);
  assert.deepEqual(s.recorded.cancelled, ['job-1']);
  assert.equal(s.recorded.logits.length, 1);
  assert.deepEqual([...s.recorded.logits[0]!.values], [1, 2, 3, 4, 5, 6]);
  for (const name of [
    'submitJob',
    'getJob',
    'watchJob',
    'cancelJob',
    'listJobs',
    'listWorkers',
    'getReport',
  ]) {
    assert.equal(s.calls.get(name), 1, name);
  }
  assert.deepEqual(s.internalErrors, []);
});

test('a refused upload is answered at once, without reading the upload', async () => {
  const c = connectCoordinator(s.server.address);
  const handled = s.totalCalls();
  const started = Date.now();
  try {
    const big = [{ path: 'big.bin', bytes: new Uint8Array(48 * 1024 * 1024) }];
    const o = await outcomeOf(c.submitJob('name: x\n', 'x.yaml', big));
    assert.equal(o.code, grpc.status.UNAUTHENTICATED);
  } finally {
    c.close();
  }
  assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  assert.equal(s.totalCalls(), handled);
});

test('malformed authorization headers are UNAUTHENTICATED; the scheme is case-insensitive', async () => {
  const client = rawCoordinator(s.server.address);
  const listJobs = (values: string[]) => {
    const metadata = new grpc.Metadata();
    for (const v of values) metadata.add('authorization', v);
    return new Promise<grpc.status>((resolve) => {
      client.ListJobs({}, metadata, (err) => resolve(err ? err.code : grpc.status.OK));
    });
  };
  try {
    const before = s.totalCalls();
    assert.equal(await listJobs([`Basic ${clientToken}`]), grpc.status.UNAUTHENTICATED);
    assert.equal(await listJobs(['Bearer ']), grpc.status.UNAUTHENTICATED);
    assert.equal(await listJobs([clientToken]), grpc.status.UNAUTHENTICATED);
    assert.equal(await listJobs([`Bearer ${clientToken} extra`]), grpc.status.UNAUTHENTICATED);
    // (Two authorization headers cannot be sent: Node's HTTP/2 allows it only once.)
    assert.equal(s.totalCalls(), before);
    assert.equal(await listJobs([`bearer ${clientToken}`]), grpc.status.OK);
    assert.equal(s.totalCalls(), before + 1);
  } finally {
    client.close();
  }
});

test('refused calls are reported (rpc, peer, reason) without the presented token', () => {
  assert.ok(s.refused.length > 0);
  for (const r of s.refused) {
    assert.ok(r.rpc in RPC_ROLES, r.rpc);
    assert.match(r.peer, /127\.0\.0\.1/);
    const text = JSON.stringify(r);
    assert.ok(!text.includes(clientToken) && !text.includes(workerToken), text);
  }
  const codes = new Set(s.refused.map((r) => r.code));
  assert.ok(codes.has(grpc.status.UNAUTHENTICATED) && codes.has(grpc.status.PERMISSION_DENIED));
});

test('without a token table the server lets every call through (authentication off)', async () => {
  const open = await startSecuredServer();
  const c = connectCoordinator(open.server.address);
  try {
    assert.equal((await c.listJobs()).length, 2);
    assert.equal(open.calls.get('listJobs'), 1);
  } finally {
    c.close();
    await open.server.close(100);
  }
});
