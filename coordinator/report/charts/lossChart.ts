import type { TrainingHistory } from '../../../core/tasks/taskResult.ts';
import { escapeHtml } from '../escapeHtml.ts';
import { legendHtml, type LegendItem } from './legend.ts';
import { niceTicks } from './niceTicks.ts';
import { GRID, MUTED, seriesColour } from './palette.ts';
import { el, px, svgRoot, text, tooltip } from './svg.ts';

/** Tells solid from dashed when validation curves are drawn. */
const VALIDATION_KEY: LegendItem[] = [
  { label: 'training', colour: MUTED, mark: 'line' },
  { label: 'validation', colour: MUTED, mark: 'dashed' },
];

export interface LossSeries {
  name: string;
  history: TrainingHistory;
}

const WIDTH = 520;
const PLOT_HEIGHT = 220;
const TOP = 10;
const LEFT = 52;
const RIGHT = 14;

/**
 * A titled chart (HTML title and legend over an SVG) of loss per epoch, one colour per model: solid for
 * the training loss, dashed for the validation loss. Returns '' when no series has any epoch.
 */
export function lossChart(title: string, series: LossSeries[]): string {
  const drawn = series.filter((s) => s.history.loss.length > 0);
  if (drawn.length === 0) return '';
  const all = drawn.flatMap((s) => [...s.history.loss, ...(s.history.valLoss ?? [])]).filter(Number.isFinite);
  if (all.length === 0) return ''; // every value NaN (a diverged run): nothing to draw
  const epochs = Math.max(
    ...drawn.map((s) => Math.max(s.history.loss.length, s.history.valLoss?.length ?? 0)),
  );
  const yAxis = niceTicks(Math.min(0, ...all), Math.max(...all), 5);
  const xAxis =
    epochs <= 12
      ? Array.from({ length: epochs }, (_, i) => i + 1)
      : niceTicks(1, epochs, 6).ticks.filter((t) => t >= 1 && t <= epochs);
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (epoch: number): number =>
    LEFT + (epochs === 1 ? plotWidth / 2 : ((epoch - 1) / (epochs - 1)) * plotWidth);
  const y = (v: number): number => TOP + PLOT_HEIGHT * (1 - (v - yAxis.lo) / (yAxis.hi - yAxis.lo));

  const parts: string[] = [];
  for (const t of yAxis.ticks) {
    parts.push(el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: y(t), y2: y(t), stroke: GRID }));
    parts.push(
      text(LEFT - 6, y(t) + 4, formatLoss(t), { 'text-anchor': 'end', fill: MUTED, 'font-size': 11 }),
    );
  }
  for (const e of xAxis) {
    parts.push(
      text(x(e), TOP + PLOT_HEIGHT + 16, String(e), {
        'text-anchor': 'middle',
        fill: MUTED,
        'font-size': 11,
      }),
    );
  }
  parts.push(
    text(LEFT + plotWidth / 2, TOP + PLOT_HEIGHT + 32, 'epoch', {
      'text-anchor': 'middle',
      fill: MUTED,
      'font-size': 11,
    }),
  );
  parts.push(
    el('line', { x1: LEFT, x2: WIDTH - RIGHT, y1: TOP + PLOT_HEIGHT, y2: TOP + PLOT_HEIGHT, stroke: MUTED }),
  );

  drawn.forEach((s, i) => {
    const colour = seriesColour(i);
    parts.push(line(s.history.loss, colour, undefined, `${s.name}: training loss`));
    if (s.history.valLoss && s.history.valLoss.length > 0) {
      parts.push(line(s.history.valLoss, colour, '5 4', `${s.name}: validation loss`));
    }
  });

  const hasVal = drawn.some((s) => (s.history.valLoss?.length ?? 0) > 0);
  const legend = legendHtml([
    ...drawn.map((s, i): LegendItem => ({ label: s.name, colour: seriesColour(i), mark: 'line' })),
    ...(hasVal ? VALIDATION_KEY : []),
  ]);
  const height = TOP + PLOT_HEIGHT + 40;
  return `<div class="chart-title">${escapeHtml(title)}</div>${legend}${svgRoot(WIDTH, height, title, parts.join(''))}`;

  function line(values: number[], colour: string, dash: string | undefined, label: string): string {
    const points = values.flatMap((v, e) => (Number.isFinite(v) ? [`${px(x(e + 1))},${px(y(v))}`] : []));
    const dots =
      points.length === 1 ? el('circle', { cx: x(1), cy: y(values[0] ?? 0), r: 3.5, fill: colour }) : '';
    return el(
      'g',
      {},
      el('polyline', {
        points: points.join(' '),
        fill: 'none',
        stroke: colour,
        'stroke-width': 2,
        'stroke-dasharray': dash,
        'stroke-linejoin': 'round',
      }) +
        dots +
        tooltip(`${label}: ${values.map((v) => formatLoss(v)).join(', ')}`),
    );
  }
}

function formatLoss(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 10 ? v.toFixed(1) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(3);
}
