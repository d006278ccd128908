import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseTokensFile } from '../../cluster/grpc/authTokens.ts';
import { NonRetryableError } from '../../core/errors.ts';
import { runChorus } from '../support/chorusProcess.ts';
import { REPO_ROOT, stackTraceLines } from '../pipeline/cli.ts';

/**
 * The bad-input corpus's command lines (test/fixtures/bad/commands/*.args: a flag or environment
 * variable Chorus must refuse before doing anything) and tokens files (tokens/*.yaml), each refused
 * with a message naming the flag, variable or field.
 */

const BAD = join(REPO_ROOT, 'test', 'fixtures', 'bad');

interface Header {
  file: string;
  text: string;
  /** `# <key>: value` lines. */
  values: (key: string) => string[];
  /** The lines that are not header comments. */
  body: string[];
}

async function cases(folder: string, ext: string): Promise<Header[]> {
  const files = (await readdir(join(BAD, folder))).filter((f) => f.endsWith(ext)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(BAD, folder, file), 'utf8');
      const lines = text.split('\n');
      const values = (key: string) =>
        lines.filter((l) => l.startsWith(`# ${key}:`)).map((l) => l.slice(key.length + 3).trim());
      assert.ok(values('expect')[0], `${file} must start with "# expect: <substring of the error>"`);
      return { file, text, values, body: lines.filter((l) => l.trim() !== '' && !l.startsWith('#')) };
    }),
  );
}

test('every bad command line is refused with exit code 2, naming the flag or variable, without a stack trace', async (t) => {
  const all = await cases('commands', '.args');
  assert.ok(all.length >= 8);
  for (const c of all) {
    await t.test(c.file, async (t) => {
      const env = Object.fromEntries(
        c.values('env').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
      );
      const args = c.body.join(' ').split(/\s+/);
      const exit = await runChorus(args, { t, cleanEnv: true, env, timeoutMs: 60_000 });
      assert.equal(exit.code, 2, `${c.file}: exit ${exit.code}\n${exit.stderr}`);
      assert.ok(exit.stderr.includes(c.values('expect')[0] ?? ''), `${c.file}: ${exit.stderr}`);
      assert.deepEqual(stackTraceLines(exit.stderr), []);
    });
  }
});

test('every bad tokens file is refused naming the file and the field', async () => {
  const all = await cases('tokens', '.yaml');
  assert.ok(all.length >= 3);
  for (const c of all) {
    assert.throws(
      () => parseTokensFile(c.text, c.file),
      (err: unknown) => {
        assert.ok(err instanceof NonRetryableError, c.file);
        assert.ok(err.message.startsWith(`auth tokens file ${c.file}: `), err.message);
        assert.ok(err.message.includes(c.values('expect')[0] ?? ''), `${c.file}: ${err.message}`);
        for (const path of c.values('path'))
          assert.ok(err.message.includes(`${path}: `), `${c.file}: ${path}`);
        return true;
      },
    );
  }
});
