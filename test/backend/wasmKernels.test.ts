import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { conv2DBackpropFilterConfig } from '../../core/backend/wasm/conv2DBackpropFilter.ts';
import { conv2DBackpropInputConfig } from '../../core/backend/wasm/conv2DBackpropInput.ts';
import { onCpuAndWasm, randomValues, relativeError } from './compareBackends.ts';

// Relative error: max|wasm - cpu| / max(1e-6, max|cpu|) over all elements (see relativeError).
const TOLERANCE = 1e-4;

type Pad =
  'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

const explicitPad: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];
const pads: Pad[] = ['same', 'valid', 1, explicitPad];
const stridesList: (number | [number, number])[] = [1, 2, [1, 2]];
const inputs: [number, number][] = [
  [5, 5],
  [7, 6],
  [8, 9],
  [6, 10],
];
const filters: [number, number][] = [
  [1, 1],
  [2, 3],
  [3, 3],
  [3, 2],
];

/** Every stride x padding pair, with batch, size, channels and filter size rotating through their lists. */
function convCases(channelsFor: (i: number) => [number, number]): ConvCase[] {
  const cases: ConvCase[] = [];
  let i = 0;
  for (const strides of stridesList) {
    for (const pad of pads) {
      const [h, w] = inputs[i % inputs.length] as [number, number];
      const [fh, fw] = filters[(i + 1) % filters.length] as [number, number];
      const [inC, last] = channelsFor(i);
      cases.push({ x: [1 + (i % 3), h, w, inC], filter: [fh, fw, inC, last], strides, pad });
      i++;
    }
  }
  return cases;
}

function dyShape(c: ConvCase, depthwise: boolean): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, undefined, depthwise);
  return info.outShape;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const label = (c: ConvCase): string => JSON.stringify(c);

before(async () => {
  await selectBackend('wasm');
});

test('the wasm backend has the added and replaced gradient kernels', () => {
  for (const name of [
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'MaxPoolGrad',
  ]) {
    assert.ok(tf.getKernel(name, 'wasm'), `${name} is registered for wasm`);
  }
});

test('Conv2DBackpropFilter and Conv2DBackpropInput on wasm match cpu over shapes, strides and paddings', async () => {
  const cases = convCases((i) => [1 + (i % 4), 1 + ((i * 2) % 5)]);
  for (const [n, c] of cases.entries()) {
    const dy = dyShape(c, false);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    const { cpu, wasm, shapes } = await onCpuAndWasm(() => {
      const x = tf.tensor4d(randomValues(size(c.x), 10 + n), c.x);
      const filter = tf.tensor4d(randomValues(size(c.filter), 30 + n), c.filter);
      const dyT = tf.tensor4d(randomValues(size(dy), 50 + n), dy);
      return [
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dyT }, { ...attrs, filterShape: c.filter }),
        tf.engine().runKernel('Conv2DBackpropInput', { dy: dyT, filter }, { ...attrs, inputShape: c.x }),
      ] as tf.Tensor[];
    });
    assert.deepEqual(shapes, [c.filter, c.x], label(c));
    const errFilter = relativeError(wasm[0] as Float32Array, cpu[0] as Float32Array);
    const errInput = relativeError(wasm[1] as Float32Array, cpu[1] as Float32Array);
    assert.ok(errFilter < TOLERANCE, `${label(c)}: filter gradient relative error ${errFilter}`);
    assert.ok(errInput < TOLERANCE, `${label(c)}: input gradient relative error ${errInput}`);
  }
});

test('Conv2DBackpropInput with NCHW data still goes to the stock wasm kernel and matches cpu', async () => {
  // NCHW input [2, 3, 7, 6], filter 3x2 from 3 to 2 channels, stride 2 'same': dy is [2, 2, 4, 3].
  const attrs = { strides: 2, pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 7, 6] };
  const { cpu, wasm, shapes } = await onCpuAndWasm(
    () =>
      tf.engine().runKernel(
        'Conv2DBackpropInput',
        {
          dy: tf.tensor4d(randomValues(2 * 2 * 4 * 3, 3), [2, 2, 4, 3]),
          filter: tf.tensor4d(randomValues(36, 4), [3, 2, 3, 2]),
        },
        attrs,
      ) as tf.Tensor,
  );
  assert.deepEqual(shapes[0], attrs.inputShape);
  const err = relativeError(wasm[0] as Float32Array, cpu[0] as Float32Array);
  assert.ok(err < TOLERANCE, `NCHW: relative error ${err}`);
});

