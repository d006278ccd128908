import type { FunctionBuilder, Local } from './functionBuilder.ts';
import type { ModuleBuilder } from './moduleBuilder.ts';

/**
 * im2col and col2im for NHWC convolutions with dilation 1, over a range of output pixels (so callers can
 * work in cache-sized chunks). Output pixel p = (b, oh, ow) flattened; its column row holds the
 * fh x fw x C input values under the filter, in (kh, kw, c) order (the layout of a [fh, fw, C, co]
 * filter seen as a [fh*fw*C, co] matrix), zero where the filter hangs over the padding.
 *
 * - `im2col(x, cols, p0, count, H, W, C, OH, OW, fh, fw, sh, sw, padTop, padLeft)`: may write up to 3
 *   floats past the last column row (callers leave 16 bytes of slack)
 * - `col2im_add(cols, dx, p0, count, ...same)`: the adjoint, dx[b, ih, iw, c] += cols[p, (kh, kw, c)];
 *   dx must be zeroed first.
 * Pointers in bytes, sizes in elements.
 */
export function addConv(mod: ModuleBuilder): void {
  addWalk(mod.declare('im2col', geometry()), 'gather');
  addWalk(mod.declare('col2im_add', geometry()), 'scatter');
}

const geometry = (): ('i32' | 'f32')[] => new Array<'i32'>(15).fill('i32');

/** Emits `for n floats: dst[i] = src[i]` (gather) or `src[i] += dst[i]`... see `emitRun`. */
type Mode = 'gather' | 'scatter';

/**
 * Inline loop over `count` floats between an image run and a column run: gather copies image -> column,
 * scatter adds column -> image. Vectors of four, then the rest one by one.
 */
function emitRun(
  f: FunctionBuilder,
  mode: Mode,
  image: Local,
  column: Local,
  count: Local,
  t: RunLocals,
): void {
  f.get(image).set(t.image);
  f.get(column).set(t.column);
  f.get(count).set(t.left);
  f.block(() => {
    f.loop(() => {
      f.get(t.left).i32(4).ltU().brIf(1);
      if (mode === 'gather') f.get(t.column).get(t.image).v128Load().v128Store();
      else f.get(t.image).get(t.image).v128Load().get(t.column).v128Load().vAdd().v128Store();
      f.increment(t.image, 16).increment(t.column, 16).increment(t.left, -4).br(0);
    });
  });
  f.block(() => {
    f.loop(() => {
      f.get(t.left).eqz().brIf(1);
      if (mode === 'gather') f.get(t.column).get(t.image).f32Load().f32Store();
      else f.get(t.image).get(t.image).f32Load().get(t.column).f32Load().f32Add().f32Store();
      f.increment(t.image, 4).increment(t.column, 4).increment(t.left, -1).br(0);
    });
  });
}

/** Inline zero fill of `count` floats at `column` (gather only: scatter skips the padding). */
function emitZero(f: FunctionBuilder, column: Local, count: Local, t: RunLocals): void {
  f.get(column).set(t.column);
  f.get(count).set(t.left);
  f.block(() => {
    f.loop(() => {
      f.get(t.left).i32(4).ltU().brIf(1);
      f.get(t.column).v128Zero().v128Store();
      f.increment(t.column, 16).increment(t.left, -4).br(0);
    });
  });
  f.block(() => {
    f.loop(() => {
      f.get(t.left).eqz().brIf(1);
      f.get(t.column).f32(0).f32Store();
      f.increment(t.column, 4).increment(t.left, -1).br(0);
    });
  });
}

interface RunLocals {
  image: Local;
  column: Local;
  left: Local;
}

