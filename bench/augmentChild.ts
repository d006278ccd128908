/**
 * The augmentation benchmark's child: the small CNN on Fashion-MNIST trained through `trainLoop` on
 * Chorus wasm, alternately without and with augmentation (translation 2, flip, cutout 8), `--rounds`
 * times each, so drift on a shared machine hits both alike. Prints both series.
 */
import { augmentSpec } from '../core/spec/augment.ts';
import { AUGMENT_SETTINGS } from './augmentSettings.ts';
import { buildBenchModel } from './benchModels.ts';
import { emitResult, numberArg, parseArgs } from './emitResult.ts';
import { loadFashionMnist } from './fashionMnist.ts';
import { measureTraining, type TrainingMeasurement } from './measureThroughput.ts';
import { startEngine } from './startEngine.ts';

export interface AugmentChildResult {
  backend: string;
  plain: TrainingMeasurement[];
  augmented: TrainingMeasurement[];
}

const args = parseArgs(process.argv.slice(2));
const batchSize = numberArg(args, 'batch', 128);
const targetSeconds = numberArg(args, 'target', 3);
const rounds = numberArg(args, 'rounds', 3);

const info = await startEngine('chorus-wasm');
const train = await loadFashionMnist('train', false);
const { model, optimizer } = buildBenchModel('cnn');
const augment = { settings: augmentSpec.parse(AUGMENT_SETTINGS), seed: 1, path: 'data.augment' };
const measure = (withAugment: boolean) =>
  measureTraining({
    model,
    optimizer,
    data: train,
    batchSize,
    targetSeconds,
    minSteps: 2,
    maxSteps: 100000,
    ...(withAugment ? { augment } : {}),
  });

const result: AugmentChildResult = { backend: info.backend, plain: [], augmented: [] };
for (let r = 0; r < rounds; r++) {
  result.plain.push(await measure(false));
  result.augmented.push(await measure(true));
}
emitResult(result);
