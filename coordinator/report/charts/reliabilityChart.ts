import { metric, percent } from '../format.ts';
import type { ReportBin } from '../report.ts';
import { GRID, INK, MUTED } from './palette.ts';
import { el, svgRoot, text, tooltip } from './svg.ts';

const SIZE = 340;
const TOP = 40;
const LEFT = 52;
const RIGHT = 16;
const HIST_HEIGHT = 56;
const GAP = 30;

/**
 * Reliability diagram (Guo et al. 2017): per confidence bin, the accuracy as a bar, the gap to the bin's
 * mean confidence shaded, and the diagonal a perfectly calibrated model would follow. Below it, how many
 * samples fall in each bin (most sit near confidence 1 for a good model).
 */
export function reliabilityChart(title: string, bins: ReportBin[], ece: number): string {
  const x = (v: number): number => LEFT + v * SIZE;
  const y = (v: number): number => TOP + SIZE * (1 - v);
  const histTop = TOP + SIZE + GAP;
  const width = LEFT + SIZE + RIGHT;
  const height = histTop + HIST_HEIGHT + 36;
  const parts: string[] = [text(LEFT, 22, `${title} (ECE ${metric(ece)})`, { fill: INK, 'font-size': 13, 'font-weight': 600 })];

  for (let k = 0; k <= 5; k++) {
    const v = k / 5;
    parts.push(el('line', { x1: x(0), x2: x(1), y1: y(v), y2: y(v), stroke: GRID }));
    parts.push(text(LEFT - 6, y(v) + 4, percent(v, 0), { 'text-anchor': 'end', fill: MUTED, 'font-size': 11 }));
    parts.push(text(x(v), histTop + HIST_HEIGHT + 16, v.toFixed(1), { 'text-anchor': 'middle', fill: MUTED, 'font-size': 11 }));
  }
  for (const b of bins) {
    if (b.count === 0 || b.accuracy === null || b.meanConfidence === null) continue;
    const left = x(b.lower) + 1;
    const w = x(b.upper) - x(b.lower) - 2;
    const info = tooltip(
      `confidence (${b.lower.toFixed(3)}, ${b.upper.toFixed(3)}]: ${b.count} samples, ` +
        `mean confidence ${percent(b.meanConfidence, 1)}, accuracy ${percent(b.accuracy, 1)}`,
    );
    parts.push(el('rect', { x: left, y: y(b.accuracy), width: w, height: y(0) - y(b.accuracy), fill: '#7ea6cf' }, info));
    const gapTop = y(Math.max(b.accuracy, b.meanConfidence));
    const gapBottom = y(Math.min(b.accuracy, b.meanConfidence));
    if (gapBottom - gapTop > 0.5) {
      parts.push(
        el('rect', { x: left, y: gapTop, width: w, height: gapBottom - gapTop, fill: '#e15759', 'fill-opacity': 0.3, stroke: '#e15759', 'stroke-width': 1 }, info),
      );
    }
  }
  parts.push(el('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: MUTED, 'stroke-dasharray': '5 4' }));
  parts.push(el('rect', { x: x(0), y: y(1), width: SIZE, height: SIZE, fill: 'none', stroke: MUTED }));
  parts.push(text(14, TOP + SIZE / 2, 'accuracy', { transform: `rotate(-90 14 ${TOP + SIZE / 2})`, 'text-anchor': 'middle', fill: MUTED, 'font-size': 11 }));

  // Sample counts per bin, scaled to the fullest bin.
  const most = Math.max(1, ...bins.map((b) => b.count));
  for (const b of bins) {
    if (b.count === 0) continue;
    const h = Math.max(1, (b.count / most) * HIST_HEIGHT);
    parts.push(
      el('rect', { x: x(b.lower) + 1, y: histTop + HIST_HEIGHT - h, width: x(b.upper) - x(b.lower) - 2, height: h, fill: '#b8c4d2' }, tooltip(`${b.count} samples`)),
    );
  }
  parts.push(el('line', { x1: x(0), x2: x(1), y1: histTop + HIST_HEIGHT, y2: histTop + HIST_HEIGHT, stroke: MUTED }));
  parts.push(text(LEFT - 6, histTop + 10, 'samples', { 'text-anchor': 'end', fill: MUTED, 'font-size': 10 }));
  parts.push(text(x(0.5), histTop + HIST_HEIGHT + 32, 'confidence (largest probability)', { 'text-anchor': 'middle', fill: MUTED, 'font-size': 11 }));

  // Legend inside the plot's empty upper-left corner.
  const lx = x(0) + 10;
  const ly = y(1) + 16;
  parts.push(el('rect', { x: lx, y: ly - 9, width: 12, height: 10, fill: '#7ea6cf' }));
  parts.push(text(lx + 17, ly, 'accuracy', { fill: INK, 'font-size': 11 }));
  parts.push(el('rect', { x: lx, y: ly + 7, width: 12, height: 10, fill: '#e15759', 'fill-opacity': 0.3, stroke: '#e15759' }));
  parts.push(text(lx + 17, ly + 16, 'gap to confidence', { fill: INK, 'font-size': 11 }));
  parts.push(el('line', { x1: lx, x2: lx + 12, y1: ly + 28, y2: ly + 28, stroke: MUTED, 'stroke-dasharray': '4 3' }));
  parts.push(text(lx + 17, ly + 32, 'perfect calibration', { fill: INK, 'font-size': 11 }));
  return svgRoot(width, height, `${title}, ECE ${metric(ece)}`, parts.join(''));
}
