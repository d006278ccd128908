import { FunctionBuilder, TYPE_CODE, unsignedLeb } from './functionBuilder.ts';
import type { ValueType } from './functionBuilder.ts';

/**
 * Assembles functions into a WebAssembly module that imports its memory as `env.memory` (the tfjs wasm
 * backend's heap, so the kernels work on tensors where they lie) and exports every function by name.
 * Functions are numbered in the order they are added; a function can call any other by `indexOf`.
 */
export class ModuleBuilder {
  private readonly functions: FunctionBuilder[] = [];

  add(fn: FunctionBuilder): number {
    this.functions.push(fn);
    return this.functions.length - 1;
  }

  /** Declares a function now (so others can call it) and fills its body later. */
  declare(name: string, params: readonly ValueType[], results: readonly ValueType[] = []): FunctionBuilder {
    const fn = new FunctionBuilder(name, params, results);
    this.add(fn);
    return fn;
  }

  indexOf(name: string): number {
    const i = this.functions.findIndex((f) => f.name === name);
    if (i < 0) throw new Error(`no function ${name}`);
    return i;
  }

  bytes(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id);
      unsignedLeb(content.length, out);
      for (const b of content) out.push(b);
    };
    const vector = (items: number[][]): number[] => {
      const v: number[] = [];
      unsignedLeb(items.length, v);
      for (const item of items) for (const b of item) v.push(b);
      return v;
    };
    const name = (s: string): number[] => {
      const utf8 = [...new TextEncoder().encode(s)];
      const v: number[] = [];
      unsignedLeb(utf8.length, v);
      return [...v, ...utf8];
    };

    // One type per function (duplicates are allowed and keep the numbering trivial).
    section(
      1,
      vector(
        this.functions.map((f) => {
          const t = [0x60];
          unsignedLeb(f.params.length, t);
          for (const p of f.params) t.push(TYPE_CODE[p]);
          unsignedLeb(f.results.length, t);
          for (const r of f.results) t.push(TYPE_CODE[r]);
          return t;
        }),
      ),
    );
    // Import env.memory with a minimum of 1 page and no maximum: any memory matches.
    section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]]));
    section(
      3,
      vector(
        this.functions.map((_, i) => {
          const v: number[] = [];
          unsignedLeb(i, v);
          return v;
        }),
      ),
    );
    section(
      7,
      vector(
        this.functions.map((f, i) => {
          const v = [...name(f.name), 0x00];
          unsignedLeb(i, v);
          return v;
        }),
      ),
    );
    section(
      10,
      vector(
        this.functions.map((f) => {
          const body = [...f.localDeclarations(), ...f.code, 0x0b];
          const v: number[] = [];
          unsignedLeb(body.length, v);
          return [...v, ...body];
        }),
      ),
    );
    return Uint8Array.from(out);
  }
}
