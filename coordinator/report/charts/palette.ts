/** Colours for the charts: a light, colour-blind-friendly set (Tableau 10), and one colour per row kind. */
export const SERIES_COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

export function seriesColour(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length] ?? '#4e79a7';
}

export const KIND_COLOURS = {
  member: '#7ea6cf',
  ensemble: '#f28e2b',
  teacher: '#e15759',
  distilled: '#59a14f',
  baseline: '#a0a0a0',
} as const;

export const INK = '#333a44';
export const MUTED = '#6b7480';
export const GRID = '#e6e9ee';
