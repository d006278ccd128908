import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import {
  connectCoordinator,
  type CoordinatorConnection,
} from '../../cluster/client/coordinatorConnection.ts';
import type { JobEvent, SubmitJobRequest } from '../../cluster/api/apiTypes.ts';
import { ChorusError, JobSpecError, NonRetryableError } from '../../core/errors.ts';
import { CoordinatorUnreachableError, NotFoundError } from '../../cluster/errors.ts';
import {
  events,
  finishedSummary,
  report,
  startTestServer,
  status,
  summary,
  workers,
  type TestServer,
} from './fixtures/fakeHandlers.ts';

let t: TestServer;
let client: CoordinatorConnection;
const submitted: SubmitJobRequest[] = [];

before(async () => {
  t = await startTestServer({
    submitJob: async (request) => {
      submitted.push(request);
      if (request.jobText.includes('bad')) {
        throw new JobSpecError(
          [
            { path: 'members[0].train.epochs', message: 'expected a positive integer' },
            { path: 'data.source', message: 'unknown source "mnst" — did you mean "mnist"?' },
          ],
          request.fileName,
        );
      }
      if (request.jobText.includes('crash')) throw new TypeError('cannot read properties of undefined');
      if (request.jobText.includes('retry'))
        throw new NonRetryableError('data file x.csv: row 3 has 4 columns');
      return { jobId: 'job-1', name: 'mnist-demo', tasks: 6, alreadyDone: request.fresh ? 0 : 2 };
    },
  });
  client = connectCoordinator(t.server.address);
});

after(async () => {
  client.close();
  await t.server.close();
});

test('GetJob returns the job and every task, optional fields only where set', async () => {
  const got = await client.getJob('job-1');
  assert.deepEqual(got, status);
  assert.equal('lastError' in got.tasks[1]!, false);
  assert.equal('finishedAt' in got, false);
});

test('ListJobs, ListWorkers, CancelJob and GetReport round-trip', async () => {
  assert.deepEqual(await client.listJobs(), [summary, finishedSummary]);
  assert.deepEqual(await client.listWorkers(), workers);
  assert.deepEqual(await client.cancelJob('job-1'), {
    ...summary,
    state: 'cancelled',
    finishedAt: 1_764_000_020_000,
  });
  assert.deepEqual(t.recorded.cancelled, ['job-1']);
  assert.deepEqual(await client.getReport('job-1'), report);
});

test('SubmitJob passes the job text, file name and options; the reply comes back', async () => {
  const reply = await client.submitJob('name: demo\n', 'examples/demo.yaml', [], { fresh: true });
  assert.deepEqual(reply, { jobId: 'job-1', name: 'mnist-demo', tasks: 6, alreadyDone: 0 });
  const got = submitted.at(-1);
  assert.deepEqual(got, { fileName: 'examples/demo.yaml', jobText: 'name: demo\n', fresh: true, files: [] });
  assert.equal((await client.submitJob('name: demo\n', 'demo.yaml', [])).alreadyDone, 2);
});

test('WatchJob streams every scheduler event, in order, then ends', async () => {
  const got: JobEvent[] = [];
  for await (const e of client.watchJob('job-1')) got.push(e);
  assert.deepEqual(got, events);
});

test('breaking out of a watch cancels it on the server', async () => {
  for await (const e of client.watchJob('hang')) {
    assert.equal(e.event.type, 'job-started');
    break;
  }
  for (let i = 0; i < 100 && !t.recorded.watchAborted; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(t.recorded.watchAborted, true);
});

test('a JobSpecError arrives as a JobSpecError with the same issues (INVALID_ARGUMENT)', async () => {
  const err = await client.submitJob('bad: true', 'jobs/bad.yaml', []).then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof JobSpecError, String(err));
  assert.equal(err.source, 'jobs/bad.yaml');
  assert.deepEqual(err.issues, [
    { path: 'members[0].train.epochs', message: 'expected a positive integer' },
    { path: 'data.source', message: 'unknown source "mnst" — did you mean "mnist"?' },
  ]);
  assert.match(err.message, /invalid job spec in jobs\/bad\.yaml \(2 problems\)/);
});

