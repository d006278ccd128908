import assert from 'node:assert/strict';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connectCoordinator } from '../../cluster/client/coordinatorConnection.ts';
import { connectDataPlane } from '../../cluster/client/dataPlaneConnection.ts';
import { clientConnectOptions, type ClientSecurity } from '../../cluster/grpc/authClient.ts';
import { clientTlsCredentials, serverTls, type ServerTls } from '../../cluster/grpc/authTls.ts';
import { generateToken, hashToken, TokenTable } from '../../cluster/grpc/authTokens.ts';
import { CoordinatorUnreachableError } from '../../cluster/errors.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { makeCertificates, type TestCertificates } from './fixtures/certificates.ts';
import { RPC_CALLS, outcomeOf } from './fixtures/rpcCalls.ts';
import { startSecuredServer, type SecuredServer } from './fixtures/securedServer.ts';

/** TLS and mutual TLS over real gRPC on loopback, with certificates made by openssl for the test. */

let dir = '';
let certs: TestCertificates;
const servers: { s: SecuredServer; tls: ServerTls }[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-tls-'));
  certs = await makeCertificates(dir);
});
after(async () => {
  for (const { s, tls } of servers) {
    tls.close();
    await s.server.close(100);
  }
  await rm(dir, { recursive: true, force: true });
});

async function tlsServer(
  options: {
    mutual?: boolean;
    tokens?: TokenTable;
    certFile?: string;
    keyFile?: string;
    watchIntervalMs?: number;
  } = {},
): Promise<SecuredServer> {
  const tls = serverTls(
    {
      certFile: options.certFile ?? certs.server.cert,
      keyFile: options.keyFile ?? certs.server.key,
      ...(options.mutual ? { clientCaFile: certs.ca.cert } : {}),
    },
    { watchIntervalMs: options.watchIntervalMs ?? 0 },
  );
  const s = await startSecuredServer({
    credentials: tls.credentials,
    ...(options.tokens ? { tokens: options.tokens } : {}),
  });
  servers.push({ s, tls });
  return s;
}

/** ListJobs with this security; the error thrown, or undefined on success. Also checks it failed fast. */
async function listJobs(address: string, security: ClientSecurity): Promise<Error | undefined> {
  const client = connectCoordinator(address, { deadlineMs: 8000, ...clientConnectOptions(security) });
  const started = Date.now();
  try {
    await client.listJobs();
    return undefined;
  } catch (err) {
    assert.ok(Date.now() - started < 5000, 'a TLS failure is reported at once, not at the deadline');
    return err as Error;
  } finally {
    client.close();
  }
}

test('a TLS coordinator serves a client that trusts its CA', async () => {
  const s = await tlsServer();
  assert.equal(await listJobs(s.server.address, { tls: { caFile: certs.ca.cert } }), undefined);
  assert.equal(s.calls.get('listJobs'), 1);
});

test('a plaintext client to a TLS coordinator fails cleanly, hinting at TLS', async () => {
  const s = await tlsServer();
  const err = await listJobs(s.server.address, {});
  assert.ok(err instanceof CoordinatorUnreachableError, String(err));
  assert.match(err.message, /cannot reach the coordinator at 127\.0\.0\.1:\d+/);
  assert.match(err.message, /if the coordinator uses TLS, give --tls-ca/);
  assert.equal(s.totalCalls(), 0);
});

test('a client that trusts another CA is refused with a certificate error', async () => {
  const s = await tlsServer();
  for (const security of [{ tls: { caFile: certs.otherCa.cert } }, { tls: {} }] satisfies ClientSecurity[]) {
    const err = await listJobs(s.server.address, security);
    assert.ok(err instanceof CoordinatorUnreachableError, String(err));
    assert.match(err.message, /certificate/);
    assert.match(err.message, /--tls-ca \(CHORUS_TLS_CA\) must name the CA that signed it/);
  }
  assert.equal(s.totalCalls(), 0);
});

test('a TLS client to a plaintext coordinator fails, saying it does not speak TLS', async () => {
  const s = await startSecuredServer();
  try {
    const err = await listJobs(s.server.address, { tls: { caFile: certs.ca.cert } });
    assert.ok(err instanceof CoordinatorUnreachableError, String(err));
    assert.match(err.message, /does not speak TLS/);
    assert.doesNotMatch(err.message, /deps\/openssl|\n/, 'OpenSSL noise is trimmed');
  } finally {
    await s.server.close(100);
  }
});

