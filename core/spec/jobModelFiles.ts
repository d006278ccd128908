import { artifactKeys } from '../artifacts/artifactKeys.ts';
import type { ModelFile } from './modelSource.ts';
import type { ResolvedJob } from './resolvedJob.ts';

/**
 * Every model file a job names, once per job-file entry (replicas of a member share theirs): the one
 * list that reading, checking and storing them (and, in distributed mode, uploading them) go by.
 */
export interface JobModelFile extends ModelFile {
  /** The job-file field that names it: `members[2].model` or `distillation.student.model`. */
  field: string;
  /** Who uses it, for messages: `member "ext"` or `student "student"`. */
  who: string;
  /** Where the run keeps its copy of the file (an artifact folder): what the tasks load. */
  key: string;
  /** The seed a model of this entry starts from (its first replica's). */
  seed: number;
  /** Used with its weights as they are (`train: false`), never trained. */
  pretrained: boolean;
}

export function jobModelFiles(job: ResolvedJob): JobModelFile[] {
  const out: JobModelFile[] = [];
  // Members are expanded in job-file order and group names are unique: the i-th group is members[i].
  const groups = [...new Set(job.members.map((m) => m.group))];
  groups.forEach((group, i) => {
    const member = job.members.find((m) => m.group === group);
    if (!member?.model) return;
    out.push({
      ...member.model,
      field: `members[${i}].model`,
      who: `member "${group}"`,
      key: artifactKeys.memberSource(group),
      seed: member.seed,
      pretrained: member.pretrained === true,
    });
  });
  const student = job.distillation?.student;
  if (student?.model) {
    out.push({
      ...student.model,
      field: 'distillation.student.model',
      who: `student "${student.name}"`,
      key: artifactKeys.studentSource(),
      seed: student.seed,
      pretrained: false,
    });
  }
  return out;
}
