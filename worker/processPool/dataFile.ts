import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Dataset } from '../../core/data/dataset.ts';
import type { PreparedData } from '../../core/tasks/taskContext.ts';

/**
 * A job's prepared data as one file that the pool's child processes read once per job (not once per
 * task): `CHORUSD1`, a little-endian uint32 header length, the JSON header (every field but the
 * arrays), padding to 8 bytes, then each split's features (float32) and labels (int32) as raw bytes.
 * The parent writes it where memory is shared when it can (/dev/shm): a read is then a memory copy.
 */
const MAGIC = 'CHORUSD1';
const SPLITS = ['train', 'validation', 'test'] as const;

type SplitHeader = Omit<Dataset, 'x' | 'y'> & { xLength: number; yLength: number };
interface Header {
  classes: number;
  sampleShape: readonly number[];
  splits: Record<(typeof SPLITS)[number], SplitHeader>;
}

const bytesOf = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export async function writeDataFile(path: string, data: PreparedData): Promise<void> {
  const splits = {} as Header['splits'];
  for (const name of SPLITS) {
    const { x, y, ...rest } = data[name];
    splits[name] = { ...rest, xLength: x.length, yLength: y.length };
  }
  const header: Header = { classes: data.classes, sampleShape: data.sampleShape, splits };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Buffer.alloc(12);
  start.write(MAGIC, 0, 'latin1');
  start.writeUInt32LE(json.length, 8);
  const padding = Buffer.alloc((8 - ((12 + json.length) % 8)) % 8);
  const file = await open(path, 'wx', 0o600);
  try {
    await file.writev([start, json, padding]);
    for (const name of SPLITS) {
      await file.write(bytesOf(data[name].x));
      await file.write(bytesOf(data[name].y));
    }
  } finally {
    await file.close();
  }
}

/** Reads a data file written by writeDataFile into one buffer, the datasets viewing it (no further copy). */
export function readDataFile(path: string): PreparedData {
  const fd = openSync(path, 'r');
  let bytes: Uint8Array;
  try {
    const size = fstatSync(fd).size;
    // A buffer of its own, so every view starts 4-byte aligned.
    bytes = new Uint8Array(new ArrayBuffer(size));
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read !== size) throw new Error(`${path}: read ${read} of ${size} bytes`);
  } finally {
    closeSync(fd);
  }
  const magic = Buffer.from(bytes.buffer, 0, 8).toString('latin1');
  if (magic !== MAGIC) throw new Error(`${path}: not a Chorus data file`);
  const headerLength = Buffer.from(bytes.buffer, 8, 4).readUInt32LE(0);
  const header = JSON.parse(Buffer.from(bytes.buffer, 12, headerLength).toString('utf8')) as Header;
  let offset = 12 + headerLength;
  offset += (8 - (offset % 8)) % 8;
  const out = { classes: header.classes, sampleShape: header.sampleShape } as PreparedData;
  for (const name of SPLITS) {
    const { xLength, yLength, ...rest } = header.splits[name];
    const x = new Float32Array(bytes.buffer, offset, xLength);
    offset += xLength * 4;
    const y = new Int32Array(bytes.buffer, offset, yLength);
    offset += yLength * 4;
    out[name] = { ...rest, x, y };
  }
  if (offset !== bytes.byteLength) throw new Error(`${path}: ${bytes.byteLength - offset} bytes too many`);
  return out;
}
