import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdleLagProbe } from '../../bench/idleLagProbe.ts';

test('two readings asked for at once both come back (the requests may reach the probe as one chunk)', async () => {
  const probe = new IdleLagProbe();
  try {
    const both = Promise.all([probe.read(), probe.read(), probe.read()]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timed out'>(
      (resolve) => (timer = setTimeout(() => resolve('timed out'), 10_000)),
    );
    const readings = await Promise.race([both, timeout]);
    clearTimeout(timer);
    assert.notEqual(readings, 'timed out', 'a reading never came back (the load bench hung on this)');
    assert.ok(Array.isArray(readings));
    for (const r of readings) assert.ok(r && Number.isFinite(r.maxMs) && r.maxMs >= 0, JSON.stringify(r));
  } finally {
    await probe.stop();
  }
});
