import { SPEC_LIMITS } from './specLimits.ts';

/** What the contract between a model file and the job's data looks at, read off the built model. */
export interface ModelInterface {
  /** Shape of each input and output, batch dimension included; null for a free dimension. */
  inputs: readonly (readonly (number | null)[])[];
  outputs: readonly (readonly (number | null)[])[];
  parameters: number;
}

const fmt = (shape: readonly (number | null)[]): string => `[${shape.map((d) => d ?? '?').join(', ')}]`;
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * What keeps a model file from taking this job's samples and scoring its classes: one input whose
 * shape (beyond the batch) is the samples' shape, one output of one value per class, a size within the
 * limit. Free dimensions (null) fit anything.
 */
export function modelContractProblems(
  model: ModelInterface,
  sampleShape: readonly number[],
  classes: number,
): string[] {
  const problems: string[] = [];
  const [input] = model.inputs;
  if (model.inputs.length !== 1 || !input) {
    problems.push(`the model has ${model.inputs.length} inputs; Chorus feeds it one, the samples`);
  } else {
    const takes = input.slice(1);
    const fits =
      takes.length === sampleShape.length && takes.every((d, i) => d === null || d === sampleShape[i]);
    if (!fits) {
      const known = takes.every((d): d is number => d !== null);
      const hint =
        known && size(takes) === size(sampleShape)
          ? ` (the same number of values: set data.sampleShape: ${fmt(takes)})`
          : '';
      problems.push(
        `its input takes samples of shape ${fmt(takes)}, but the data's samples are ${fmt(sampleShape)}${hint}`,
      );
    }
  }
  const [output] = model.outputs;
  if (model.outputs.length !== 1 || !output) {
    problems.push(`the model has ${model.outputs.length} outputs; Chorus needs one, the class scores`);
  } else if (output.length !== 2 || output[1] !== classes) {
    problems.push(
      `it outputs ${fmt(output.slice(1))} per sample, but the data has ${classes} classes: its output must be [${classes}]`,
    );
  }
  if (model.parameters > SPEC_LIMITS.modelParameters) {
    problems.push(
      `the model has ${model.parameters} weights, over the limit of ${SPEC_LIMITS.modelParameters}`,
    );
  }
  return problems;
}