function addWalk(f: FunctionBuilder, mode: Mode): void {
  const params = Array.from({ length: 15 }, (_, i) => f.param(i));
  const [first, second, p0, count, H, W, C, OH, OW, fh, fw, sh, sw, padTop, padLeft] = params as [
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
  // im2col(x, cols, ...), col2im_add(cols, dx, ...): the source comes first.
  const x = mode === 'gather' ? first : second;
  const cols = mode === 'gather' ? second : first;
  const t: RunLocals = { image: f.local('i32'), column: f.local('i32'), left: f.local('i32') };
  const local = (): Local => f.local('i32');
  const [b, oh, ow, owEnd, left, kh, kw, ih, iw] = [
    local(),
    local(),
    local(),
    local(),
    local(),
    local(),
    local(),
    local(),
    local(),
  ];
  const [col, rowStart, rowK, iwBase, leftEdge, src, dst, interior] = [
    local(),
    local(),
    local(),
    local(),
    local(),
    local(),
    local(),
    local(),
  ];
  const [
    pixels,
    pixelBytes,
    rowBytes,
    runFloats,
    runBytes,
    strideBytes,
    owIn0,
    owIn1,
    xEnd,
    shortRuns,
    ihBase,
  ] = [local(), local(), local(), local(), local(), local(), local(), local(), local(), local(), local()];

  f.get(OH).get(OW).mul().set(pixels);
  f.get(p0).get(pixels).divU().set(b);
  f.get(p0).get(pixels).remU().get(OW).divU().set(oh);
  f.get(p0).get(OW).remU().set(ow);
  f.get(C).i32(4).mul().set(pixelBytes);
  f.get(W).get(pixelBytes).mul().set(rowBytes);
  f.get(fw).get(C).mul().set(runFloats);
  f.get(runFloats).i32(4).mul().set(runBytes);
  f.get(sw).get(pixelBytes).mul().set(strideBytes);
  // Output columns whose whole filter row lies inside the image: owIn0 <= ow < owIn1.
  f.get(padLeft).get(sw).add().i32(1).sub().get(sw).divU().set(owIn0);
  f.get(W).get(fw).sub().get(padLeft).add().tee(owIn1).i32(0).ltS();
  f.if(
    () => f.i32(0).set(owIn1),
    () => f.get(owIn1).get(sw).divU().i32(1).add().set(owIn1),
  );
  // One past the last image this chunk reads (the tensor may be longer, never shorter).
  f.get(p0).get(count).add().i32(1).sub().get(pixels).divU().i32(1).add();
  f.get(H).mul().get(rowBytes).mul().get(x).add().set(xEnd);
  f.get(runFloats).i32(4).leU().set(shortRuns);
  f.get(cols).set(col);
  f.get(count).set(left);

  // Runs of output pixels in one output row (b, oh): ow .. owEnd - 1.
  f.block(() => {
    f.loop(() => {
      f.get(left).eqz().brIf(1);
      f.get(ow).get(left).add().tee(owEnd).get(OW).gtU();
      f.if(() => f.get(OW).set(owEnd));
      f.get(oh).get(sh).mul().get(padTop).sub().set(ihBase);
      // Address of (b, ihBase, 0): only used for rows inside the image.
      f.get(x).get(b).get(H).mul().get(ihBase).add().get(rowBytes).mul().add().set(rowStart);
      f.get(ow).get(sw).mul().get(padLeft).sub().set(iwBase);
      f.get(iwBase).get(pixelBytes).mul().set(leftEdge);
      f.block(() => {
        f.loop(() => {
          f.get(ow).get(owEnd).geU().brIf(1);
          f.get(ow)
            .get(owIn0)
            .sub()
            .get(owIn1)
            .get(owIn0)
            .sub()
            .ltU()
            .get(owIn1)
            .get(owIn0)
            .gtU()
            .and()
            .set(interior);
          f.get(rowStart).set(rowK);
          f.forRange(
            kh,
            () => f.i32(0),
            () => f.get(fh),
            1,
            () => {
              f.get(ihBase).get(kh).add().tee(ih).get(H).ltU();
              f.if(
                () => {
                  f.get(interior).if(
                    () => {
                      f.get(rowK).get(leftEdge).add().set(src);
                      if (mode === 'gather') {
                        // A short run (e.g. 3 floats of a 3-wide filter on one channel) as one vector:
                        // the extra lanes land where the next run (or the buffer's slack) is written,
                        // and are read only where the chunk's images still have data.
                        f.get(shortRuns).get(src).i32(16).add().get(xEnd).leU().and();
                        f.if(
                          () => f.get(col).get(src).v128Load().v128Store(),
                          () => emitRun(f, mode, src, col, runFloats, t),
                        );
                      } else {
                        emitRun(f, mode, src, col, runFloats, t);
                      }
                    },
                    () => {
                      f.forRange(
                        kw,
                        () => f.i32(0),
                        () => f.get(fw),
                        1,
                        () => {
                          f.get(iwBase).get(kw).add().set(iw);
                          f.get(col).get(kw).get(pixelBytes).mul().add().set(dst);
                          f.get(iw).get(W).ltU();
                          f.if(
                            () => {
                              f.get(rowK).get(iw).get(pixelBytes).mul().add().set(src);
                              emitRun(f, mode, src, dst, C, t);
                            },
                            () => {
                              if (mode === 'gather') emitZero(f, dst, C, t);
                            },
                          );
                        },
                      );
                    },
                  );
                },
                () => {
                  if (mode === 'gather') emitZero(f, col, runFloats, t);
                },
              );
              f.incrementBy(col, runBytes).incrementBy(rowK, rowBytes);
            },
          );
          f.incrementBy(iwBase, sw)
            .incrementBy(leftEdge, strideBytes)
            .increment(ow, 1)
            .increment(left, -1)
            .br(0);
        });
      });
      // Next output row, then the next image.
      f.get(ow)
        .get(OW)
        .eq()
        .if(() => {
          f.i32(0).set(ow).increment(oh, 1);
          f.get(oh)
            .get(OH)
            .eq()
            .if(() => {
              f.i32(0).set(oh).increment(b, 1);
            });
        });
      f.br(0);
    });
  });
}
