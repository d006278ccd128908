import { z } from 'zod';
import type { SpecIssue } from '../errors.ts';
import { nonEmptyString } from './fields.ts';

/**
 * A member or the student may name a tfjs LayersModel file (`model: path/to/model.json`, Sequential or
 * Functional, as `tf.LayersModel.save` or `tensorflowjs_converter` writes it) instead of listing `layers`.
 * These are its fields in the job file; `modelSourceIssues` checks how they combine with the others.
 */

export const modelWeights = z.enum(['random', 'file']);

export const modelSourceFields = {
  /** A model.json to build the model from instead of `layers`; relative to the job file's folder. */
  model: nonEmptyString().optional(),
  /** With `model`: `random` re-initialises its weights from the seed, `file` starts from the file's. */
  weights: modelWeights.default('random'),
};

/** A model file as the resolved job carries it. */
export interface ModelFile {
  /** The model.json path as the job file writes it (relative to the job file's folder, or absolute). */
  path: string;
  weights: z.output<typeof modelWeights>;
}

/** What a member or the student says about where its model comes from (after defaults). */
export interface ModelSourceEntry {
  model?: string | undefined;
  weights: ModelFile['weights'];
  layers: readonly unknown[];
  /** A member's `train`: false makes it a pretrained member. Students always train. */
  train?: false | object;
  bootstrap?: boolean;
  replicas?: number;
}

const PRETRAINED = 'a pretrained member (train: false)';

/** Fields that do not go together, each addressed below `path` (e.g. `members[2]`). */
export function modelSourceIssues(entry: ModelSourceEntry, path: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const at = (field: string, message: string) => issues.push({ path: `${path}.${field}`, message });
  if (entry.model !== undefined && entry.layers.length > 0) {
    at('layers', 'a model file brings its own layers: give model or layers, not both');
  }
  if (entry.model === undefined && entry.weights === 'file') {
    at(
      'weights',
      'weights: file starts from the weights of a model file: it needs model: path/to/model.json',
    );
  }
  if (entry.train === false) {
    if (entry.model === undefined) {
      at('train', `${PRETRAINED} only predicts: it needs model: path/to/model.json with weights: file`);
    } else if (entry.weights !== 'file') {
      at('weights', `${PRETRAINED} predicts with its file's weights: set weights: file`);
    }
    if (entry.bootstrap === true) at('bootstrap', `${PRETRAINED} is not trained on any sample`);
    if ((entry.replicas ?? 1) > 1) at('replicas', `copies of ${PRETRAINED} would be identical: use 1`);
  }
  return issues;
}

/** The resolved form of an entry's model file, when it names one. */
export function modelFileOf(entry: Pick<ModelSourceEntry, 'model' | 'weights'>): { model?: ModelFile } {
  return entry.model === undefined ? {} : { model: { path: entry.model, weights: entry.weights } };
}
