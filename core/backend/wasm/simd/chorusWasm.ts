import type { TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { addConv } from './convCode.ts';
import { addElementwise } from './elementwiseCode.ts';
import { addGemm } from './gemmCode.ts';
import { ModuleBuilder } from './moduleBuilder.ts';
import { addPool } from './poolCode.ts';
import { addReduce } from './reduceCode.ts';
import { relaxedSimdEnabled } from './relaxedSimd.ts';

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
    outParam: number,
    outM: number,
    outV: number,
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

/** Scratch areas: one for the GEMM's packed panels, one for the kernels that call it (e.g. im2col chunks). */
export type ScratchSlot = 'gemm' | 'kernel';

/** Chorus' kernels bound to one tfjs wasm backend, with scratch areas on its heap. */
export interface ChorusWasm {
  readonly exports: ChorusExports;
  readonly backend: BackendWasm;
  /** Byte offset of a tensor's data on the heap. */
  pointer(info: TensorInfo): number;
  /**
   * A scratch area of at least `bytes` bytes (16-byte aligned), valid until the next request for the
   * same slot. Kept between calls (freed only with the backend), so steady-state steps allocate nothing.
   */
  scratch(slot: ScratchSlot, bytes: number): number;
  /** A Float32Array view of `count` floats at `pointer`; take it after the last allocation. */
  floats(pointer: number, count: number): Float32Array;
}

/** The parts of the WebAssembly JS API used here (the DOM lib that declares them is not loaded). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: abstract new (...args: never[]) => { buffer: ArrayBuffer };
}

const WebAssemblyJs = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface EmscriptenModule {
  asm?: { memory?: unknown };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

const compiled = new Map<boolean, object>();
const bound = new WeakMap<BackendWasm, ChorusWasm | null>();

function compile(fusedMultiplyAdd: boolean): object {
  let module = compiled.get(fusedMultiplyAdd);
  if (module === undefined) {
    const mod = new ModuleBuilder();
    addGemm(mod, fusedMultiplyAdd);
    addElementwise(mod);
    addConv(mod);
    addReduce(mod);
    addPool(mod);
    // Synchronous compilation is fine in Node (browsers limit it on the main thread only).
    module = new WebAssemblyJs.Module(mod.bytes());
    compiled.set(fusedMultiplyAdd, module);
  }
  return module;
}

/**
 * Chorus' wasm module bound to this backend's heap, or undefined where it cannot be (no SIMD in this
 * engine, or a tfjs build whose heap is not reachable): callers then fall back to other kernels. The GEMM
 * uses fused multiply-adds where relaxed SIMD is available (see relaxedSimd.ts).
 */
export function chorusWasm(backend: BackendWasm): ChorusWasm | undefined {
  const known = bound.get(backend);
  if (known !== undefined) return known ?? undefined;
  const made = bindChorusWasm(backend, relaxedSimdEnabled());
  bound.set(backend, made ?? null);
  return made;
}

/** A new binding with the GEMM variant chosen explicitly (tests compare both). */
export function bindChorusWasm(backend: BackendWasm, fusedMultiplyAdd: boolean): ChorusWasm | undefined {
  const emscripten = (backend as unknown as { wasm?: EmscriptenModule }).wasm;
  const memory = emscripten?.asm?.memory;
  if (emscripten === undefined || !(memory instanceof WebAssemblyJs.Memory)) return undefined;
  let instance: { exports: object };
  try {
    instance = new WebAssemblyJs.Instance(compile(fusedMultiplyAdd), { env: { memory } });
  } catch {
    return undefined;
  }
  const exports = instance.exports as unknown as ChorusExports;
  const areas = new Map<ScratchSlot, { pointer: number; bytes: number }>();
  return {
    exports,
    backend,
    pointer: (info: TensorInfo): number => backend.getMemoryOffset(info.dataId),
    floats: (pointer: number, count: number): Float32Array => new Float32Array(memory.buffer, pointer, count),
    scratch(slot: ScratchSlot, bytes: number): number {
      let area = areas.get(slot);
      if (area === undefined || bytes > area.bytes) {
        if (area !== undefined) emscripten._free(area.pointer);
        const size = Math.max(bytes, (area?.bytes ?? 0) * 2);
        // 16 bytes of slack to align the start for vector loads.
        const pointer = emscripten._malloc(size + 16) >>> 0;
        if (pointer === 0) {
          areas.delete(slot);
          throw new Error(`wasm heap: cannot allocate ${bytes} bytes of scratch`);
        }
        area = { pointer, bytes: size };
        areas.set(slot, area);
      }
      return (area.pointer + 15) & ~15;
    },
  };
}
