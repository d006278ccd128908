import { metric, percent } from '../../../core/report/format.ts';
import type { ReportBin } from '../../../core/report/report.ts';
import { escapeHtml } from '../escapeHtml.ts';
import { legendHtml } from './legend.ts';
import { GRID, MUTED } from './palette.ts';
import { el, svgRoot, text, tooltip } from './svg.ts';

const SIZE = 340;
const TOP = 10;
const LEFT = 52;
const RIGHT = 16;
const HIST_HEIGHT = 56;
const GAP = 30;
const BAR = '#7ea6cf';
/** Translucent, so a bar under the shading (accuracy above confidence) still shows. */
const GAP_FILL = 'rgba(225, 87, 89, 0.3)';

/**
 * Reliability diagram (Guo et al. 2017): per confidence bin, the accuracy as a bar, the gap to the bin's
 * mean confidence shaded, and the diagonal a perfectly calibrated model would follow. Below it, how many
 * samples fall in each bin (square-root scale: most sit near confidence 1 for a good model).
 */
export function reliabilityChart(title: string, bins: ReportBin[], ece: number): string {
  const x = (v: number): number => LEFT + v * SIZE;
  const y = (v: number): number => TOP + SIZE * (1 - v);
  const histTop = TOP + SIZE + GAP;
  const width = LEFT + SIZE + RIGHT;
  const height = histTop + HIST_HEIGHT + 36;
  const parts: string[] = [];

  for (let k = 0; k <= 5; k++) {
    const v = k / 5;
    parts.push(el('line', { x1: x(0), x2: x(1), y1: y(v), y2: y(v), stroke: GRID }));
    parts.push(
      text(LEFT - 6, y(v) + 4, percent(v, 0), { 'text-anchor': 'end', fill: MUTED, 'font-size': 11 }),
    );
    parts.push(
      text(x(v), histTop + HIST_HEIGHT + 16, v.toFixed(1), {
        'text-anchor': 'middle',
        fill: MUTED,
        'font-size': 11,
      }),
    );
  }
  for (const b of bins) {
    if (b.count === 0 || b.accuracy === null || b.meanConfidence === null) continue;
    const left = x(b.lower) + 1;
    const w = x(b.upper) - x(b.lower) - 2;
    const info = tooltip(
      `confidence (${b.lower.toFixed(3)}, ${b.upper.toFixed(3)}]: ${b.count} samples, ` +
        `mean confidence ${percent(b.meanConfidence, 1)}, accuracy ${percent(b.accuracy, 1)}`,
    );
    parts.push(
      el('rect', { x: left, y: y(b.accuracy), width: w, height: y(0) - y(b.accuracy), fill: BAR }, info),
    );
    const gapTop = y(Math.max(b.accuracy, b.meanConfidence));
    const gapBottom = y(Math.min(b.accuracy, b.meanConfidence));
    if (gapBottom - gapTop > 0.5) {
      parts.push(
        el(
          'rect',
          {
            x: left,
            y: gapTop,
            width: w,
            height: gapBottom - gapTop,
            fill: GAP_FILL,
            stroke: '#e15759',
            'stroke-width': 1,
          },
          info,
        ),
      );
    }
  }
  parts.push(
    el('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: MUTED, 'stroke-dasharray': '5 4' }),
  );
  parts.push(el('rect', { x: x(0), y: y(1), width: SIZE, height: SIZE, fill: 'none', stroke: MUTED }));
  parts.push(
    text(14, TOP + SIZE / 2, 'accuracy', {
      transform: `rotate(-90 14 ${TOP + SIZE / 2})`,
      'text-anchor': 'middle',
      fill: MUTED,
      'font-size': 11,
    }),
  );

  // Sample counts per bin on a square-root scale: a good model puts most samples in the last bin,
  // and a linear scale would flatten every other bin to nothing.
  const most = Math.sqrt(Math.max(1, ...bins.map((b) => b.count)));
  for (const b of bins) {
    if (b.count === 0) continue;
    const h = Math.max(1, (Math.sqrt(b.count) / most) * HIST_HEIGHT);
    parts.push(
      el(
        'rect',
        {
          x: x(b.lower) + 1,
          y: histTop + HIST_HEIGHT - h,
          width: x(b.upper) - x(b.lower) - 2,
          height: h,
          fill: '#b8c4d2',
        },
        tooltip(`${b.count} samples`),
      ),
    );
  }
  parts.push(
    el('line', { x1: x(0), x2: x(1), y1: histTop + HIST_HEIGHT, y2: histTop + HIST_HEIGHT, stroke: MUTED }),
  );
  parts.push(
    text(LEFT, histTop - 6, 'samples per bin (square-root scale)', { fill: MUTED, 'font-size': 10 }),
  );
  parts.push(
    text(x(0.5), histTop + HIST_HEIGHT + 32, 'confidence (largest probability)', {
      'text-anchor': 'middle',
      fill: MUTED,
      'font-size': 11,
    }),
  );

  const legend = legendHtml([
    { label: 'accuracy', colour: BAR, mark: 'box' },
    { label: 'gap to mean confidence', colour: GAP_FILL, mark: 'box' },
    { label: 'perfect calibration', colour: MUTED, mark: 'dashed' },
  ]);
  return (
    `<div class="chart-title">${escapeHtml(`${title} (ECE ${metric(ece)})`)}</div>${legend}` +
    svgRoot(width, height, `${title}, ECE ${metric(ece)}`, parts.join(''))
  );
}
