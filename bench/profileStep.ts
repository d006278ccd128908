/** Where a Chorus-wasm training step's time goes: top kernels of an MLP step and a CNN step (tf.profile). */
import { figure, type Benchmark, type Figure } from './benchResults.ts';
import type { ProfileChildResult } from './profileChild.ts';
import { runTsChild } from './runChild.ts';
import { MODEL_LABELS, type BenchModel } from './benchModels.ts';

export const profileStep: Benchmark = async ({ quick }) => {
  const title = 'Where a training step goes (Chorus wasm, batch 128, tf.profile)';
  const profiles: ProfileChildResult[] = [];
  const failures: string[] = [];
  for (const model of ['mlp', 'cnn'] as BenchModel[]) {
    console.log(`  profile: ${model} step`);
    const outcome = await runTsChild<ProfileChildResult>(
      './profileChild.ts',
      ['--model', model, '--batch', '128', '--steps', quick ? '2' : model === 'mlp' ? '20' : '10'],
      { timeoutMs: 300_000 },
    );
    if (outcome.ok && outcome.result) profiles.push(outcome.result);
    else failures.push(`${model}: ${outcome.error ?? 'no result'}`);
  }
  const figures: Figure[] = profiles.map((p) =>
    figure({
      id: `profile.${p.model}.kernel-share`,
      group: title,
      label: `${MODEL_LABELS[p.model]}: time inside kernels per step`,
      value: p.kernelMsPerStep,
      unit: 'ms',
      baseline: { label: 'wall time of the profiled step', value: p.profiledWallMsPerStep },
      higherIsBetter: false,
    }),
  );
  return {
    title,
    figures,
    details: { profiles },
    ...(failures.length > 0 ? { skipped: failures.join('; ') } : {}),
  };
};
