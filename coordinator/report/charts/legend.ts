import { escapeHtml } from '../escapeHtml.ts';

export interface LegendItem {
  label: string;
  colour: string;
  /** A filled box (bars), a line (curves) or a dashed line. */
  mark: 'box' | 'line' | 'dashed';
}

/**
 * A chart legend as HTML, above the SVG: the browser lays out the labels, so long names wrap instead
 * of overlapping (SVG text has no layout and its width depends on the fonts installed). `note` goes
 * at the row's right end.
 */
export function legendHtml(items: LegendItem[], note?: string): string {
  const entries = items.map((item) => {
    const style = item.mark === 'box' ? `background:${item.colour}` : `border-top-color:${item.colour}`;
    return (
      `<span class="entry"><span class="swatch ${item.mark}" style="${escapeHtml(style)}"></span>` +
      `${escapeHtml(item.label)}</span>`
    );
  });
  if (note !== undefined) entries.push(`<span class="legend-note">${escapeHtml(note)}</span>`);
  return `<div class="legend">${entries.join('')}</div>`;
}
