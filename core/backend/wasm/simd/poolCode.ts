import type { Local } from './functionBuilder.ts';
import type { ModuleBuilder } from './moduleBuilder.ts';

/**
 * `max_pool_grad(x, dy, dx, batch, H, W, C, OH, OW, fh, fw, sh, sw, padTop, padLeft)` for NHWC with C a
 * multiple of 4: for each pooling window and four channels at a time, finds the first maximum in
 * row-major order (strictly greater wins, as in the cpu backend, so ties go to the same pixel) and adds
 * dy there (stores it, with masks, when windows do not overlap). dx must be zeroed first. Pointers in
 * bytes, sizes in elements.
 */
export function addPool(mod: ModuleBuilder): void {
  const f = mod.declare('max_pool_grad', new Array<'i32'>(15).fill('i32'));
  const [x, dy, dx, batch, H, W, C, OH, OW, fh, fw, sh, sw, padTop, padLeft] = Array.from(
    { length: 15 },
    (_, i) => f.param(i),
  ) as [
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
  const [b, oh, ow, c, ih, iw, ihFrom, ihTo, iwFrom, iwTo, image, offset, at, dyAt] = Array.from(
    { length: 14 },
    () => f.local('i32'),
  ) as [Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local, Local];
  const best = f.local('v128');
  const where = f.local('v128');
  const value = f.local('v128');
  const mask = f.local('v128');
  const grad = f.local('v128');
  const lanes = f.local('v128');
  const open = f.local('v128');
  const disjoint = f.local('i32');
  const rowPointer = f.local('i32');
  const pointer = f.local('i32');
  const pixelBytes = f.local('i32');
  const rowBytes = f.local('i32');
  const toDx = f.local('i32');
  // For each pixel of the current window: pointer = its address in x (channel group c), value = x there,
  // offset = its element index. Pointers advance by whole pixels and rows (no index arithmetic per pixel).
  const windowPixels = (body: () => void): void => {
    f.get(ihFrom).get(W).mul().get(iwFrom).add().get(C).mul().get(c).add().get(image).add().i32(4).mul();
    f.get(x).add().set(rowPointer);
    f.forRange(
      ih,
      () => f.get(ihFrom),
      () => f.get(ihTo),
      1,
      () => {
        f.get(rowPointer).set(pointer);
        f.forRange(
          iw,
          () => f.get(iwFrom),
          () => f.get(iwTo),
          1,
          () => {
            f.get(pointer).v128Load().set(value);
            body();
            f.incrementBy(pointer, pixelBytes);
          },
        );
        f.incrementBy(rowPointer, rowBytes);
      },
    );
  };
  f.get(C).i32(4).mul().set(pixelBytes);
  f.get(W).get(pixelBytes).mul().set(rowBytes);
  f.get(dx).get(x).sub().set(toDx);
  f.get(sh).get(fh).geU().get(sw).get(fw).geU().and().set(disjoint);
  f.i32x4([0, 1, 2, 3]).set(lanes);
  f.get(dy).set(dyAt);
  const clampLow = (l: Local): void => {
    // l = max(l, 0)
    f.i32(0).get(l).get(l).i32(0).ltS().select().set(l);
  };
  const clampHigh = (l: Local, limit: Local): void => {
    f.get(limit).get(l).get(l).get(limit).gtS().select().set(l);
  };
  f.forRange(
    b,
    () => f.i32(0),
    () => f.get(batch),
    1,
    () => {
      f.get(b).get(H).mul().get(W).mul().get(C).mul().set(image);
      f.forRange(
        oh,
        () => f.i32(0),
        () => f.get(OH),
        1,
        () => {
          f.get(oh).get(sh).mul().get(padTop).sub().tee(ihFrom).get(fh).add().set(ihTo);
          clampLow(ihFrom);
          clampHigh(ihTo, H);
          f.forRange(
            ow,
            () => f.i32(0),
            () => f.get(OW),
            1,
            () => {
              f.get(ow).get(sw).mul().get(padLeft).sub().tee(iwFrom).get(fw).add().set(iwTo);
              clampLow(iwFrom);
              clampHigh(iwTo, W);
              f.forRange(
                c,
                () => f.i32(0),
                () => f.get(C),
                4,
                () => {
                  f.get(disjoint).if(
                    () => {
                      // Windows that do not overlap: each pixel has one window, so dx is stored (not
                      // added) with masks, no lane extraction. Pass 1 finds the maximum; pass 2 gives dy
                      // to the first pixel equal to it (none when the maximum is -Infinity, as on cpu).
                      f.f32x4(-Infinity).set(best);
                      windowPixels(() => {
                        f.get(value).get(best).vGt().set(mask);
                        f.get(value).get(best).get(mask).bitselect().set(best);
                      });
                      f.get(best).f32x4(-Infinity).vGt().set(open);
                      f.get(dyAt).v128Load().set(grad);
                      windowPixels(() => {
                        f.get(value).get(best).vEq().get(open).vAnd().set(mask);
                        f.get(pointer).get(toDx).add().get(grad).get(mask).vAnd().v128Store();
                        f.get(open).get(mask).vAndNot().set(open);
                      });
                    },
                    () => {
                      f.f32x4(-Infinity).set(best);
                      f.i32x4([-1, -1, -1, -1]).set(where);
                      windowPixels(() => {
                        f.get(value).get(best).vGt().set(mask);
                        f.get(value).get(best).get(mask).bitselect().set(best);
                        // Element index of the pixel's channel c.
                        f.get(pointer).get(x).sub().i32(2).shrU().set(offset);
                        f.get(offset)
                          .i32x4Splat()
                          .get(lanes)
                          .i32x4Add()
                          .get(where)
                          .get(mask)
                          .bitselect()
                          .set(where);
                      });
                      f.get(dyAt).v128Load().set(grad);
                      for (let lane = 0; lane < 4; lane++) {
                        f.get(where).i32x4ExtractLane(lane).tee(at).i32(0).geS();
                        f.if(() => {
                          f.get(dx).get(at).i32(4).mul().add().tee(offset);
                          f.get(offset).f32Load().get(grad).extractLane(lane).f32Add().f32Store();
                        });
                      }
                    },
                  );
                  f.increment(dyAt, 16);
                },
              );
            },
          );
        },
      );
    },
  );
}
