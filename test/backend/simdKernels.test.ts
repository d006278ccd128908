import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../core/backend/selectBackend.ts';
import { onCpuAndWasm, randomValues, relativeError } from './compareBackends.ts';

// Relative error: max|wasm - cpu| / max(1e-6, max|cpu|) over all elements (see relativeError).
const TOLERANCE = 1e-4;

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function assertClose(cpu: Float32Array[], wasm: Float32Array[], label: string): void {
  assert.equal(wasm.length, cpu.length, label);
  for (const [i, expected] of cpu.entries()) {
    const err = relativeError(wasm[i] as Float32Array, expected);
    assert.ok(err < TOLERANCE, `${label} output ${i}: relative error ${err}`);
  }
}

before(async () => {
  await selectBackend('wasm');
});

test('BatchMatMul and _FusedMatMul (bias, relu) match cpu on layer-sized, batched and transposed inputs', async () => {
  const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean; biasShape: 'n' | '1n' }[] = [
    { a: [37, 300], b: [300, 19], ta: false, tb: false, biasShape: 'n' },
    { a: [300, 37], b: [300, 19], ta: true, tb: false, biasShape: 'n' },
    { a: [37, 300], b: [19, 300], ta: false, tb: true, biasShape: '1n' },
    { a: [300, 37], b: [19, 300], ta: true, tb: true, biasShape: 'n' },
    { a: [3, 20, 70], b: [3, 70, 9], ta: false, tb: false, biasShape: 'n' },
    { a: [3, 70, 20], b: [70, 9], ta: true, tb: false, biasShape: '1n' },
    { a: [1, 130, 260], b: [1, 12, 260], ta: false, tb: true, biasShape: 'n' },
  ];
  for (const [i, c] of cases.entries()) {
    const n = c.tb ? (c.b.at(-2) as number) : (c.b.at(-1) as number);
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const a = tf.tensor(randomValues(size(c.a), 10 + i), c.a);
      const b = tf.tensor(randomValues(size(c.b), 20 + i), c.b);
      const biasValues = randomValues(n, 30 + i);
      const bias = c.biasShape === 'n' ? tf.tensor1d(biasValues) : tf.tensor2d(biasValues, [1, n]);
      return [
        tf.matMul(a, b, c.ta, c.tb),
        tf.fused.matMul({ a, b, transposeA: c.ta, transposeB: c.tb, bias, activation: 'relu' }),
        tf.fused.matMul({ a, b, transposeA: c.ta, transposeB: c.tb, bias }),
        tf.fused.matMul({ a, b, transposeA: c.ta, transposeB: c.tb, activation: 'relu' }),
      ];
    });
    assertClose(cpu, wasm, JSON.stringify(c));
  }
});

test('matmuls the SIMD path does not take (elu, a broadcast batch) still match cpu', async () => {
  const { cpu, wasm } = await onCpuAndWasm(() => {
    const a = tf.tensor(randomValues(2 * 5 * 6, 1), [2, 1, 5, 6]);
    const b = tf.tensor(randomValues(3 * 6 * 4, 2), [1, 3, 6, 4]);
    return [
      tf.matMul(a, b),
      tf.fused.matMul({
        a: tf.reshape(a, [10, 6]),
        b: tf.reshape(tf.slice(b, 0, [1, 1, 6, 4]), [6, 4]),
        activation: 'elu',
      }),
    ];
  });
  assertClose(cpu, wasm, 'fallback matmuls');
});

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

const convCases: ConvCase[] = [
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 8], strides: 1, pad: 'valid' },
  { x: [2, 9, 8, 1], filter: [3, 3, 1, 16], strides: 1, pad: 'same' },
  { x: [3, 10, 7, 5], filter: [2, 3, 5, 6], strides: 2, pad: 'same' },
  { x: [1, 11, 9, 4], filter: [5, 3, 4, 9], strides: [2, 1], pad: 1 },
  { x: [2, 6, 6, 7], filter: [1, 1, 7, 5], strides: 1, pad: 'valid' },
  { x: [2, 7, 7, 6], filter: [1, 1, 6, 4], strides: 2, pad: 'same' },
  // Large enough for several im2col chunks and several 256-deep k blocks.
  { x: [4, 20, 20, 6], filter: [3, 3, 6, 10], strides: 1, pad: 'same' },
];