test('the conv gradient kernels work in slices of the batch when columns would exceed their budget', async () => {
  const c: ConvCase = { x: [5, 7, 6, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'same' };
  const dy = dyShape(c, false);
  const xValues = randomValues(size(c.x), 1);
  const dyValues = randomValues(size(dy), 2);
  const wValues = randomValues(size(c.filter), 3);
  const filterAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
  const inputAttrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
  await tf.setBackend('cpu');
  const [expectedFilter, expectedInput] = tf.tidy(() => {
    const dyT = tf.tensor4d(dyValues, dy);
    const f = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(xValues, c.x), dy: dyT }, filterAttrs);
    const i = tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy: dyT, filter: tf.tensor4d(wValues, c.filter) }, inputAttrs);
    return [(f as tf.Tensor).dataSync(), (i as tf.Tensor).dataSync()];
  });
  await tf.setBackend('wasm');
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  assert.ok(matMul && stockInput);
  // Room for two images' columns (27 x 42 floats each): three slices of 2 + 2 + 1 images.
  const budget = 2 * 27 * 42;
  const filterKernel = conv2DBackpropFilterConfig(matMul.kernelFunc, budget);
  const inputKernel = conv2DBackpropInputConfig(stockInput, matMul.kernelFunc, budget);
  const x = tf.tensor4d(xValues, c.x);
  const dyT = tf.tensor4d(dyValues, dy);
  const w = tf.tensor4d(wValues, c.filter);
  const before = tf.backend().numDataIds();
  const backend = tf.backend();
  const outputs = [
    filterKernel.kernelFunc({ inputs: { x, dy: dyT }, backend, attrs: filterAttrs }),
    inputKernel.kernelFunc({ inputs: { dy: dyT, filter: w }, backend, attrs: inputAttrs }),
  ].map((info) => tf.engine().makeTensorFromTensorInfo(info as TensorInfo));
  assert.deepEqual(
    outputs.map((t) => t.shape),
    [c.filter, c.x],
  );
  const errFilter = relativeError((outputs[0] as tf.Tensor).dataSync(), expectedFilter as ArrayLike<number>);
  const errInput = relativeError((outputs[1] as tf.Tensor).dataSync(), expectedInput as ArrayLike<number>);
  assert.ok(errFilter < TOLERANCE, `filter gradient relative error ${errFilter}`);
  assert.ok(errInput < TOLERANCE, `input gradient relative error ${errInput}`);
  tf.dispose(outputs);
  assert.equal(tf.backend().numDataIds(), before, 'temporaries freed');
  tf.dispose([x, dyT, w]);
});

test('Conv2DBackpropFilter on wasm refuses NCHW with a clear message', async () => {
  await tf.setBackend('wasm');
  assert.throws(
    () =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: tf.zeros([1, 2, 5, 5]), dy: tf.zeros([1, 3, 5, 5]) },
            { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] },
          ),
      ),
    /NHWC only/,
  );
});

test('depthwise backprop kernels on wasm match cpu over multipliers, strides and paddings', async () => {
  const cases = convCases((i) => [1 + (i % 4), 1 + (i % 3)]);
  for (const [n, c] of cases.entries()) {
    const dy = dyShape(c, true);
    const attrs = { strides: c.strides, pad: c.pad, dilations: 1 };
    const { cpu, wasm, shapes } = await onCpuAndWasm(() => {
      const x = tf.tensor4d(randomValues(size(c.x), 100 + n), c.x);
      const filter = tf.tensor4d(randomValues(size(c.filter), 200 + n), c.filter);
      const dyT = tf.tensor4d(randomValues(size(dy), 300 + n), dy);
      return [
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy: dyT },
            { ...attrs, filterShape: c.filter },
          ),
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy: dyT, filter },
            { ...attrs, inputShape: c.x },
          ),
      ] as tf.Tensor[];
    });
    assert.deepEqual(shapes, [c.filter, c.x], label(c));
    const errFilter = relativeError(wasm[0] as Float32Array, cpu[0] as Float32Array);
    const errInput = relativeError(wasm[1] as Float32Array, cpu[1] as Float32Array);
    assert.ok(errFilter < TOLERANCE, `${label(c)}: filter gradient relative error ${errFilter}`);
    assert.ok(errInput < TOLERANCE, `${label(c)}: input gradient relative error ${errInput}`);
  }
});

test('depthwise backprop kernels on wasm refuse dilations', async () => {
  await tf.setBackend('wasm');
  assert.throws(
    () =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: tf.zeros([1, 7, 7, 2]), dy: tf.zeros([1, 3, 3, 2]) },
            { strides: 1, pad: 'valid', dilations: 2, filterShape: [3, 3, 2, 1] },
          ),
      ),
    /dilations 1 only/,
  );
});

