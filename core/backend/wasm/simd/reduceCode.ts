import type { Local } from './functionBuilder.ts';
import type { ModuleBuilder } from './moduleBuilder.ts';

/** Rows summed in f32 before their partial sum is added to the total (keeps long sums accurate). */
export const SUM_BLOCK_ROWS = 256;

/**
 * `column_sums(x, rows, cols, out, tmp)`: out[j] = sum over i of x[i * cols + j] (a bias gradient: a sum
 * over every axis but the last). Sums blocks of SUM_BLOCK_ROWS rows into `tmp` (cols floats), then adds
 * each block's sum into `out`, so rounding error grows with the block size and the number of blocks, not
 * with the row count. Pointers in bytes.
 */
export function addReduce(mod: ModuleBuilder): void {
  const f = mod.declare('column_sums', ['i32', 'i32', 'i32', 'i32', 'i32']);
  const [x, rows, cols, out, tmp] = [0, 1, 2, 3, 4].map((i) => f.param(i)) as [
    Local,
    Local,
    Local,
    Local,
    Local,
  ];
  const i = f.local('i32');
  const j = f.local('i32');
  const blockEnd = f.local('i32');
  const p = f.local('i32');
  const q = f.local('i32');
  const vectorEnd = f.local('i32');
  f.get(cols).i32(-4).and().set(vectorEnd);
  f.get(x).set(p);
  // out = 0
  f.forRange(
    j,
    () => f.i32(0),
    () => f.get(cols),
    1,
    () => f.get(out).get(j).i32(4).mul().add().f32(0).f32Store(),
  );
  f.i32(0).set(i);
  f.block(() => {
    f.loop(() => {
      f.get(i).get(rows).geU().brIf(1);
      f.get(i).i32(SUM_BLOCK_ROWS).add().set(blockEnd);
      f.get(blockEnd).get(rows).get(blockEnd).get(rows).ltU().select().set(blockEnd);
      // tmp = 0
      f.forRange(
        j,
        () => f.i32(0),
        () => f.get(cols),
        1,
        () => f.get(tmp).get(j).i32(4).mul().add().f32(0).f32Store(),
      );
      f.block(() => {
        f.loop(() => {
          f.get(i).get(blockEnd).geU().brIf(1);
          f.get(tmp).set(q);
          f.forRange(
            j,
            () => f.i32(0),
            () => f.get(vectorEnd),
            4,
            () => {
              f.get(q).get(q).v128Load().get(p).v128Load().vAdd().v128Store();
              f.increment(q, 16).increment(p, 16);
            },
          );
          f.forRange(
            j,
            () => f.get(vectorEnd),
            () => f.get(cols),
            1,
            () => {
              f.get(q).get(q).f32Load().get(p).f32Load().f32Add().f32Store();
              f.increment(q, 4).increment(p, 4);
            },
          );
          f.increment(i, 1).br(0);
        });
      });
      // out += tmp
      f.forRange(
        j,
        () => f.i32(0),
        () => f.get(cols),
        1,
        () => {
          f.get(out).get(j).i32(4).mul().add().tee(q).get(q).f32Load();
          f.get(tmp).get(j).i32(4).mul().add().f32Load().f32Add().f32Store();
        },
      );
      f.br(0);
    });
  });
}
