import assert from 'node:assert/strict';
import { chmod, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { diskDataFiles, memoryDataFiles } from '../../core/data/dataFiles.ts';
import { loadSource } from '../../core/data/load.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { readRawDataFile } from '../../core/data/readDataFile.ts';
import { DatasetError } from '../../core/errors.ts';
import { dataSource, type DataSourceInput } from '../../core/spec/data.ts';
import { dataSpec } from '../../core/spec/job.ts';
import { idxBytes, npyBytes, put, rejectsDataset, tempDir } from './helpers.ts';

const spec = (input: DataSourceInput) => dataSource.parse(input);
const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** A line of a secret file (an /etc/shadow entry) and tokens that must never show in a message. */
const SHADOW = 'root:$6$x9Q2salt$Zk3hashedpasswordvalue:20228:0:99999:7:::';
const TOKEN = 'sk_live_51HcQ2eKJ8tTokenValue';
const SECRETS = ['x9Q2salt', 'hashedpassword', 'root:', 'TokenValue', 'sk_live'];

function assertNoSecret(err: unknown, what: string): void {
  assert.ok(err instanceof DatasetError, `${what}: expected a DatasetError, got ${String(err)}`);
  for (const s of SECRETS) assert.ok(!err.message.includes(s), `${what} quotes file content: ${err.message}`);
}

test('files in memory and on disk give the same data and the same errors, named as asked', async (t) => {
  const dir = await tempDir(t);
  const csv = 'a,b,label\n1,2,0\n3,4,1\n5,6,1\n7,8,0\n';
  await put(dir, 'train.csv', csv, true);
  const job = dataSpec.parse({
    train: { format: 'csv', path: 'train.csv' },
    test: { format: 'csv', path: 'train.csv' },
    validationSplit: 0.25,
  });
  const fromDisk = await prepareData(job, dir, 3);
  const memory = memoryDataFiles(new Map([['train.csv', gzipSync(Buffer.from(csv))]]));
  const fromMemory = await prepareData(job, memory, 3);
  assert.deepEqual(Array.from(fromMemory.train.x), Array.from(fromDisk.train.x));
  assert.deepEqual(Array.from(fromMemory.validation.y), Array.from(fromDisk.validation.y));

  const ragged = new Map([['data/bad.csv', bytes('a,b,label\n1,2,0\n3,1\n')]]);
  const source = spec({ format: 'csv', path: 'data/bad.csv' });
  await rejectsDataset(
    () => loadSource(source, memoryDataFiles(ragged)),
    'data/bad.csv',
    /line 3: ragged row/,
  );
  await rejectsDataset(
    () => loadSource(source, memoryDataFiles(ragged, { nameOf: (p) => `/home/me/${p}` })),
    '/home/me/data/bad.csv',
    /ragged row/,
  );
  await rejectsDataset(
    () => loadSource(source, memoryDataFiles(new Map())),
    'data/bad.csv',
    /was not provided/,
  );
  // A worker's downloaded copy is named as the user named the file, never by its cache path.
  await put(dir, '0-bad.csv', 'a,b,label\n1,2,0\n3,1\n');
  const cached = diskDataFiles(dir, { nameOf: (p) => (p === '0-bad.csv' ? 'data/bad.csv' : p) });
  const err = await rejectsDataset(
    () => loadSource(spec({ format: 'csv', path: '0-bad.csv' }), cached),
    'data/bad.csv',
    /ragged row/,
  );
  assert.ok(!err.message.includes(dir), err.message);
});

test('devices, folders, links that go nowhere and unreadable files are refused before reading', async (t) => {
  const dir = await tempDir(t);
  await rejectsDataset(() => readRawDataFile('/dev/zero'), '/dev/zero', /is not a regular file/);
  await rejectsDataset(() => readRawDataFile(dir, { shownAs: 'mine' }), 'mine', /is a directory/);
  await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
  await rejectsDataset(() => readRawDataFile(join(dir, 'dangling')), join(dir, 'dangling'), /file not found/);
  const big = await put(dir, 'big.csv', 'a,label\n'.repeat(100));
  await rejectsDataset(
    () => readRawDataFile(big, { maxBytes: 10 }),
    big,
    /is 800 bytes, over the limit of 10 bytes for a data file/,
  );
  const closed = await put(dir, 'closed.csv', 'a,label\n1,0\n');
  await chmod(closed, 0o000);
  // root reads anything: the refusal only shows for other users.
  if (process.getuid?.() !== 0) {
    const e = await rejectsDataset(
      () => readRawDataFile(closed, { shownAs: 'c.csv' }),
      'c.csv',
      /permission denied/,
    );
    assert.ok(!e.message.includes(dir), 'a system message would repeat the real path');
  }
  await rejectsDataset(
    () => memoryDataFiles(new Map([['x', new Uint8Array(20)]]), { maxBytes: 10 }).read('x'),
    'x',
    /is 20 bytes, over the limit of 10/,
  );
});

test('no data error quotes the file: a secret file read as CSV, IDX or NPY, raw or gzip', async () => {
  const texts = [
    `${SHADOW}\n`,
    `${SHADOW}\ndaemon:*:19000:0:99999:7:::\n`,
    `${TOKEN}`,
    `${TOKEN},${TOKEN}\n${TOKEN},${TOKEN}\n`,
    `label,${TOKEN}\n1,${TOKEN}\n`,
    `a,label\n1,${TOKEN}\n`,
    `a,label\n${TOKEN},1\n`,
    `a,label\n"${TOKEN}",1\n`,
  ];
  const labelsIdx = idxBytes('ubyte', [1], [0]);
  const labelsNpy = npyBytes('<i8', [1], new BigInt64Array([0n]));
  const npyHeaders = [
    `{'descr': '${TOKEN}', 'fortran_order': False, 'shape': (1,), }`,
    `{'descr': '<f4', 'fortran_order': False, 'shape': (${TOKEN},), }`,
    `{'descr': '<f4', '${TOKEN}': 1 }`,
    `{${SHADOW}}`,
  ];
  const cases: [string, DataSourceInput, Map<string, Uint8Array>][] = [];
  for (const [i, text] of texts.entries()) {
    for (const gz of [false, true]) {
      const file = bytes(text);
      const body = gz ? new Uint8Array(gzipSync(file)) : file;
      cases.push([`csv ${i}${gz ? ' gz' : ''}`, { format: 'csv', path: 'f' }, new Map([['f', body]])]);
      cases.push([`csv by index ${i}`, { format: 'csv', path: 'f', labelColumn: 0 }, new Map([['f', body]])]);
      cases.push([
        `idx ${i}${gz ? ' gz' : ''}`,
        { format: 'idx', images: 'f', labels: 'l' },
        new Map([
          ['f', body],
          ['l', labelsIdx],
        ]),
      ]);
      cases.push([
        `npy ${i}${gz ? ' gz' : ''}`,
        { format: 'npy', features: 'f', labels: 'l' },
        new Map([
          ['f', body],
          ['l', labelsNpy],
        ]),
      ]);
    }
  }
  for (const [i, header] of npyHeaders.entries()) {
    cases.push([
      `npy header ${i}`,
      { format: 'npy', features: 'f', labels: 'l' },
      new Map([
        ['f', npyBytes('<f4', [1], new Float32Array(1), { header })],
        ['l', labelsNpy],
      ]),
    ]);
  }
  for (const [what, source, files] of cases) {
    let caught: unknown;
    try {
      await loadSource(spec(source), memoryDataFiles(files));
    } catch (err) {
      caught = err;
    }
    assertNoSecret(caught, what);
  }
});