test('Conv2D and FusedConv2D (bias, relu) match cpu over strides, paddings, 1x1 filters and chunked columns', async () => {
  for (const [i, c] of convCases.entries()) {
    const { cpu, wasm, shapes } = await onCpuAndWasm(() => {
      const x = tf.tensor4d(randomValues(size(c.x), 100 + i), c.x);
      const filter = tf.tensor4d(randomValues(size(c.filter), 200 + i), c.filter);
      const bias = tf.tensor1d(randomValues(c.filter[3], 300 + i));
      return [
        tf.conv2d(x, filter, c.strides, c.pad),
        tf.fused.conv2d({ x, filter, strides: c.strides, pad: c.pad, bias, activation: 'relu' }),
        tf.fused.conv2d({ x, filter, strides: c.strides, pad: c.pad, bias }),
      ];
    });
    const expectedShape = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
    assert.deepEqual(shapes[0], expectedShape, JSON.stringify(c));
    assertClose(cpu, wasm, JSON.stringify(c));
  }
});

test('convolutions the SIMD path does not take (dilations, elu) still match cpu', async () => {
  const { cpu, wasm } = await onCpuAndWasm(() => {
    const x = tf.tensor4d(randomValues(2 * 9 * 9 * 3, 7), [2, 9, 9, 3]);
    const filter = tf.tensor4d(randomValues(3 * 3 * 3 * 4, 8), [3, 3, 3, 4]);
    return [
      tf.conv2d(x, filter, 1, 'same', 'NHWC', 2),
      tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', activation: 'elu' }),
    ];
  });
  assertClose(cpu, wasm, 'fallback convolutions');
});

test('the conv gradients match cpu on a case with several column chunks and k blocks', async () => {
  const c = convCases.at(-1) as ConvCase;
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
  const { cpu, wasm } = await onCpuAndWasm(() => {
    const x = tf.tensor4d(randomValues(size(c.x), 1), c.x);
    const filter = tf.tensor4d(randomValues(size(c.filter), 2), c.filter);
    const dy = tf.tensor4d(randomValues(size(info.outShape), 3), info.outShape);
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    return [
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.filter }),
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: c.x }),
    ] as tf.Tensor[];
  });
  assertClose(cpu, wasm, 'conv gradients');
});

test('MaxPoolGrad with channels in fours (the SIMD path) matches cpu, ties and -Infinity included', async () => {
  const cases: {
    x: Shape4;
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: Pad;
  }[] = [
    { x: [2, 8, 8, 4], filterSize: 2, strides: 2, pad: 'valid' },
    { x: [2, 9, 7, 8], filterSize: 3, strides: 2, pad: 'same' },
    { x: [1, 6, 5, 12], filterSize: [2, 3], strides: 1, pad: 'same' },
    { x: [2, 11, 11, 4], filterSize: 2, strides: 2, pad: 'valid' },
    { x: [1, 7, 7, 4], filterSize: 3, strides: 3, pad: 1 },
  ];
  for (const [n, c] of cases.entries()) {
    for (const ties of [false, true]) {
      const values = randomValues(size(c.x), 900 + n).map((v, i) => {
        if (!ties) return v;
        // Few levels, zeros (as after a relu) and some -Infinity: which pixel wins matters.
        return i % 17 === 0 ? -Infinity : Math.max(0, Math.round(v * 2));
      });
      const { cpu, wasm } = await onCpuAndWasm(() => {
        const x = tf.tensor4d(values, c.x);
        return tf.grad((input: tf.Tensor) =>
          tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, c.filterSize, c.strides, c.pad), tf.scalar(1.5))),
        )(x);
      });
      assertClose(cpu, wasm, `${JSON.stringify(c)} ties=${ties}`);
    }
  }
});

test('Sum over leading axes (bias gradients) matches cpu; other reductions still do', async () => {
  const x3 = randomValues(600 * 7, 11);
  const { cpu, wasm, shapes } = await onCpuAndWasm(() => {
    const x = tf.tensor3d(x3, [300, 2, 7]);
    const flat = tf.tensor2d(x3, [600, 7]);
    return [
      tf.sum(x, [0, 1]),
      tf.sum(x, 0),
      tf.sum(x, [1, 0], true),
      tf.sum(x, -3),
      tf.sum(flat, 0),
      tf.sum(x),
      tf.sum(x, [1, 2]),
      tf.sum(x, 2),
    ];
  });
  assert.deepEqual(shapes, [[7], [2, 7], [1, 1, 7], [2, 7], [7], [], [300], [300, 2]]);
  assertClose(cpu, wasm, 'sums');
});

test('Add of a per-channel bias matches cpu, and other adds still do', async () => {
  const { cpu, wasm, shapes } = await onCpuAndWasm(() => {
    const x = tf.tensor4d(randomValues(3 * 5 * 4 * 6, 12), [3, 5, 4, 6]);
    const m = tf.tensor2d(randomValues(9 * 7, 13), [9, 7]);
    const bias6 = tf.tensor1d(randomValues(6, 14));
    const bias7 = tf.tensor2d(randomValues(7, 15), [1, 7]);
    return [
      tf.add(x, bias6),
      tf.add(m, bias7),
      tf.add(bias7, m),
      tf.add(m, m),
      tf.add(m, tf.scalar(2)),
      tf.add(tf.reshape(bias6, [6, 1]), tf.reshape(bias6, [1, 6])),
    ];
  });
  assert.deepEqual(shapes, [
    [3, 5, 4, 6],
    [9, 7],
    [9, 7],
    [9, 7],
    [9, 7],
    [6, 6],
  ]);
  assertClose(cpu, wasm, 'adds');
});

