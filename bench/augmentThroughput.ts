/**
 * What training-time augmentation costs: the small CNN's training throughput on Chorus wasm (one thread)
 * with augmentation (translation by up to 2 pixels, horizontal flip, an 8-pixel cutout) against the same
 * run without it, alternating in one process. The bound: within 10% (a ratio of at least 0.90).
 */
import type { Benchmark } from './benchResults.ts';
import { figure } from './benchResults.ts';
import { MODEL_LABELS } from './benchModels.ts';
import type { AugmentChildResult } from './augmentChild.ts';
import { AUGMENT_SETTINGS } from './augmentSettings.ts';
import { runTsChild } from './runChild.ts';

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const augmentThroughput: Benchmark = async ({ quick }) => {
  const batch = 128;
  const outcome = await runTsChild<AugmentChildResult>(
    './augmentChild.ts',
    ['--batch', String(batch), '--target', quick ? '0.5' : '3', '--rounds', quick ? '1' : '3'],
    { timeoutMs: 600_000 },
  );
  const group = `${MODEL_LABELS.cnn}, batch ${batch}: training with augmentation`;
  if (!outcome.ok || !outcome.result) {
    return { title: 'Augmentation cost', figures: [], details: {}, skipped: outcome.error ?? 'no result' };
  }
  const r = outcome.result;
  // Per CPU second: steadier than wall time on a shared machine; wall time is in the details.
  const plain = median(r.plain.map((m) => m.samplesPerCpuSecond));
  const augmented = median(r.augmented.map((m) => m.samplesPerCpuSecond));
  const label = `translate ${AUGMENT_SETTINGS.translate}, flip, cutout ${AUGMENT_SETTINGS.cutout}`;
  return {
    title: 'Augmentation cost',
    figures: [
      figure({
        id: 'augment.cnn-b128.chorus-wasm',
        group,
        label: `Chorus wasm, ${label}`,
        value: augmented,
        unit: 'samples/CPU s',
        baseline: { label: 'the same training without augmentation', value: plain },
        higherIsBetter: true,
      }),
    ],
    details: { backend: r.backend, settings: AUGMENT_SETTINGS, plain: r.plain, augmented: r.augmented },
  };
};
