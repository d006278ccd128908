/**
 * One engine configuration of the training / soft-label benchmark, in its own process:
 * `--engine chorus-wasm|stock-wasm|tfjs-cpu --model mlp|cnn --batch N --target S [--infer]`.
 */
import { buildBenchModel, type BenchModel } from './benchModels.ts';
import { emitResult, numberArg, parseArgs, stringArg } from './emitResult.ts';
import { loadFashionMnist } from './fashionMnist.ts';
import { measureInference, measureTraining } from './measureThroughput.ts';
import type { InferenceMeasurement, TrainingMeasurement } from './measureThroughput.ts';
import { startEngine, type Engine } from './startEngine.ts';

export interface TrainingChildResult {
  engine: string;
  backend: string;
  simd: boolean | null;
  patchedKernels: string[];
  train: TrainingMeasurement | { skipped: string };
  infer?: InferenceMeasurement | { skipped: string };
}

const args = parseArgs(process.argv.slice(2));
const engine = stringArg(args, 'engine') as Engine;
const modelName = stringArg(args, 'model') as BenchModel;
const batchSize = numberArg(args, 'batch', 128);
const targetSeconds = numberArg(args, 'target', 3);

const info = await startEngine(engine);
const flat = modelName === 'mlp';
const train = await loadFashionMnist('train', flat);
const { model, optimizer } = buildBenchModel(modelName);

let trainResult: TrainingChildResult['train'];
try {
  trainResult = await measureTraining({
    model,
    optimizer,
    data: train,
    batchSize,
    targetSeconds,
    minSteps: numberArg(args, 'min-steps', 2),
    maxSteps: numberArg(args, 'max-steps', 100000),
  });
} catch (err) {
  // Stock wasm cannot train conv layers (no Conv2DBackpropFilter): that is a result, not a crash.
  trainResult = { skipped: err instanceof Error ? err.message : String(err) };
}

let infer: TrainingChildResult['infer'];
if (args.has('infer')) {
  const test = await loadFashionMnist('t10k', flat);
  try {
    infer = await measureInference(model, test, targetSeconds);
  } catch (err) {
    infer = { skipped: err instanceof Error ? err.message : String(err) };
  }
}

const result: TrainingChildResult = {
  engine,
  backend: info.backend,
  simd: info.simd,
  patchedKernels: info.patchedKernels,
  train: trainResult,
  ...(infer ? { infer } : {}),
};
emitResult(result);
