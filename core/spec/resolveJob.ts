import { JobSpecError, type SpecIssue } from '../errors.ts';
import { trainSettings, type JobSpecParsed } from './job.ts';
import { knownDataShape } from './knownDataShape.ts';
import type { LayerSpec } from './layers.ts';
import { modelFileOf, modelSourceIssues } from './modelSource.ts';
import { modelShapeProblems, problemPath } from './modelShapeProblems.ts';
import type { ResolvedJob, ResolvedMember, StudentRun } from './resolvedJob.ts';
import { SPEC_LIMITS } from './specLimits.ts';

/** Seed offsets keep members, students and splits on separate random streams of one base seed. */
const MEMBER_SEED_STRIDE = 1000;
const STUDENT_SEED_OFFSET = 7919;

/**
 * Expands replicas and sweeps, assigns seeds and weights, and checks what spans several fields
 * (unique names, names that must refer to members, stacking and calibration needing a validation split,
 * layer shapes against the data's shape when the job file determines it, totals over the limits).
 * Throws a JobSpecError listing every such problem.
 */
export function resolveJob(spec: JobSpecParsed, source?: string): ResolvedJob {
  const issues: SpecIssue[] = [];

  // Totals before expanding anything: 1000 entries × 1000 replicas must not be built to be refused.
  const total = spec.members.reduce((n, m) => n + m.replicas, 0);
  if (total > SPEC_LIMITS.members) {
    issues.push({
      path: 'members',
      message: `${total} members after expanding replicas, over the limit of ${SPEC_LIMITS.members}`,
    });
    throw new JobSpecError(issues, source);
  }
  const d = spec.distillation;
  const studentRuns = d ? unique(d.temperature).length * unique(d.alpha).length + (d.baseline ? 1 : 0) : 0;
  if (studentRuns > SPEC_LIMITS.students) {
    issues.push({
      path: 'distillation',
      message: `${studentRuns} students (temperatures × alphas + baseline), over the limit of ${SPEC_LIMITS.students}`,
    });
  }
  checkModels(spec, issues);

  const members: ResolvedMember[] = [];
  const groupOf = new Map<string, string[]>();
  const firstPathOf = new Map<string, string>();
  spec.members.forEach((m, i) => {
    const baseSeed = m.seed ?? spec.seed + MEMBER_SEED_STRIDE * (i + 1);
    const names: string[] = [];
    for (let r = 0; r < m.replicas; r++) {
      const name = m.replicas === 1 ? m.name : `${m.name}-${r}`;
      const earlier = firstPathOf.get(name);
      if (earlier !== undefined) {
        issues.push({
          path: `members[${i}].name`,
          message: `member name "${name}" is already used by ${earlier}`,
        });
        continue;
      }
      firstPathOf.set(name, `members[${i}]`);
      names.push(name);
      members.push({
        name,
        group: m.name,
        replica: r,
        seed: baseSeed + r,
        bootstrap: m.bootstrap,
        layers: m.layers,
        ...modelFileOf(m),
        // A pretrained member never trains: it carries the default settings, which nothing reads.
        ...(m.train === false
          ? { pretrained: true as const, train: trainSettings.parse({}) }
          : { train: m.train }),
        weight: 1,
      });
    }
    if (!groupOf.has(m.name)) groupOf.set(m.name, names);
  });

  /** A group name stands for all its replicas; a replica name for itself. */
  const lookup = (name: string): string[] | undefined =>
    groupOf.get(name) ?? (firstPathOf.has(name) ? [name] : undefined);

  // Group weights first, then replica-specific ones override them.
  const weightOf = new Map<string, number>();
  const weightEntries = Object.entries(spec.ensemble.weights);
  for (const pass of ['group', 'replica'] as const) {
    for (const [key, weight] of weightEntries) {
      const isGroup = groupOf.has(key);
      if ((pass === 'group') !== isGroup) continue;
      const names = lookup(key);
      if (!names) {
        if (pass === 'replica')
          issues.push({ path: `ensemble.weights.${key}`, message: 'no member has this name' });
        continue;
      }
      for (const n of names) weightOf.set(n, weight);
    }
  }
  for (const m of members) m.weight = weightOf.get(m.name) ?? 1;
  if (members.length > 0 && members.every((m) => m.weight === 0)) {
    issues.push({
      path: 'ensemble.weights',
      message: 'all member weights are 0; at least one must be positive',
    });
  }

  let teacherMembers: string[] = members.map((m) => m.name);
  if (spec.teacher.members !== 'all') {
    const chosen = new Set<string>();
    spec.teacher.members.forEach((name, k) => {
      const names = lookup(name);
      if (!names) issues.push({ path: `teacher.members[${k}]`, message: `no member is named "${name}"` });
      else for (const n of names) chosen.add(n);
    });
    teacherMembers = members.map((m) => m.name).filter((n) => chosen.has(n));
  }

  if (spec.ensemble.methods.includes('stacking') && spec.data.validationSplit === 0) {
    issues.push({
      path: 'data.validationSplit',
      message: 'the stacking combiner trains on the validation split: set validationSplit > 0',
    });
  }
  if (spec.ensemble.calibrate && spec.data.validationSplit === 0) {
    issues.push({
      path: 'data.validationSplit',
      message: 'ensemble.calibrate fits its temperature on the validation split: set validationSplit > 0',
    });
  }
  if (new Set(spec.ensemble.methods).size !== spec.ensemble.methods.length) {
    issues.push({ path: 'ensemble.methods', message: 'a method is listed twice' });
  }

  if (issues.length > 0) throw new JobSpecError(issues, source);

  return {
    name: spec.name,
    seed: spec.seed,
    data: spec.data,
    members,
    ensemble: {
      methods: spec.ensemble.methods,
      weights: members.map((m) => m.weight),
      stacking: spec.ensemble.stacking,
      calibrate: spec.ensemble.calibrate,
    },
    teacher: { members: teacherMembers, softTargets: spec.teacher.softTargets },
    ...(spec.distillation ? { distillation: resolveDistillation(spec, spec.distillation) } : {}),
    runtime: { ...spec.runtime },
  };
}

