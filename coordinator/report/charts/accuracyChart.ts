import { percent } from '../../../core/report/format.ts';
import type { RowKind, ScoreRow } from '../reportRows.ts';
import { legendHtml } from './legend.ts';
import { niceTicks } from './niceTicks.ts';
import { GRID, INK, KIND_COLOURS, MUTED } from './palette.ts';
import { el, px, svgRoot, text, tooltip } from './svg.ts';

const WIDTH = 1060;
const PLOT_HEIGHT = 300;
const TOP = 16;
const LEFT = 56;
/** Room right of the plot for the best-member label, clear of any bar. */
const RIGHT = 78;
const GROUP_GAP = 28;

const LEGEND: [RowKind, string][] = [
  ['member', 'member'],
  ['ensemble', 'ensemble method'],
  ['teacher', 'teacher'],
  ['distilled', 'distilled student'],
  ['baseline', 'baseline student'],
];

/**
 * A legend and bars of test accuracy, grouped (members | ensemble methods | students), on a y-axis zoomed to the
 * range of the values so differences of a fraction of a percent are visible; each bar is labelled.
 * A dashed line marks the best member, the bar every ensemble and student is compared with.
 */
export function accuracyChart(groups: ScoreRow[][], bestMemberAccuracy: number | undefined): string {
  const nonEmpty = groups.filter((g) => g.length > 0);
  const bars = nonEmpty.flat();
  if (bars.length === 0) return '';
  const values = bars.map((b) => b.accuracy);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // Zoom: leave room below the lowest bar (so it still has height) and a little above the highest.
  const span = Math.max(hi - lo, 0.004);
  const axis = niceTicks(Math.max(0, lo - span * 0.6), Math.min(1, hi + span * 0.15), 5);
  const yMin = Math.max(0, axis.lo);
  const yMax = Math.min(1, axis.hi);
  const ticks = axis.ticks.filter((t) => t >= yMin - 1e-12 && t <= yMax + 1e-12);
  const y = (v: number): number => TOP + PLOT_HEIGHT * (1 - (v - yMin) / (yMax - yMin));

  const plotWidth = WIDTH - LEFT - RIGHT;
  const slot = (plotWidth - GROUP_GAP * (nonEmpty.length - 1)) / bars.length;
  const barWidth = Math.min(64, slot * 0.72);
  const longest = Math.max(...bars.map((b) => b.name.length));
  const rotateNames = longest * 6.6 > slot - 4;
  const verticalValues = barWidth < 40;
  // A label rotated by 40° drops about sin(40°) of its length below the axis.
  const bottom = rotateNames ? Math.min(170, 20 + longest * 6.6 * 0.64) : 34;
  const height = TOP + PLOT_HEIGHT + bottom + 8;

  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y(t), y2: y(t), stroke: GRID }));
    parts.push(
      text(LEFT - 8, y(t) + 4, percent(t, decimalsFor(ticks)), {
        'text-anchor': 'end',
        fill: MUTED,
        'font-size': 11,
      }),
    );
  }
  parts.push(
    text(14, TOP + PLOT_HEIGHT / 2, 'test accuracy', {
      transform: `rotate(-90 14 ${px(TOP + PLOT_HEIGHT / 2)})`,
      'text-anchor': 'middle',
      fill: MUTED,
      'font-size': 11,
    }),
  );

  // Drawn before the bars, so bars and their labels sit on top of it.
  if (bestMemberAccuracy !== undefined && bestMemberAccuracy >= yMin) {
    const yy = y(bestMemberAccuracy);
    parts.push(
      el('line', {
        x1: LEFT,
        x2: WIDTH - RIGHT + 2,
        y1: yy,
        y2: yy,
        stroke: '#4e79a7',
        'stroke-dasharray': '5 4',
        'stroke-width': 1.2,
      }),
    );
  }

  let x = LEFT;
  for (const group of nonEmpty) {
    for (const bar of group) {
      const cx = x + slot / 2;
      const top = y(Math.max(bar.accuracy, yMin));
      parts.push(
        el(
          'rect',
          {
            x: cx - barWidth / 2,
            y: top,
            width: barWidth,
            height: TOP + PLOT_HEIGHT - top,
            fill: KIND_COLOURS[bar.kind],
            rx: 2,
          },
          tooltip(`${bar.name} (${bar.kind}): ${percent(bar.accuracy)}`),
        ),
      );
      const label = percent(bar.accuracy);
      parts.push(
        verticalValues
          ? text(cx + 4, top - 6, label, {
              transform: `rotate(-90 ${px(cx + 4)} ${px(top - 6)})`,
              fill: INK,
              'font-size': 10,
            })
          : text(cx, top - 6, label, { 'text-anchor': 'middle', fill: INK, 'font-size': 11 }),
      );
      const baseY = TOP + PLOT_HEIGHT + 14;
      parts.push(
        rotateNames
          ? text(cx + 3, baseY, bar.name, {
              transform: `rotate(-40 ${px(cx + 3)} ${px(baseY)})`,
              'text-anchor': 'end',
              fill: INK,
              'font-size': 11,
            })
          : text(cx, baseY + 2, bar.name, { 'text-anchor': 'middle', fill: INK, 'font-size': 11 }),
      );
      x += slot;
    }
    x += GROUP_GAP;
  }

  if (bestMemberAccuracy !== undefined && bestMemberAccuracy >= yMin) {
    parts.push(
      text(WIDTH - RIGHT + 6, y(bestMemberAccuracy) + 4, 'best member', { fill: '#4e79a7', 'font-size': 10 }),
    );
  }
  parts.push(
    el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: TOP + PLOT_HEIGHT, y2: TOP + PLOT_HEIGHT, stroke: MUTED }),
  );

  const kinds = new Set(bars.map((b) => b.kind));
  const legend = legendHtml(
    LEGEND.filter(([kind]) => kinds.has(kind)).map(([kind, label]) => ({
      label,
      colour: KIND_COLOURS[kind],
      mark: 'box',
    })),
    `y-axis starts at ${percent(yMin, decimalsFor(ticks))}`,
  );
  return (
    legend + svgRoot(WIDTH, height, 'Test accuracy of members, ensemble methods and students', parts.join(''))
  );
}

/** Enough decimals that neighbouring tick labels differ (0.5% steps need one, 0.25% two). */
function decimalsFor(ticks: number[]): number {
  const step = ticks.length > 1 ? Math.abs((ticks[1] ?? 0) - (ticks[0] ?? 0)) * 100 : 1;
  if (step >= 1 - 1e-9) return 0;
  if (Math.abs(step * 10 - Math.round(step * 10)) < 1e-6) return 1;
  return 2;
}
