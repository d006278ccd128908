/**
 * Emits the body of one WebAssembly function, instruction by instruction. Chorus' wasm kernels are
 * written with it in TypeScript (no C toolchain, nothing prebuilt to ship), then assembled by
 * `moduleBuilder.ts`. Only the instructions the kernels use are here; SIMD opcodes follow the
 * WebAssembly SIMD proposal (prefix 0xFD, LEB128 opcode).
 */

export type ValueType = 'i32' | 'f32' | 'f64' | 'v128';

export const TYPE_CODE: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** A local variable (parameters first, then declared locals), by index. */
export interface Local {
  readonly index: number;
  readonly type: ValueType;
}

const SIMD = {
  load: 0x00,
  load32Splat: 0x09,
  load64Splat: 0x0a,
  store: 0x0b,
  const: 0x0c,
  shuffle: 0x0d,
  i32x4Splat: 0x11,
  f32x4Splat: 0x13,
  i32x4ExtractLane: 0x1b,
  f32x4ExtractLane: 0x1f,
  f64x2Splat: 0x14,
  f64x2ExtractLane: 0x21,
  f32x4Eq: 0x41,
  f32x4Gt: 0x44,
  f32x4Le: 0x45,
  f32x4Ge: 0x46,
  v128And: 0x4e,
  v128AndNot: 0x4f,
  bitselect: 0x52,
  load32Zero: 0x5c,
  load64Zero: 0x5d,
  load32Lane: 0x56,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  i32x4LeU: 0x3e,
  i32x4AllTrue: 0xa3,
  i32x4MaxU: 0xb9,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  i32x4Add: 0xae,
  f64x2Add: 0xf0,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
  f32x4RelaxedMadd: 0x105,
} as const;

