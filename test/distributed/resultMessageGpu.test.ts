import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMessage, encodeMessage } from '../../cluster/messages/codec.ts';
import { resultMessageSchema, type ResultMessage } from '../../cluster/messages/resultMessage.ts';

/**
 * A distributed worker's result carries the GPU its slot ran on to the coordinator (the report's task
 * timings name it): the wire schema keeps the field, and a result without it stays without it.
 */
const result = (gpu?: number): ResultMessage => ({
  jobId: 'j',
  taskId: 'train:m-0',
  dispatchId: 'd1',
  final: true,
  deliveries: 1,
  worker: 'w1',
  outcome: {
    ok: true,
    result: {
      type: 'soft-labels',
      seconds: 1.5,
      start: 0,
      end: 10,
      ...(gpu !== undefined ? { gpu } : {}),
    },
  },
});

test("a result message keeps the task's GPU across the wire, and adds none to a result without one", () => {
  const onGpu = decodeMessage(resultMessageSchema, encodeMessage(result(1)), 'result');
  assert.deepEqual(onGpu, result(1));
  assert.equal(onGpu.outcome.ok && onGpu.outcome.result.gpu, 1);
  const offGpu = decodeMessage(resultMessageSchema, encodeMessage(result()), 'result');
  assert.deepEqual(offGpu, result());
  assert.ok(offGpu.outcome.ok && !('gpu' in offGpu.outcome.result));
  assert.throws(
    () => decodeMessage(resultMessageSchema, encodeMessage(result(-1)), 'result'),
    /gpu/,
    'a GPU index is a non-negative integer',
  );
});