test('mutual TLS: no client certificate, or one from another CA, is refused; the right one works', async () => {
  const s = await tlsServer({ mutual: true });
  const noCert = await listJobs(s.server.address, { tls: { caFile: certs.ca.cert } });
  assert.ok(noCert instanceof CoordinatorUnreachableError, String(noCert));
  assert.match(noCert.message, /requires a client certificate/);
  const foreign = await listJobs(s.server.address, {
    tls: { caFile: certs.ca.cert, certFile: certs.otherClient.cert, keyFile: certs.otherClient.key },
  });
  assert.ok(foreign instanceof CoordinatorUnreachableError, String(foreign));
  assert.equal(s.totalCalls(), 0);
  const ok = await listJobs(s.server.address, {
    tls: { caFile: certs.ca.cert, certFile: certs.client.cert, keyFile: certs.client.key },
  });
  assert.equal(ok, undefined);
  assert.equal(s.calls.get('listJobs'), 1);
});

test('mutual TLS and tokens together: the data plane with a worker token streams logits', async () => {
  const workerToken = generateToken();
  const tokens = new TokenTable([{ name: 'w', role: 'worker', sha256: hashToken(workerToken) }]);
  const s = await tlsServer({ mutual: true, tokens });
  const tls = { caFile: certs.ca.cert, certFile: certs.client.cert, keyFile: certs.client.key };
  const plane = connectDataPlane(s.server.address, clientConnectOptions({ tls, token: workerToken }));
  const coordinator = connectCoordinator(s.server.address, clientConnectOptions({ tls, token: workerToken }));
  try {
    const put = await outcomeOf(RPC_CALLS.PutLogits!(coordinator, plane));
    assert.equal(put.code, 0, put.details);
    assert.equal(s.recorded.logits.length, 1);
    const denied = await outcomeOf(coordinator.listJobs());
    assert.equal(denied.code, 7, 'a valid certificate does not lift the role check (PERMISSION_DENIED)');
  } finally {
    plane.close();
    coordinator.close();
  }
});

test('a renewed server certificate is picked up without a restart', async () => {
  const certFile = join(dir, 'live.crt');
  const keyFile = join(dir, 'live.key');
  await copyFile(certs.server.cert, certFile);
  await copyFile(certs.server.key, keyFile);
  const s = await tlsServer({ certFile, keyFile, watchIntervalMs: 50 });
  const renewed = { tls: { caFile: certs.otherCa.cert } };
  assert.ok(await listJobs(s.server.address, renewed), 'not trusted before the renewal');
  // Key first, then certificate: in between the pair does not match and the old one stays in use.
  await copyFile(certs.otherServer.key, keyFile);
  await copyFile(certs.otherServer.cert, certFile);
  const end = Date.now() + 5000;
  let err = await listJobs(s.server.address, renewed);
  while (err && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    err = await listJobs(s.server.address, renewed);
  }
  assert.equal(err, undefined, 'clients trusting the new CA connect after the renewal');
  assert.ok(await listJobs(s.server.address, { tls: { caFile: certs.ca.cert } }), 'the old chain is gone');
});

test('bad TLS files fail at start, naming the file, without file contents', () => {
  assert.throws(
    () => serverTls({ certFile: certs.server.cert, keyFile: certs.client.key }, { watchIntervalMs: 0 }),
    (err: Error) =>
      err instanceof NonRetryableError &&
      /server\.crt and key .*client\.key cannot be used together/.test(err.message) &&
      !err.message.includes('PRIVATE KEY'),
  );
  assert.throws(
    () => serverTls({ certFile: join(dir, 'nope.crt'), keyFile: certs.server.key }, { watchIntervalMs: 0 }),
    /cannot read the TLS certificate .*nope\.crt: no such file/,
  );
  assert.throws(
    () => serverTls({ certFile: certs.server.key, keyFile: certs.server.key }, { watchIntervalMs: 0 }),
    /server\.key is not a PEM certificate/,
  );
  assert.throws(
    () => clientTlsCredentials({ certFile: certs.client.cert }),
    /--tls-cert and --tls-key go together/,
  );
  assert.throws(() => clientTlsCredentials({ caFile: join(dir, 'none.pem') }), /cannot read the TLS CA file/);
});
