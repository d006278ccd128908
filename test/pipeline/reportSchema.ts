import { z } from 'zod';

/**
 * The part of `report.json` that users and tools rely on, checked independently of the report code's
 * own types. Objects are not strict: the report may carry more than this (histories, reliability bins).
 */

const fraction = z.number().min(0).max(1);
const nonNegative = z.number().min(0);
const finiteNonNegative = nonNegative.refine(Number.isFinite, 'expected a finite number');

const scores = z.object({ accuracy: fraction, nll: finiteNonNegative, ece: fraction });

export const memberReportSchema = scores.extend({
  name: z.string().min(1),
  trainSeconds: nonNegative,
});

export const studentReportSchema = scores.extend({
  name: z.string().min(1),
  kind: z.enum(['distilled', 'baseline']),
  temperature: z.number().positive().optional(),
  alpha: fraction.optional(),
  agreementWithTeacher: fraction,
});

export const reportSchema = z.object({
  job: z.string().min(1),
  backend: z.string().min(1),
  dataset: z.object({
    train: z.number().int().positive(),
    validation: z.number().int().min(0),
    test: z.number().int().positive(),
    classes: z.number().int().min(2),
  }),
  members: z.array(memberReportSchema).min(1),
  ensemble: z.object({
    hard: z.object({ accuracy: fraction }),
    soft: scores,
    stacking: scores,
  }),
  students: z.array(studentReportSchema),
  timing: z.object({ wallSeconds: finiteNonNegative, taskSeconds: finiteNonNegative }),
});

export type CheckedReport = z.infer<typeof reportSchema>;
