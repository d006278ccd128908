import type { SpecIssue } from '../errors.ts';
import type { AugmentSettings } from './augment.ts';
import type { JobSpecParsed, TrainSettings } from './job.ts';
import { knownDataShape } from './knownDataShape.ts';

/**
 * What spans several fields of the training recipes: a plateau schedule or early stopping needs a
 * validation split; augmentation needs image-shaped samples; class weights name existing classes.
 * (Shapes and classes are checked here when the job file determines them, and again once data is loaded.)
 */
export function recipeProblems(spec: JobSpecParsed): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const known = knownDataShape(spec.data);
  const checkTrain = (train: TrainSettings, path: string) => {
    if (spec.data.validationSplit === 0) {
      if (train.schedule.type === 'plateau') {
        issues.push({
          path: `${path}.schedule`,
          message: 'a plateau schedule watches the validation loss: set data.validationSplit > 0',
        });
      }
      if (train.earlyStopping) {
        issues.push({
          path: `${path}.earlyStopping`,
          message: 'early stopping watches the validation split: set data.validationSplit > 0',
        });
      }
    }
    const weights = train.classWeights;
    if (weights && weights !== 'balanced' && known.classes !== undefined) {
      for (const key of Object.keys(weights)) {
        if (Number(key) >= known.classes) {
          issues.push({
            path: `${path}.classWeights.${key}`,
            message: `no class ${key}: the data has ${known.classes} classes (0 to ${known.classes - 1})`,
          });
        }
      }
    }
  };
  const checkAugment = (augment: AugmentSettings | false | undefined, path: string) => {
    const shape = known.sampleShape;
    if (!augment || !isActive(augment) || shape === undefined) return;
    const problem = imageShapeProblem(shape);
    if (problem) issues.push({ path, message: problem });
  };
  checkAugment(spec.data.augment, 'data.augment');
  spec.members.forEach((m, i) => {
    // A pretrained member (`train: false`) has no recipe.
    if (m.train !== false) checkTrain(m.train, `members[${i}].train`);
    checkAugment(m.augment, `members[${i}].augment`);
  });
  const student = spec.distillation?.student;
  if (student) {
    checkTrain(student.train, 'distillation.student.train');
    checkAugment(student.augment, 'distillation.student.augment');
  }
  return issues;
}

/** Whether the settings change anything (all zero / false means no augmentation). */
export function isActive(a: AugmentSettings): boolean {
  return a.translate > 0 || a.flip || a.cutout > 0;
}

/** The augmentation a model trains with: its own setting, else the data's; undefined when none. */
export function effectiveAugment(
  data: AugmentSettings | undefined,
  own: AugmentSettings | false | undefined,
): AugmentSettings | undefined {
  const chosen = own === undefined ? data : own;
  return chosen && isActive(chosen) ? chosen : undefined;
}

/** Why a sample shape is not an image ([height, width] or [height, width, channels]); undefined if it is. */
export function imageShapeProblem(shape: readonly number[]): string | undefined {
  if (shape.length === 2 || shape.length === 3) return undefined;
  return `augmentation needs image-shaped samples ([height, width] or [height, width, channels]), got [${shape.join(', ')}] (set data.sampleShape)`;
}