test('MaxPoolGrad on wasm matches cpu, ties included, over window sizes, strides and paddings', async () => {
  const cases: {
    x: Shape4;
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: Pad;
  }[] = [
    { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
    { x: [3, 7, 9, 2], filterSize: 3, strides: 2, pad: 'same' },
    { x: [1, 6, 5, 4], filterSize: [2, 3], strides: 1, pad: 'same' },
    { x: [2, 9, 7, 1], filterSize: 3, strides: [1, 2], pad: 'valid' },
    { x: [2, 7, 7, 5], filterSize: 3, strides: 3, pad: 1 },
  ];
  for (const [n, c] of cases.entries()) {
    for (const ties of [false, true]) {
      // With ties, values are a few levels (and zeros, as after a relu): which pixel wins matters.
      const values = randomValues(size(c.x), 800 + n).map((v) => (ties ? Math.max(0, Math.round(v * 2)) : v));
      const { cpu, wasm, shapes } = await onCpuAndWasm(() => {
        const x = tf.tensor4d(values, c.x);
        return tf.grad((input: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, c.filterSize, c.strides, c.pad), tf.scalar(1.5))),
        )(x);
      });
      assert.deepEqual(shapes[0], c.x);
      const err = relativeError(wasm[0] as Float32Array, cpu[0] as Float32Array);
      assert.ok(err < TOLERANCE, `${JSON.stringify(c)} ties=${ties}: relative error ${err}`);
    }
  }
});

test('BatchMatMul and _FusedMatMul on wasm (transposed, batched, broadcast) match cpu and free temporaries', async () => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
    { a: [7, 5], b: [7, 4], ta: true, tb: false },
    { a: [5, 7], b: [4, 7], ta: false, tb: true },
    { a: [7, 5], b: [4, 7], ta: true, tb: true },
    { a: [5, 7], b: [7, 4], ta: false, tb: false },
    { a: [3, 6, 5], b: [3, 6, 4], ta: true, tb: false },
    { a: [2, 5, 6], b: [2, 4, 6], ta: false, tb: true },
    { a: [1, 9], b: [3, 9], ta: false, tb: true },
    { a: [3, 5, 6], b: [3, 6, 4], ta: false, tb: false },
    { a: [1, 5, 6], b: [3, 6, 4], ta: false, tb: false },
    { a: [2, 6, 5], b: [6, 4], ta: true, tb: false },
    { a: [2, 3, 4, 5], b: [2, 3, 2, 5], ta: false, tb: true },
    { a: [2, 40, 30], b: [2, 30, 20], ta: false, tb: false },
    { a: [3, 30, 40], b: [20, 30], ta: true, tb: true },
  ];
  for (const [n, c] of cases.entries()) {
    const outer = c.ta ? (c.a.at(-1) as number) : (c.a.at(-2) as number);
    const right = c.tb ? (c.b.at(-2) as number) : (c.b.at(-1) as number);
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const a = tf.tensor(randomValues(size(c.a), 400 + n), c.a);
      const b = tf.tensor(randomValues(size(c.b), 500 + n), c.b);
      const bias = tf.tensor1d(randomValues(right, 600 + n));
      return [
        tf.matMul(a, b, c.ta, c.tb),
        tf.fused.matMul({ a, b, transposeA: c.ta, transposeB: c.tb, bias, activation: 'relu' }),
      ];
    });
    for (const k of [0, 1]) {
      const err = relativeError(wasm[k] as Float32Array, cpu[k] as Float32Array);
      assert.ok(err < TOLERANCE, `${JSON.stringify(c)} output ${k} (outer ${outer}): relative error ${err}`);
    }
  }
  await tf.setBackend('wasm');
  // Large enough to be split into one call per matrix, after both inputs are transposed.
  const a = tf.ones([2, 30, 40]);
  const b = tf.ones([2, 20, 30]);
  const before = tf.backend().numDataIds();
  const product = tf.matMul(a, b, true, true);
  assert.deepEqual(product.shape, [2, 40, 20]);
  assert.deepEqual(Array.from(product.dataSync()), new Array(1600).fill(30));
  product.dispose();
  assert.equal(tf.backend().numDataIds(), before, 'transposed copies and slices freed');
  tf.dispose([a, b]);
});

test('a float32 one-hot on wasm holds ones and zeros, as on cpu (the stock kernel wrote int32 bits)', async () => {
  const run = () =>
    tf.tidy(() => Array.from(tf.oneHot(tf.tensor1d([2, 0, 1], 'int32'), 3, 1, 0, 'float32').dataSync()));
  await tf.setBackend('cpu');
  const expected = run();
  await selectBackend('wasm');
  assert.deepEqual(run(), expected);
  assert.deepEqual(expected, [0, 0, 1, 1, 0, 0, 0, 1, 0]);
});
