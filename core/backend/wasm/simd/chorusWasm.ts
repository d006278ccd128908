import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addConv } from './convCode.ts';
import { addElementwise } from './elementwiseCode.ts';
import { addGemm } from './gemmCode.ts';
import { ModuleBuilder } from './moduleBuilder.ts';
import { addPool } from './poolCode.ts';
import { addReduce } from './reduceCode.ts';

/** (x or dx, cols, p0, count, H, W, C, OH, OW, fh, fw, sh, sw, padTop, padLeft): see convCode.ts. */
type ConvWalk = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
/** (batch, H, W, C, OH, OW, fh, fw, sh, sw, padTop, padLeft): see poolCode.ts. */
type PoolWalk = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** The exports of Chorus' wasm module: pointers and strides in bytes into the tfjs heap. */
export interface ChorusExports {
  pack_a(
    src: number,
    rowStride: number,
    kStride: number,
    rows: number,
    kc: number,
    kcPad: number,
    dst: number,
  ): void;
  pack_b(
    src: number,
    kStride: number,
    colStride: number,
    cols: number,
    kc: number,
    kcPad: number,
    dst: number,
  ): void;
  gemm_block(
    aPacked: number,
    bPacked: number,
    c: number,
    m: number,
    n: number,
    kcPad: number,
    ldc: number,
    accumulate: number,
    tmp: number,
  ): void;
  im2col(...geometry: ConvWalk): void;
  col2im_add(...geometry: ConvWalk): void;
  column_sums(x: number, rows: number, cols: number, out: number, tmp: number): void;
  max_pool_grad(x: number, dy: number, dx: number, ...geometry: PoolWalk): void;
  bias_act(src: number, dst: number, m: number, n: number, bias: number, relu: number): void;
  adam(
    param: number,
    grad: number,
    m: number,
    v: number,
    out: number,
    count: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    c1: number,
    c2: number,
    negLr: number,
    epsilon: number,
  ): void;
}

/** Chorus' kernels bound to one tfjs wasm backend, with a scratch buffer on its heap. */
export interface ChorusWasm {
  readonly exports: ChorusExports;
  readonly backend: BackendWasm;
  /** Byte offset of a tensor's data on the heap. */
  pointer(info: TensorInfo): number;
  /** A scratch area of at least `bytes` bytes (16-byte aligned), valid until the next call. */
  scratch(bytes: number): number;
}

interface EmscriptenModule {
  asm?: { memory?: unknown };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

interface BackendInternals {
  wasm: EmscriptenModule;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
}

let compiled: WebAssembly.Module | undefined;
const bound = new WeakMap<BackendWasm, ChorusWasm | null>();

function compile(): WebAssembly.Module {
  if (compiled === undefined) {
    const mod = new ModuleBuilder();
    addGemm(mod);
    addElementwise(mod);
    addConv(mod);
    addReduce(mod);
    addPool(mod);
    // Synchronous compilation is fine in Node (browsers limit it on the main thread only).
    compiled = new WebAssembly.Module(mod.bytes());
  }
  return compiled;
}

/**
 * Chorus' wasm module bound to this backend's heap, or undefined where it cannot be (no SIMD in this
 * engine, or a tfjs build whose heap is not reachable): callers then fall back to the stock kernels.
 */
export function chorusWasm(backend: BackendWasm): ChorusWasm | undefined {
  const known = bound.get(backend);
  if (known !== undefined) return known ?? undefined;
  const made = bind(backend);
  bound.set(backend, made ?? null);
  return made;
}

function bind(backend: BackendWasm): ChorusWasm | undefined {
  const internals = backend as unknown as BackendInternals;
  const memory = internals.wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(compile(), { env: { memory } });
  } catch {
    return undefined;
  }
  const exports = instance.exports as unknown as ChorusExports;
  const emscripten = internals.wasm;
  let scratchPointer = 0;
  let scratchBytes = 0;
  return {
    exports,
    backend,
    pointer(info: TensorInfo): number {
      const entry = internals.dataIdMap.get(info.dataId);
      if (entry === undefined) throw new Error('tensor data is not on the wasm heap');
      return entry.memoryOffset;
    },
    scratch(bytes: number): number {
      if (bytes > scratchBytes) {
        if (scratchPointer !== 0) emscripten._free(scratchPointer);
        scratchBytes = Math.max(bytes, scratchBytes * 2);
        // 16 bytes of slack to align the start for vector loads.
        scratchPointer = emscripten._malloc(scratchBytes + 16);
        if (scratchPointer === 0) {
          scratchBytes = 0;
          throw new Error(`wasm heap: cannot allocate ${bytes} bytes of scratch`);
        }
      }
      return (scratchPointer + 15) & ~15;
    },
  };
}