test('NonRetryableError → INVALID_ARGUMENT → NonRetryableError; unknown job → NotFoundError', async () => {
  await assert.rejects(client.submitJob('retry', 'j.yaml', []), (e: unknown) => {
    assert.ok(e instanceof NonRetryableError && !(e instanceof JobSpecError));
    assert.equal(e.message, 'data file x.csv: row 3 has 4 columns');
    return true;
  });
  await assert.rejects(
    client.getJob('nope'),
    (e: unknown) => e instanceof NotFoundError && /no job with id nope/.test(e.message),
  );
  await assert.rejects(
    (async () => {
      for await (const _ of client.watchJob('nope')) assert.fail('no events expected');
    })(),
    NotFoundError,
  );
  await assert.rejects(
    client.getJob(''),
    (e: unknown) => e instanceof NonRetryableError && /job_id is required/.test(e.message),
  );
});

test('other handler errors are INTERNAL: reported on the server, a ChorusError on the client', async () => {
  const before = t.internalErrors.length;
  await assert.rejects(client.submitJob('crash', 'j.yaml', []), (e: unknown) => {
    assert.ok(e instanceof ChorusError && !(e instanceof NonRetryableError), String(e));
    assert.match(e.message, /TypeError: cannot read properties of undefined \(INTERNAL\)/);
    return true;
  });
  assert.equal(t.internalErrors.length, before + 1);
  // The server is still serving.
  assert.deepEqual(await client.listWorkers(), workers);
});

test('an absent coordinator is a clear CoordinatorUnreachableError naming the address', async () => {
  // A port that was just free: bind, note it, close.
  const probe = await startTestServer();
  const address = probe.server.address;
  await probe.server.close();
  const lost = connectCoordinator(address, { deadlineMs: 3000 });
  try {
    await assert.rejects(lost.listJobs(), (e: unknown) => {
      assert.ok(e instanceof CoordinatorUnreachableError, String(e));
      assert.ok(e.message.startsWith(`cannot reach the coordinator at ${address}: `), e.message);
      assert.match(e.message, /ECONNREFUSED/);
      assert.doesNotMatch(e.message, /Resolution note/);
      return true;
    });
    await assert.rejects(
      lost.submitJob('x: 1', 'x.yaml', [{ path: 'a.csv', bytes: new Uint8Array(10) }]),
      CoordinatorUnreachableError,
    );
  } finally {
    lost.close();
  }
});

test('a peer that accepts TCP but never speaks gRPC: unreachable once the deadline passes', async () => {
  const silent = createServer(() => {});
  const sockets = new Set<Socket>();
  silent.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  const c = connectCoordinator(`127.0.0.1:${port}`, { deadlineMs: 300 });
  try {
    await assert.rejects(c.listWorkers(), (e: unknown) => {
      assert.ok(e instanceof CoordinatorUnreachableError, String(e));
      assert.match(
        e.message,
        new RegExp(`^cannot reach the coordinator at 127\\.0\\.0\\.1:${port}: no connection`),
      );
      return true;
    });
  } finally {
    c.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => silent.close(resolve));
  }
});

test('a connected coordinator that answers too slowly: a deadline error, not "unreachable"', async () => {
  const slow = await startTestServer({
    listWorkers: () => new Promise((resolve) => setTimeout(() => resolve([]), 1000)),
  });
  const c = connectCoordinator(slow.server.address, { deadlineMs: 200 });
  try {
    assert.deepEqual(await c.listJobs(), [summary, finishedSummary]); // connect first
    await assert.rejects(c.listWorkers(), (e: unknown) => {
      assert.ok(e instanceof ChorusError && !(e instanceof CoordinatorUnreachableError), String(e));
      assert.match(e.message, /did not answer in time/);
      return true;
    });
  } finally {
    c.close();
    await slow.server.close(100);
  }
});

test('a malformed address is refused before any call', () => {
  assert.throws(() => connectCoordinator('localhost'), /HOST:PORT/);
  assert.throws(() => connectCoordinator('http://h:1'), /HOST:PORT/);
  connectCoordinator('[::1]:7070').close();
});

test('closing the server ends open watches with UNAVAILABLE', async () => {
  const own = await startTestServer();
  const c = connectCoordinator(own.server.address);
  try {
    const seen: string[] = [];
    const watching = (async () => {
      for await (const e of c.watchJob('hang')) seen.push(e.event.type);
    })();
    const ended = watching.then(
      () => undefined,
      (e: unknown) => e,
    );
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await own.server.close(2000);
    const err = await ended;
    assert.ok(err instanceof CoordinatorUnreachableError && /shutting down/.test(err.message), String(err));
    assert.deepEqual(seen, ['job-started']);
    assert.equal(own.recorded.watchAborted, true);
  } finally {
    c.close();
  }
});
