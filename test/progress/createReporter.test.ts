import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReporter } from '../../cli/progress/createReporter.ts';
import { JsonReporter } from '../../cli/progress/jsonReporter.ts';
import { PlainReporter } from '../../cli/progress/plainReporter.ts';
import { TtyReporter } from '../../cli/progress/ttyReporter.ts';

test('--json wins; a terminal outside CI gets the live display; everything else plain lines', () => {
  const pick = (json: boolean, stderrIsTTY: boolean, env: Record<string, string | undefined> = {}) =>
    createReporter({ json }, { stderrIsTTY, env }).constructor;
  assert.equal(pick(true, true), JsonReporter);
  assert.equal(pick(true, false), JsonReporter);
  assert.equal(pick(false, true), TtyReporter);
  assert.equal(pick(false, true, { CI: 'false' }), TtyReporter);
  assert.equal(pick(false, true, { CI: 'true' }), PlainReporter);
  assert.equal(pick(false, true, { CI: '1' }), PlainReporter);
  assert.equal(pick(false, true, { TERM: 'dumb' }), PlainReporter);
  assert.equal(pick(false, false), PlainReporter);
});