function resolveDistillation(
  spec: JobSpecParsed,
  d: NonNullable<JobSpecParsed['distillation']>,
): NonNullable<ResolvedJob['distillation']> {
  const student = d.student;
  const runs: StudentRun[] = [];
  for (const temperature of unique(d.temperature)) {
    for (const alpha of unique(d.alpha)) {
      runs.push({ name: `${student.name}-T${temperature}-a${alpha}`, kind: 'distilled', temperature, alpha });
    }
  }
  if (d.baseline) runs.push({ name: `${student.name}-baseline`, kind: 'baseline' });
  return {
    // Every student run starts from the same initial weights so the comparison is fair.
    student: {
      name: student.name,
      layers: student.layers,
      ...modelFileOf(student),
      train: student.train,
      seed: student.seed ?? spec.seed + STUDENT_SEED_OFFSET,
    },
    runs,
    shards: d.shards,
  };
}

/**
 * Layer shapes against the samples' shape, where the job file determines it (synthetic and bundled
 * data, or data.sampleShape): a conv2d on flat samples is a bad job file, not a failed training task.
 */
function checkModels(spec: JobSpecParsed, issues: SpecIssue[]): void {
  const data = knownDataShape(spec.data);
  issues.push(...data.issues);
  const classes = data.classes ?? 2;
  const check = (layers: readonly LayerSpec[], path: string, who: string) => {
    for (const p of modelShapeProblems(layers, data.sampleShape, classes)) {
      issues.push({ path: problemPath(path, p), message: `${who}: ${p.message}` });
    }
  };
  // A model file's own layers are checked against the data when it is read (core/model/modelFile).
  spec.members.forEach((m, i) => {
    issues.push(...modelSourceIssues(m, `members[${i}]`));
    if (m.model === undefined) check(m.layers, `members[${i}].layers`, `member "${m.name}"`);
  });
  const student = spec.distillation?.student;
  if (student) {
    issues.push(...modelSourceIssues(student, 'distillation.student'));
    if (student.model === undefined) {
      check(student.layers, 'distillation.student.layers', `student "${student.name}"`);
    }
  }
}

function unique(values: number[]): number[] {
  return [...new Set(values)];
}
