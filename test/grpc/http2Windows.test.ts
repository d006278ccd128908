import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { once } from 'node:events';
import { RECEIVE_WINDOW_BYTES } from '../../coordinator/grpc/http2Windows.ts';
import { startTestServer } from './fixtures/fakeHandlers.ts';

test('the coordinator server opens 16 MiB HTTP/2 receive windows (stream and connection)', async () => {
  const { server } = await startTestServer();
  const client = http2.connect(`http://${server.address}`);
  try {
    await once(client, 'remoteSettings');
    assert.equal(client.remoteSettings.initialWindowSize, RECEIVE_WINDOW_BYTES, 'stream window');
    // The connection window grows by a WINDOW_UPDATE right after the settings.
    const deadline = Date.now() + 5000;
    while ((client.state.remoteWindowSize ?? 0) < RECEIVE_WINDOW_BYTES && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(client.state.remoteWindowSize, RECEIVE_WINDOW_BYTES, 'connection window');
  } finally {
    client.close();
    await server.close();
  }
});

test('other HTTP/2 servers of the process keep Node’s defaults', async () => {
  const plain = http2.createServer();
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  const { port } = plain.address() as { port: number };
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await once(client, 'remoteSettings');
    assert.equal(client.remoteSettings.initialWindowSize, 65535);
  } finally {
    client.close();
    plain.close();
  }
});
