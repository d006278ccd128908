import type { FunctionBuilder, Local } from './functionBuilder.ts';
import type { ModuleBuilder } from './moduleBuilder.ts';

/**
 * Element-wise kernels:
 * - `bias_act(src, dst, m, n, bias, relu)`: dst[i, j] = act(src[i, j] + bias[j]) over an m x n row-major
 *   matrix (dst may be src); bias 0 means none, relu 0/1.
 * - `adam(param, grad, m, v, outParam, outM, outV, count, beta1, oneMinusBeta1, beta2, oneMinusBeta2,
 *   c1, c2, negLr, epsilon)`: one Adam step with the same f32 operations, in the same order, as tfjs'
 *   AdamOptimizer (c1, c2 are 1 - beta^t), so the results agree with the cpu backend's to the last bit.
 *   The outputs may be the inputs (in place).
 */
export function addElementwise(mod: ModuleBuilder): void {
  addBiasAct(mod.declare('bias_act', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']));
  addAdam(
    mod.declare('adam', [
      'i32',
      'i32',
      'i32',
      'i32',
      'i32',
      'i32',
      'i32',
      'i32',
      'f32',
      'f32',
      'f32',
      'f32',
      'f32',
      'f32',
      'f32',
      'f32',
    ]),
  );
}

function params<N extends number>(f: FunctionBuilder, count: N): Local[] {
  return Array.from({ length: count }, (_, i) => f.param(i));
}

function addBiasAct(f: FunctionBuilder): void {
  const [src, dst, m, n, bias, relu] = params(f, 6) as [Local, Local, Local, Local, Local, Local];
  const i = f.local('i32');
  const j = f.local('i32');
  const p = f.local('i32');
  const q = f.local('i32');
  const b = f.local('i32');
  const vectorEnd = f.local('i32');
  const zero = f.local('v128');
  // Columns four at a time (n rounded down to a multiple of 4), then the rest one by one.
  f.get(n).i32(-4).and().set(vectorEnd);
  // One loop nest per (bias, relu) combination, so the inner loops have no branches.
  const rows = (withBias: boolean, withRelu: boolean): void => {
    f.get(src).set(p);
    f.get(dst).set(q);
    f.forRange(
      i,
      () => f.i32(0),
      () => f.get(m),
      1,
      () => {
        f.get(bias).set(b);
        f.forRange(
          j,
          () => f.i32(0),
          () => f.get(vectorEnd),
          4,
          () => {
            f.get(q).get(p).v128Load();
            if (withBias) f.get(b).v128Load().vAdd();
            if (withRelu) f.get(zero).vMax();
            f.v128Store();
            f.increment(p, 16).increment(q, 16).increment(b, 16);
          },
        );
        f.forRange(
          j,
          () => f.get(vectorEnd),
          () => f.get(n),
          1,
          () => {
            f.get(q).get(p).f32Load();
            if (withBias) f.get(b).f32Load().f32Add();
            if (withRelu) f.f32(0).f32Max();
            f.f32Store();
            f.increment(p, 4).increment(q, 4).increment(b, 4);
          },
        );
      },
    );
  };
  f.get(bias).if(
    () =>
      f.get(relu).if(
        () => rows(true, true),
        () => rows(true, false),
      ),
    () =>
      f.get(relu).if(
        () => rows(false, true),
        () => rows(false, false),
      ),
  );
}

function addAdam(f: FunctionBuilder): void {
  const [
    param,
    grad,
    m,
    v,
    out,
    outM,
    outV,
    count,
    beta1,
    oneMinusBeta1,
    beta2,
    oneMinusBeta2,
    c1,
    c2,
    negLr,
    eps,
  ] = params(f, 16) as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const i = f.local('i32');
  const vectorEnd = f.local('i32');
  const scalars = [beta1, oneMinusBeta1, beta2, oneMinusBeta2, c1, c2, negLr, eps];
  const splats = scalars.map(() => f.local('v128'));
  scalars.forEach((s, k) =>
    f
      .get(s)
      .splat()
      .set(splats[k] as Local),
  );
  const [vB1, vOmB1, vB2, vOmB2, vC1, vC2, vNegLr, vEps] = splats as [
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const g = f.local('v128');
  const newM = f.local('v128');
  const newV = f.local('v128');
  const gs = f.local('f32');
  const newMs = f.local('f32');
  const newVs = f.local('f32');
  f.get(count).i32(-4).and().set(vectorEnd);

  // Vectors of four, then the tail one by one: the same expression tree both ways.
  f.forRange(
    i,
    () => f.i32(0),
    () => f.get(vectorEnd),
    4,
    () => {
      f.get(grad).v128Load().set(g);
      // m' = m * b1 + g * (1 - b1)
      f.get(m).v128Load().get(vB1).vMul().get(g).get(vOmB1).vMul().vAdd().set(newM);
      // v' = v * b2 + g^2 * (1 - b2)
      f.get(v).v128Load().get(vB2).vMul().get(g).get(g).vMul().get(vOmB2).vMul().vAdd().set(newV);
      f.get(outM).get(newM).v128Store();
      f.get(outV).get(newV).v128Store();
      // p' = ((m' / c1) / (sqrt(v' / c2) + eps)) * -lr + p
      f.get(out);
      f.get(newM).get(vC1).vDiv();
      f.get(newV).get(vC2).vDiv().vSqrt().get(vEps).vAdd();
      f.vDiv().get(vNegLr).vMul();
      f.get(param).v128Load().vAdd();
      f.v128Store();
      f.increment(param, 16).increment(grad, 16).increment(m, 16).increment(v, 16);
      f.increment(out, 16).increment(outM, 16).increment(outV, 16);
    },
  );
  f.forRange(
    i,
    () => f.get(vectorEnd),
    () => f.get(count),
    1,
    () => {
      f.get(grad).f32Load().set(gs);
      f.get(m).f32Load().get(beta1).f32Mul().get(gs).get(oneMinusBeta1).f32Mul().f32Add().set(newMs);
      f.get(v)
        .f32Load()
        .get(beta2)
        .f32Mul()
        .get(gs)
        .get(gs)
        .f32Mul()
        .get(oneMinusBeta2)
        .f32Mul()
        .f32Add()
        .set(newVs);
      f.get(outM).get(newMs).f32Store();
      f.get(outV).get(newVs).f32Store();
      f.get(out);
      f.get(newMs).get(c1).f32Div();
      f.get(newVs).get(c2).f32Div().f32Sqrt().get(eps).f32Add();
      f.f32Div().get(negLr).f32Mul();
      f.get(param).f32Load().f32Add();
      f.f32Store();
      f.increment(param, 4).increment(grad, 4).increment(m, 4).increment(v, 4);
      f.increment(out, 4).increment(outM, 4).increment(outV, 4);
    },
  );
}