test('Identity and same-dtype Cast share data instead of copying; real casts still convert', async () => {
  await tf.setBackend('wasm');
  const backend = tf.backend();
  const x = tf.tensor2d([1.5, -2, 3, 4], [2, 2]);
  const before = backend.numDataIds();
  const clone = tf.clone(x);
  const same = tf.cast(x, 'float32');
  assert.equal(backend.numDataIds(), before, 'no new buffers');
  assert.equal(clone.dataId, x.dataId);
  assert.equal(same.dataId, x.dataId);
  x.dispose();
  clone.dispose();
  assert.deepEqual(Array.from(same.dataSync()), [1.5, -2, 3, 4], 'data lives while a sharer does');
  same.dispose();
  assert.equal(backend.numDataIds(), before - 1, 'freed with the last sharer');
  const ints = tf.cast(tf.tensor1d([1.7, -2.2]), 'int32');
  assert.equal(ints.dtype, 'int32');
  assert.deepEqual(Array.from(ints.dataSync()), [1, -2]);
  ints.dispose();
});

test('where the SIMD module cannot bind (no reachable heap), each kernel hands its call to the one it wraps', async () => {
  const { gemmMatMulConfig } = await import('../../core/backend/wasm/gemmMatMul.ts');
  const { gemmConv2DConfig } = await import('../../core/backend/wasm/gemmConv2D.ts');
  const { gemmConv2DBackpropFilterConfig } =
    await import('../../core/backend/wasm/gemmConv2DBackpropFilter.ts');
  const { gemmConv2DBackpropInputConfig } =
    await import('../../core/backend/wasm/gemmConv2DBackpropInput.ts');
  const { simdMaxPoolGradConfig } = await import('../../core/backend/wasm/simdMaxPoolGrad.ts');
  const { columnSumConfig } = await import('../../core/backend/wasm/columnSum.ts');
  const { biasAddConfig } = await import('../../core/backend/wasm/biasAdd.ts');
  // A backend object without the emscripten module: chorusWasm() cannot bind to it.
  const backend = {} as tf.KernelBackend;
  const t = (shape: number[]): tf.TensorInfo => ({ dataId: {}, shape, dtype: 'float32' });
  const marker: tf.TensorInfo = t([1]);
  const calls: string[] = [];
  const fallback = (name: string): tf.KernelConfig => ({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: () => {
      calls.push(name);
      return marker;
    },
  });
  const cases: [tf.KernelConfig, tf.NamedTensorInfoMap, tf.NamedAttrMap][] = [
    [gemmMatMulConfig(fallback('BatchMatMul')), { a: t([4, 5]), b: t([5, 6]) }, {}],
    [
      gemmConv2DConfig(fallback('Conv2D')),
      { x: t([1, 5, 5, 4]), filter: t([3, 3, 4, 8]) },
      { strides: 1, pad: 'valid' },
    ],
    [
      gemmConv2DBackpropFilterConfig(fallback('Conv2DBackpropFilter')),
      { x: t([1, 5, 5, 4]), dy: t([1, 3, 3, 8]) },
      { strides: 1, pad: 'valid', filterShape: [3, 3, 4, 8] },
    ],
    [
      gemmConv2DBackpropInputConfig(fallback('Conv2DBackpropInput')),
      { dy: t([1, 3, 3, 8]), filter: t([3, 3, 4, 8]) },
      { strides: 1, pad: 'valid', inputShape: [1, 5, 5, 4] },
    ],
    [
      simdMaxPoolGradConfig(fallback('MaxPoolGrad')),
      { dy: t([1, 2, 2, 4]), input: t([1, 4, 4, 4]) },
      { filterSize: 2, strides: 2, pad: 'valid' },
    ],
    [columnSumConfig(fallback('Sum')), { x: t([6, 4]) }, { axis: 0, keepDims: false }],
    [biasAddConfig(fallback('Add')), { a: t([6, 4]), b: t([4]) }, {}],
  ];
  for (const [config, inputs, attrs] of cases) {
    assert.equal(config.kernelFunc({ inputs, backend, attrs }), marker, config.kernelName);
  }
  assert.deepEqual(calls, [
    'BatchMatMul',
    'Conv2D',
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'MaxPoolGrad',
    'Sum',
    'Add',
  ]);
});