export function unsignedLeb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function signedLeb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly declared: ValueType[] = [];
  private readonly locals: Local[];

  constructor(
    readonly name: string,
    readonly params: readonly ValueType[],
    readonly results: readonly ValueType[] = [],
  ) {
    this.locals = params.map((type, index) => ({ index, type }));
  }

  /** The i-th parameter. */
  param(i: number): Local {
    const p = this.locals[i];
    if (p === undefined || i >= this.params.length) throw new Error(`${this.name}: no parameter ${i}`);
    return p;
  }

  local(type: ValueType): Local {
    const l = { index: this.locals.length, type };
    this.locals.push(l);
    this.declared.push(type);
    return l;
  }

  /** The locals section of the body: runs of declared locals of the same type. */
  localDeclarations(): number[] {
    const runs: [number, ValueType][] = [];
    for (const t of this.declared) {
      const last = runs.at(-1);
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const out: number[] = [];
    unsignedLeb(runs.length, out);
    for (const [count, t] of runs) {
      unsignedLeb(count, out);
      out.push(TYPE_CODE[t]);
    }
    return out;
  }

  // --- locals and constants ---
  get(l: Local): this {
    return this.op(0x20).index(l.index);
  }
  set(l: Local): this {
    return this.op(0x21).index(l.index);
  }
  tee(l: Local): this {
    return this.op(0x22).index(l.index);
  }
  i32(value: number): this {
    this.code.push(0x41);
    signedLeb(value, this.code);
    return this;
  }
  f32(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return this.op(0x43, ...bytes);
  }
  f64(value: number): this {
    const bytes = new Uint8Array(new Float64Array([value]).buffer);
    return this.op(0x44, ...bytes);
  }
  v128Zero(): this {
    return this.simd(SIMD.const).op(...new Array<number>(16).fill(0));
  }
  /** A v128 constant of four i32 lanes. */
  i32x4(lanes: readonly [number, number, number, number]): this {
    return this.simd(SIMD.const).op(...new Uint8Array(Int32Array.from(lanes).buffer));
  }
  /** A v128 constant of four f32 lanes, all `value`. */
  f32x4(value: number): this {
    return this.simd(SIMD.const).op(...new Uint8Array(new Float32Array([value, value, value, value]).buffer));
  }

  // --- i32 arithmetic and comparisons ---
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  shl(): this {
    return this.op(0x74);
  }
  shrU(): this {
    return this.op(0x76);
  }
  divU(): this {
    return this.op(0x6e);
  }
  remU(): this {
    return this.op(0x70);
  }
  eqz(): this {
    return this.op(0x45);
  }
  eq(): this {
    return this.op(0x46);
  }
  ne(): this {
    return this.op(0x47);
  }
  ltU(): this {
    return this.op(0x49);
  }
  gtU(): this {
    return this.op(0x4b);
  }
  geU(): this {
    return this.op(0x4f);
  }
  ltS(): this {
    return this.op(0x48);
  }
  geS(): this {
    return this.op(0x4e);
  }
  gtS(): this {
    return this.op(0x4a);
  }
  leU(): this {
    return this.op(0x4d);
  }
  leS(): this {
    return this.op(0x4c);
  }
  or(): this {
    return this.op(0x72);
  }
  and(): this {
    return this.op(0x71);
  }
  /** Pushes `l + delta` (i32). */
  plus(l: Local, delta: number): this {
    return this.get(l).i32(delta).add();
  }
  /** l += delta (i32 constant). */
  increment(l: Local, delta: number): this {
    return this.get(l).i32(delta).add().set(l);
  }
  /** l += other (i32 local). */
  incrementBy(l: Local, other: Local): this {
    return this.get(l).get(other).add().set(l);
  }
  select(): this {
    return this.op(0x1b);
  }

  // --- f32 scalar ---
  f32Add(): this {
    return this.op(0x92);
  }
  f32Sub(): this {
    return this.op(0x93);
  }
  f32Mul(): this {
    return this.op(0x94);
  }
  f32Div(): this {
    return this.op(0x95);
  }
  f32Max(): this {
    return this.op(0x97);
  }
  f32Sqrt(): this {
    return this.op(0x91);
  }
  f32Gt(): this {
    return this.op(0x5e);
  }
  /** (a, b) -> a != b, true when either is NaN. */
  f32Ne(): this {
    return this.op(0x5c);
  }
  f32Le(): this {
    return this.op(0x5f);
  }
  f32Ge(): this {
    return this.op(0x60);
  }

  // --- f64 scalar ---
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Sub(): this {
    return this.op(0xa1);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }
  f64Div(): this {
    return this.op(0xa3);
  }
  f64Gt(): this {
    return this.op(0x64);
  }
  f64Ge(): this {
    return this.op(0x66);
  }
  f64Le(): this {
    return this.op(0x65);
  }
  f64PromoteF32(): this {
    return this.op(0xbb);
  }
  f32DemoteF64(): this {
    return this.op(0xb6);
  }

  // --- memory (offset is a constant byte offset added to the address on the stack) ---
  f32Load(offset = 0): this {
    return this.op(0x2a).memarg(2, offset);
  }
  f32Store(offset = 0): this {
    return this.op(0x38).memarg(2, offset);
  }
  i32Load(offset = 0): this {
    return this.op(0x28).memarg(2, offset);
  }
  i32Store(offset = 0): this {
    return this.op(0x36).memarg(2, offset);
  }
  f64Load(offset = 0): this {
    return this.op(0x2b).memarg(3, offset);
  }
  f64Store(offset = 0): this {
    return this.op(0x39).memarg(3, offset);
  }
  /** Loads one f64 into both halves of a vector. */
  load64Splat(offset = 0): this {
    return this.simd(SIMD.load64Splat).memarg(0, offset);
  }
  /** Loads one f32 into lane 0 of a vector, zeroing the others. */
  load32Zero(offset = 0): this {
    return this.simd(SIMD.load32Zero).memarg(0, offset);
  }
  /** (address, vector) -> the vector with lane `lane` replaced by the f32 loaded from address + offset. */
  load32Lane(offset: number, lane: number): this {
    return this.simd(SIMD.load32Lane).memarg(0, offset).op(lane);
  }
  /** Loads 8 bytes (two f32) into the low half of a vector, zeroing the high half. */
  load64Zero(offset = 0): this {
    return this.simd(SIMD.load64Zero).memarg(0, offset);
  }
  v128Load(offset = 0): this {
    return this.simd(SIMD.load).memarg(0, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(SIMD.store).memarg(0, offset);
  }
  /** Loads one f32 and splats it to all four lanes. */
  load32Splat(offset = 0): this {
    return this.simd(SIMD.load32Splat).memarg(0, offset);
  }

  // --- f32x4 ---
  splat(): this {
    return this.simd(SIMD.f32x4Splat);
  }
  extractLane(lane: number): this {
    return this.simd(SIMD.f32x4ExtractLane).op(lane);
  }
  i32x4Splat(): this {
    return this.simd(SIMD.i32x4Splat);
  }
  i32x4Add(): this {
    return this.simd(SIMD.i32x4Add);
  }
  /** Lane-wise unsigned maximum of two i32x4. */
  i32x4MaxU(): this {
    return this.simd(SIMD.i32x4MaxU);
  }
  /** Lane-wise unsigned a <= b of two i32x4 (all ones where true). */
  i32x4LeU(): this {
    return this.simd(SIMD.i32x4LeU);
  }
  i32x4ExtractLane(lane: number): this {
    return this.simd(SIMD.i32x4ExtractLane).op(lane);
  }
  vAdd(): this {
    return this.simd(SIMD.f32x4Add);
  }
  vSub(): this {
    return this.simd(SIMD.f32x4Sub);
  }
  vMul(): this {
    return this.simd(SIMD.f32x4Mul);
  }
  vDiv(): this {
    return this.simd(SIMD.f32x4Div);
  }
  /**
   * (a, b, c) -> a * b + c, fused where the hardware has FMA (relaxed SIMD: the engine may round once or
   * twice). Needs an engine with relaxed SIMD enabled (see relaxedSimd.ts).
   */
  vRelaxedMadd(): this {
    return this.simd(SIMD.f32x4RelaxedMadd);
  }
  vSqrt(): this {
    return this.simd(SIMD.f32x4Sqrt);
  }
  vMax(): this {
    return this.simd(SIMD.f32x4Max);
  }
  vMin(): this {
    return this.simd(SIMD.f32x4Min);
  }
  vGt(): this {
    return this.simd(SIMD.f32x4Gt);
  }
  vEq(): this {
    return this.simd(SIMD.f32x4Eq);
  }
  vLe(): this {
    return this.simd(SIMD.f32x4Le);
  }
  vGe(): this {
    return this.simd(SIMD.f32x4Ge);
  }
  /** i32: whether every 32-bit lane of the vector is non-zero. */
  allTrue32(): this {
    return this.simd(SIMD.i32x4AllTrue);
  }

  // --- f64x2 ---
  f64x2Splat(): this {
    return this.simd(SIMD.f64x2Splat);
  }
  f64x2ExtractLane(lane: number): this {
    return this.simd(SIMD.f64x2ExtractLane).op(lane);
  }
  f64x2Add(): this {
    return this.simd(SIMD.f64x2Add);
  }
  f64x2Mul(): this {
    return this.simd(SIMD.f64x2Mul);
  }
  f64x2Div(): this {
    return this.simd(SIMD.f64x2Div);
  }
  /** The low two f32 lanes, as f64x2 (exact). */
  promoteLow(): this {
    return this.simd(SIMD.f64x2PromoteLowF32x4);
  }
  /** f64x2 -> f32 lanes 0-1 (rounded to nearest even), lanes 2-3 zero. */
  demoteZero(): this {
    return this.simd(SIMD.f32x4DemoteF64x2Zero);
  }

  /** Bitwise and of two vectors. */
  vAnd(): this {
    return this.simd(SIMD.v128And);
  }
  /** (a, b) -> a & ~b. */
  vAndNot(): this {
    return this.simd(SIMD.v128AndNot);
  }
  /** (a, b, mask) -> lanes of a where mask bits are set, of b elsewhere. */
  bitselect(): this {
    return this.simd(SIMD.bitselect);
  }

  // --- control flow ---
  /** `block ... end` with no result. */
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.end();
  }
  /** `loop ... end` with no result. */
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.end();
  }
  /** `if ... (else ...) end` on the i32 on the stack. */
  if(then: () => void, otherwise?: () => void): this {
    this.op(0x04, 0x40);
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    return this.end();
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c).index(depth);
  }
  brIf(depth: number): this {
    return this.op(0x0d).index(depth);
  }
  call(functionIndex: number): this {
    return this.op(0x10).index(functionIndex);
  }
  drop(): this {
    return this.op(0x1a);
  }
  return(): this {
    return this.op(0x0f);
  }

  /**
   * `for (counter = from; counter < to; counter += step) body()`, unsigned compare. `to` is read each
   * round. The body must not branch out (its depth is not tracked).
   */
  forRange(counter: Local, from: () => void, to: () => void, step: number, body: () => void): this {
    from();
    this.set(counter);
    return this.block(() => {
      this.loop(() => {
        this.get(counter);
        to();
        this.geU().brIf(1);
        body();
        this.increment(counter, step).br(0);
      });
    });
  }

  /** Raw bytes. */
  op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  private simd(opcode: number): this {
    this.code.push(0xfd);
    unsignedLeb(opcode, this.code);
    return this;
  }

  private memarg(align: number, offset: number): this {
    unsignedLeb(align, this.code);
    unsignedLeb(offset, this.code);
    return this;
  }

  private index(i: number): this {
    unsignedLeb(i, this.code);
    return this;
  }

  /**
   * i8x16.shuffle of the two vectors on the stack by 32-bit lanes: lanes 0-3 pick from the first vector,
   * 4-7 from the second.
   */
  shuffle32(lanes: readonly [number, number, number, number]): this {
    const bytes: number[] = [];
    for (const l of lanes) bytes.push(l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3);
    return this.simd(SIMD.shuffle).op(...bytes);
  }

  /** Lane `lane` of vector local `v` in all four lanes. */
  broadcastLocalLane(v: Local, lane: number): this {
    const bytes: number[] = [];
    for (let i = 0; i < 4; i++) bytes.push(lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3);
    return this.get(v)
      .get(v)
      .simd(SIMD.shuffle)
      .op(...bytes);
  }
}
