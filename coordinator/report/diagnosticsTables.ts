import { metric, percent } from '../../core/report/format.ts';
import type { Report } from '../../core/report/report.ts';
import type { ReportTable } from './reportTables.ts';

/**
 * The diagnostics section as tables: member × member disagreement with each member's KL from the
 * soft vote, and (bootstrap members) out-of-bag accuracy. None for a report without diagnostics.
 */
export function diagnosticsTables(report: Report): ReportTable[] {
  const d = report.diagnostics;
  if (!d) return [];
  const tables: ReportTable[] = [
    {
      id: 'diversity',
      title: 'Ensemble diversity',
      columns: [
        { label: 'member', align: 'left' },
        ...d.members.map((name) => ({ label: name, align: 'right' as const })),
        { label: 'KL from ensemble', align: 'right' },
      ],
      rows: d.members.map((name, i) => ({
        cells: [
          name,
          ...(d.disagreement[i] ?? []).map((v, j) => (i === j ? '-' : percent(v, 1))),
          metric(d.klFromEnsemble[i] ?? 0),
        ],
      })),
      notes: [
        `Disagreement: the share of test samples on which two members predict different classes ` +
          `(mean ${percent(d.meanDisagreement, 1)}). KL from ensemble: the mean KL(member ‖ ensemble) in nats, ` +
          'the ensemble being the weighted mean of the members’ probabilities.',
        `NLL gain of that ensemble over the mean member: ${metric(d.nllGain)} nats ` +
          `(mean member NLL ${metric(report.meanMember.nll)}).`,
      ],
    },
  ];
  const oob = d.outOfBag;
  if (oob) {
    tables.push({
      id: 'out-of-bag',
      title: 'Out-of-bag accuracy (bootstrap members)',
      columns: [
        { label: 'model', align: 'left' },
        { label: 'out-of-bag samples', align: 'right' },
        { label: 'accuracy', align: 'right' },
      ],
      rows: [
        ...oob.members.map((m) => ({ cells: [m.name, String(m.samples), percent(m.accuracy)] })),
        { cells: ['ensemble of them', String(oob.ensemble.samples), percent(oob.ensemble.accuracy)] },
      ],
      notes: [
        'Each bootstrap member scored on the training rows its bootstrap sample never drew; the ensemble ' +
          'scores each such row with the mean probabilities of the members it is out of bag for.',
      ],
    });
  }
  return tables;
}
