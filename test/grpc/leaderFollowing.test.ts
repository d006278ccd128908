import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { CoordinatorUnreachableError, NotFoundError, NotLeaderError } from '../../cluster/errors.ts';
import { coordinatorAddresses, followLeader } from '../../cluster/client/leaderFollowing.ts';
import { errorToStatus, statusToError } from '../../cluster/grpc/errorStatus.ts';

/** A stand-in for one coordinator connection: answers as its role says, and counts calls. */
class FakeConnection {
  calls = 0;
  closed = false;
  constructor(
    readonly address: string,
    public role: () => 'leader' | 'standby' | 'down',
    private readonly leader: () => string | undefined,
  ) {}

  async getJob(jobId: string): Promise<string> {
    this.calls++;
    const role = this.role();
    if (role === 'down') throw new CoordinatorUnreachableError(this.address, 'connect ECONNREFUSED');
    if (role === 'standby') throw new NotLeaderError(this.leader());
    if (jobId === 'missing') throw new NotFoundError('no job missing');
    return `${jobId} from ${this.address}`;
  }

  async *watchJob(jobId: string): AsyncGenerator<string> {
    this.calls++;
    if (this.role() !== 'leader') throw new NotLeaderError(this.leader());
    yield `${jobId}: first`;
    if (this.role() !== 'leader') throw new NotLeaderError(this.leader());
    yield `${jobId}: second`;
  }

  close(): void {
    this.closed = true;
  }
}

function fleet(roles: Record<string, 'leader' | 'standby' | 'down'>) {
  const leader = () => Object.keys(roles).find((a) => roles[a] === 'leader');
  const made = new Map<string, FakeConnection>();
  const client = followLeader(
    Object.keys(roles),
    (address) => {
      const c = new FakeConnection(address, () => roles[address] ?? 'down', leader);
      made.set(address, c);
      return c;
    },
    ['watchJob'],
  );
  return { client, made };
}

test('--coordinator takes one address or several', () => {
  assert.deepEqual(coordinatorAddresses('a:1'), ['a:1']);
  assert.deepEqual(coordinatorAddresses(' a:1, b:2 ,'), ['a:1', 'b:2']);
});

test('a call goes to the leader a standby names, and stays there', async () => {
  const { client, made } = fleet({ 'a:1': 'standby', 'b:2': 'standby', 'c:3': 'leader' });
  assert.equal(await client.getJob('j'), 'j from c:3');
  assert.equal(made.get('b:2')?.calls, 0, 'redirected straight to the named leader');
  assert.equal(await client.getJob('k'), 'k from c:3');
  assert.equal(made.get('a:1')?.calls, 1, 'the next call went to the leader that answered');
});

test('an unreachable coordinator and a standby that knows no leader send the call to the next address', async () => {
  const roles: Record<string, 'leader' | 'standby' | 'down'> = { 'a:1': 'down', 'b:2': 'leader' };
  const { client } = fleet(roles);
  assert.equal(await client.getJob('j'), 'j from b:2');
  // Failover: b dies, a takes over.
  roles['b:2'] = 'down';
  roles['a:1'] = 'leader';
  assert.equal(await client.getJob('j'), 'j from a:1');
});

test("answers other than 'elsewhere' are the caller's, from the leader, at once", async () => {
  const { client, made } = fleet({ 'a:1': 'leader', 'b:2': 'standby' });
  await assert.rejects(client.getJob('missing'), NotFoundError);
  assert.equal(made.get('b:2')?.calls, 0);
});

test('a stream is followed to the leader before its first item; a failure after it is the caller’s', async () => {
  const roles: Record<string, 'leader' | 'standby' | 'down'> = { 'a:1': 'standby', 'b:2': 'leader' };
  const { client } = fleet(roles);
  const got: string[] = [];
  for await (const item of client.watchJob('j')) got.push(item);
  assert.deepEqual(got, ['j: first', 'j: second']);
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const item of client.watchJob('k')) {
      seen.push(item);
      roles['b:2'] = 'standby'; // the leader steps down mid-stream
    }
  }, NotLeaderError);
  assert.deepEqual(seen, ['k: first']);
});

test('close closes every connection', () => {
  const { client, made } = fleet({ 'a:1': 'leader', 'b:2': 'standby' });
  client.close();
  assert.ok([...made.values()].every((c) => c.closed));
});

test("a standby's refusal crosses gRPC as UNAVAILABLE and comes back as NotLeaderError naming the leader", () => {
  for (const leader of ['10.0.0.5:50051', undefined]) {
    const sent = errorToStatus(new NotLeaderError(leader));
    assert.equal(sent.code, status.UNAVAILABLE);
    const err = Object.assign(new Error(sent.details), sent);
    const back = statusToError(err, { address: 'x:1', connected: true });
    assert.ok(back instanceof NotLeaderError, String(back));
    assert.equal(back.leader, leader);
    assert.match(
      back.message,
      leader ? /standby; the leader is at 10\.0\.0\.5:50051/ : /no leader is known yet/,
    );
  }
});
