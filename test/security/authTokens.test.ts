import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openServerSecurity } from '../../coordinator/grpc/authServer.ts';
import {
  generateToken,
  hashToken,
  loadTokensFile,
  parseTokensFile,
  TOKEN_PREFIX,
  TokenTable,
  tokenEntryLine,
} from '../../cluster/grpc/authTokens.ts';
import { TokensFile } from '../../coordinator/grpc/authTokensFile.ts';
import { NonRetryableError } from '../../core/errors.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chorus-tokens-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function problemOf(text: string): string {
  try {
    parseTokensFile(text, 'tokens.yaml');
  } catch (err) {
    assert.ok(err instanceof NonRetryableError, String(err));
    return err.message;
  }
  assert.fail('expected the tokens file to be refused');
}

test('generated tokens are prefixed, 256-bit, unique; the hash is SHA-256 hex', () => {
  const a = generateToken();
  const b = generateToken();
  assert.notEqual(a, b);
  assert.ok(a.startsWith(TOKEN_PREFIX));
  assert.equal(Buffer.from(a.slice(TOKEN_PREFIX.length), 'base64url').length, 32);
  assert.match(a, /^[\x21-\x7e]+$/, 'fits an HTTP/2 header value');
  assert.equal(hashToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('a tokens file in YAML or JSON gives each token its name and role; hashes in any case', () => {
  const t1 = generateToken();
  const t2 = generateToken();
  const yaml = `tokens:\n${tokenEntryLine({ name: 'alice', role: 'client', sha256: hashToken(t1) })}\n  - name: w\n    role: worker\n    sha256: ${hashToken(t2).toUpperCase()}\n`;
  const table = new TokenTable(parseTokensFile(yaml, 'tokens.yaml'));
  assert.equal(table.size, 2);
  assert.deepEqual(table.verify(t1), { name: 'alice', role: 'client' });
  assert.deepEqual(table.verify(t2), { name: 'w', role: 'worker' });
  assert.equal(table.verify(generateToken()), undefined);
  assert.equal(table.verify(''), undefined);
  assert.equal(table.verify(hashToken(t1)), undefined, 'the hash itself is not a token');
  const json = JSON.stringify({ tokens: [{ name: 'bob', role: 'client', sha256: hashToken(t1) }] });
  assert.deepEqual(new TokenTable(parseTokensFile(json, 'tokens.json')).verify(t1), {
    name: 'bob',
    role: 'client',
  });
});

test("a client token may carry a quota of slots (maxSlots), read by the token's name", () => {
  const t1 = generateToken();
  const line = tokenEntryLine({ name: 'team-b', role: 'client', sha256: hashToken(t1), maxSlots: 4 });
  assert.match(line, /maxSlots: 4 }$/);
  const table = new TokenTable(parseTokensFile(`tokens:\n${line}\n`, 'tokens.yaml'));
  assert.deepEqual(table.verify(t1), { name: 'team-b', role: 'client', maxSlots: 4 });
  assert.equal(table.byName('team-b')?.maxSlots, 4);
  assert.equal(table.byName('nobody'), undefined);
  const h = hashToken('x');
  for (const bad of ['0', '-1', '1.5', '"4"', '100001']) {
    assert.match(
      problemOf(`tokens:\n  - { name: a, role: client, sha256: ${h}, maxSlots: ${bad} }\n`),
      /tokens\[0\]\.maxSlots: expected a whole number of slots from 1 to 100000/,
      bad,
    );
  }
  assert.match(
    problemOf(`tokens:\n  - { name: w, role: worker, sha256: ${h}, maxSlots: 2 }\n`),
    /tokens\[0\]\.maxSlots: only a client token carries a quota \(this one is a worker\)/,
  );
});

test('a bad tokens file is refused naming the file and the field', () => {
  const h = hashToken('x');
  assert.match(
    problemOf(`tokens:\n  - { name: a, role: admin, sha256: ${h} }\n`),
    /tokens\.yaml: tokens\[0\]\.role: expected one of "client", "worker"/,
  );
  assert.match(
    problemOf(`tokens:\n  - { name: a, role: client }\n`),
    /tokens\[0\]\.sha256: expected the SHA-256/,
  );
  assert.match(
    problemOf(`tokens:\n  - { name: a, role: client, sha256: ${h}, note: x }\n`),
    /tokens\[0\]\.note: unknown key/,
  );
  assert.match(problemOf('tokens: []\n'), /tokens: expected a list with at least 1/);
  assert.match(problemOf(''), /\(top level\)/);
  assert.match(problemOf('tokens: [\n'), /not valid YAML\/JSON/);
  assert.match(
    problemOf(`tokens:\n  - { name: "bad name", role: client, sha256: ${h} }\n`),
    /tokens\[0\]\.name: expected 1-64/,
  );
  assert.match(
    problemOf(
      `tokens:\n  - { name: a, role: client, sha256: ${h} }\n  - { name: a, role: worker, sha256: ${hashToken('y')} }\n`,
    ),
    /tokens\[1\]\.name: "a" appears twice/,
  );
  assert.match(
    problemOf(
      `tokens:\n  - { name: a, role: client, sha256: ${h} }\n  - { name: b, role: worker, sha256: ${h} }\n`,
    ),
    /tokens\[1\]\.sha256: the same token as "a"/,
  );
});

test('a token pasted where its hash belongs is refused without echoing it', () => {
  const token = generateToken();
  const message = problemOf(`tokens:\n  - { name: a, role: client, sha256: ${token} }\n`);
  assert.match(message, /not the token itself/);
  assert.ok(!message.includes(token), message);
  assert.ok(!message.includes(token.slice(0, 20)), 'not even a prefix');
});

test('a missing tokens file is a clear error', async () => {
  await assert.rejects(loadTokensFile(join(dir, 'absent.yaml')), (err: Error) => {
    assert.ok(err instanceof NonRetryableError);
    assert.match(err.message, /cannot read the auth tokens file .*absent\.yaml: no such file/);
    return true;
  });
});

test('the tokens file is re-read when it changes: a new token works, a revoked one stops', async () => {
  const path = join(dir, 'rotating.yaml');
  const old = generateToken();
  const next = generateToken();
  await writeFile(
    path,
    `tokens:\n${tokenEntryLine({ name: 'old', role: 'client', sha256: hashToken(old) })}\n`,
  );
  const reloads: number[] = [];
  const errors: unknown[] = [];
  const file = await TokensFile.open(path, {
    watchIntervalMs: 50,
    onReload: (n) => reloads.push(n),
    onReloadError: (e) => errors.push(e),
  });
  try {
    assert.equal(file.verify(old)?.name, 'old');
    assert.equal(file.verify(next), undefined);
    // A broken edit keeps the tokens in force.
    await writeFile(path, 'tokens: [ {\n');
    await waitFor(() => errors.length > 0, 'the broken file to be noticed');
    assert.equal(file.verify(old)?.name, 'old');
    await writeFile(
      path,
      `tokens:\n${tokenEntryLine({ name: 'next', role: 'client', sha256: hashToken(next) })}\n`,
    );
    await waitFor(() => file.verify(next) !== undefined, 'the new token to be accepted');
    assert.equal(file.verify(old), undefined, 'the removed token is revoked');
    assert.ok(reloads.length >= 1);
  } finally {
    file.close();
  }
});

test('the coordinator says at start what is protected: auth and TLS off are warnings', async () => {
  const lines: string[] = [];
  const off = await openServerSecurity({}, (l) => lines.push(l));
  off.close();
  assert.ok(
    lines.some((l) => l.includes('gRPC authentication is disabled')),
    lines.join('\n'),
  );
  assert.ok(lines.some((l) => /warning: gRPC TLS is off/.test(l)));
  assert.equal(off.tokens, undefined);
  assert.equal(off.credentials, undefined);

  const path = join(dir, 'on.yaml');
  await writeFile(
    path,
    `tokens:\n${tokenEntryLine({ name: 'a', role: 'client', sha256: hashToken('t') })}\n`,
  );
  const onLines: string[] = [];
  const on = await openServerSecurity({ authTokensFile: path, watchIntervalMs: 0 }, (l) => onLines.push(l));
  try {
    assert.ok(onLines.some((l) => l.includes(`gRPC authentication on: 1 token(s) from ${path}`)));
    assert.ok(!onLines.some((l) => l.includes('disabled')));
    assert.equal(on.tokens?.verify('t')?.name, 'a');
    // Refusals are logged, but a flood is cut to a few lines.
    for (let i = 0; i < 20; i++)
      on.onRefused({ rpc: 'ListJobs', peer: 'ipv4:10.0.0.1:1', code: 16, reason: 'invalid token' });
    const refusedLines = onLines.filter((l) => l.startsWith('refused ListJobs'));
    assert.equal(refusedLines.length, 5);
    assert.match(
      refusedLines[0]!,
      /refused ListJobs from ipv4:10\.0\.0\.1:1: invalid token \(UNAUTHENTICATED\)/,
    );
  } finally {
    on.close();
  }
});

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
