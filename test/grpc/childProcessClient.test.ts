import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { events, startTestServer, status } from './fixtures/fakeHandlers.ts';
import { bytesOf, patterned } from './fixtures/rawClients.ts';

const execFileAsync = promisify(execFile);
const child = fileURLToPath(new URL('./fixtures/clientProcess.ts', import.meta.url));

test(
  'a client in another process submits, streams logits and watches over real gRPC',
  { timeout: 60_000 },
  async () => {
    const t = await startTestServer();
    try {
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', child, t.server.address], {
        timeout: 50_000,
      });
      const seen = JSON.parse(stdout.trim()) as {
        pid: number;
        submitted: { jobId: string };
        put: { keys: string[]; floats: number };
        events: string[];
        tasks: number;
      };
      assert.notEqual(seen.pid, process.pid);
      assert.equal(seen.submitted.jobId, 'job-1');
      assert.deepEqual(seen.put, { keys: ['predictions/members/mlp-0/test.f32'], floats: 1_000_000 });
      assert.deepEqual(
        seen.events,
        events.map((e) => e.event.type),
      );
      assert.equal(seen.tasks, status.tasks.length);

      const upload = t.recorded.submitted[0];
      assert.ok(upload);
      assert.equal(upload.fileName, 'child.yaml');
      assert.equal(upload.files[0]?.path, 'data/x.f32');
      assert.ok(
        Buffer.from(upload.files[0]!.bytes).equals(bytesOf(patterned(600_000, 5))),
        'uploaded file differs',
      );

      const logits = t.recorded.logits[0];
      assert.ok(logits);
      assert.deepEqual([logits.rows, logits.cols, logits.dispatchId], [100_000, 10, 'child-dispatch']);
      assert.ok(bytesOf(logits.values).equals(bytesOf(patterned(1_000_000, 11))), 'streamed logits differ');
    } finally {
      await t.server.close();
    }
  },
);
