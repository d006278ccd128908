import { percent } from '../../../core/report/format.ts';
import { escapeHtml } from '../escapeHtml.ts';
import { legendHtml, type LegendItem } from './legend.ts';
import { GRID, MUTED, seriesColour } from './palette.ts';
import { el, px, svgRoot, text, tooltip } from './svg.ts';

export interface CoverageSeries {
  name: string;
  /** Observed coverage at each nominal level. */
  coverage: readonly number[];
  /** Drawn thin and grey (members), so the ensembles and students stand out. */
  faint?: boolean;
}

const SIZE = 340;
const TOP = 10;
const LEFT = 52;
const RIGHT = 16;
const BOTTOM = 40;
const FAINT = '#c3cad3';

/**
 * The calibration plot of a regression's predictive intervals: for each nominal level p of a central
 * interval (mean ± z·σ), the share of test targets that fell inside it. A calibrated predictor follows
 * the diagonal; below it, its intervals are too narrow (over-confident), above it too wide.
 */
export function coverageChart(
  title: string,
  levels: readonly number[],
  series: readonly CoverageSeries[],
): string {
  const drawn = series.filter((s) => s.coverage.length === levels.length);
  if (drawn.length === 0 || levels.length === 0) return '';
  const x = (v: number): number => LEFT + v * SIZE;
  const y = (v: number): number => TOP + SIZE * (1 - v);
  const parts: string[] = [];
  for (let k = 0; k <= 5; k++) {
    const v = k / 5;
    parts.push(el('line', { x1: x(0), x2: x(1), y1: y(v), y2: y(v), stroke: GRID }));
    parts.push(el('line', { x1: x(v), x2: x(v), y1: y(0), y2: y(1), stroke: GRID }));
    parts.push(
      text(LEFT - 6, y(v) + 4, percent(v, 0), { 'text-anchor': 'end', fill: MUTED, 'font-size': 11 }),
    );
    parts.push(
      text(x(v), y(0) + 16, percent(v, 0), { 'text-anchor': 'middle', fill: MUTED, 'font-size': 11 }),
    );
  }
  parts.push(
    el('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: MUTED, 'stroke-dasharray': '5 4' }),
  );
  const legend: LegendItem[] = [];
  let colour = 0;
  // Faint series first, so the highlighted ones are drawn over them.
  const ordered = [...drawn.filter((s) => s.faint), ...drawn.filter((s) => !s.faint)];
  for (const s of ordered) {
    const stroke = s.faint ? FAINT : seriesColour(colour++);
    const points = [[0, 0] as const, ...levels.map((l, i) => [l, s.coverage[i]!] as const)];
    const d = points.map(([l, c], i) => `${i === 0 ? 'M' : 'L'}${px(x(l))} ${px(y(c))}`).join(' ');
    parts.push(
      el(
        'path',
        { d, fill: 'none', stroke, 'stroke-width': s.faint ? 1.2 : 2.2 },
        tooltip(
          `${s.name}: ${levels.map((l, i) => `${percent(l, 0)} → ${percent(s.coverage[i]!, 1)}`).join(', ')}`,
        ),
      ),
    );
    for (const [l, c] of points.slice(1)) {
      parts.push(el('circle', { cx: x(l), cy: y(c), r: s.faint ? 1.5 : 2.5, fill: stroke }));
    }
    if (!s.faint) legend.push({ label: s.name, colour: stroke, mark: 'line' });
  }
  if (drawn.some((s) => s.faint)) legend.push({ label: 'members', colour: FAINT, mark: 'line' });
  legend.push({ label: 'perfect calibration', colour: MUTED, mark: 'dashed' });
  parts.push(el('rect', { x: x(0), y: y(1), width: SIZE, height: SIZE, fill: 'none', stroke: MUTED }));
  parts.push(
    text(14, TOP + SIZE / 2, 'observed coverage (test)', {
      transform: `rotate(-90 14 ${TOP + SIZE / 2})`,
      'text-anchor': 'middle',
      fill: MUTED,
      'font-size': 11,
    }),
  );
  parts.push(
    text(x(0.5), y(0) + 32, 'nominal coverage of the central interval', {
      'text-anchor': 'middle',
      fill: MUTED,
      'font-size': 11,
    }),
  );
  return (
    `<div class="chart-title">${escapeHtml(title)}</div>${legendHtml(legend)}` +
    svgRoot(LEFT + SIZE + RIGHT, TOP + SIZE + BOTTOM, title, parts.join(''))
  );
}
