import { InvalidArgumentError, Option, type Command } from 'commander';
import { NonRetryableError } from '../../core/errors.ts';
import type { BackendChoice } from '../../core/backend/backendChoice.ts';
import {
  ISOLATIONS,
  parseGpuList,
  planPool,
  type Isolation,
  type PoolPlan,
} from '../../worker/poolPlacement.ts';
import { ENV } from '../env.ts';
import { envOrUndefined, positiveIntOption } from '../options.ts';
import { envInt } from './envValues.ts';

/** The pool flags of `chorus run` and `chorus worker`. */
export interface PoolFlags {
  slots?: number;
  isolation?: Isolation;
  gpus?: number[];
  slotsPerGpu?: number;
}

function gpusOption(value: string): number[] {
  try {
    return parseGpuList(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.replace(/^--gpus: /, ''));
  }
}

/** Adds `--isolation`, `--gpus` and `--slots-per-gpu`, defaulting to their environment variables. */
export function poolOptions(command: Command): Command {
  const isolation = new Option(
    '--isolation <mode>',
    `slots as threads or child processes (default: process for tensorflow/tensorflow-gpu, thread for wasm/cpu; ${ENV.isolation})`,
  ).choices(ISOLATIONS);
  const fromEnv = envOrUndefined('isolation');
  if (fromEnv !== undefined) {
    if (!(ISOLATIONS as readonly string[]).includes(fromEnv)) {
      throw new NonRetryableError(
        `${ENV.isolation}: expected one of ${ISOLATIONS.join(', ')}, got "${fromEnv}"`,
      );
    }
    isolation.default(fromEnv);
  }
  const gpusFromEnv = envOrUndefined('gpus');
  return command
    .addOption(isolation)
    .option(
      '--gpus <list>',
      `GPU indices such as 0,1: --slots-per-gpu child processes on each, each seeing only its GPU (${ENV.gpus})`,
      gpusOption,
      gpusFromEnv === undefined ? undefined : parseGpuList(gpusFromEnv, ENV.gpus),
    )
    .option(
      '--slots-per-gpu <k>',
      `with --gpus: child processes per GPU, sharing its memory (default 1; ${ENV.slotsPerGpu})`,
      positiveIntOption,
      envInt('slotsPerGpu'),
    );
}

/** Checks the pool flags against each other and the backend (bad ones are refused with exit code 2). */
export function checkPoolFlags(flags: PoolFlags, backend: BackendChoice): PoolPlan {
  return planPool({
    backend,
    ...(flags.slots !== undefined ? { slots: flags.slots } : {}),
    ...(flags.isolation !== undefined ? { isolation: flags.isolation } : {}),
    ...(flags.gpus !== undefined ? { gpus: flags.gpus } : {}),
    ...(flags.slotsPerGpu !== undefined ? { slotsPerGpu: flags.slotsPerGpu } : {}),
  });
}
