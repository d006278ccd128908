import { escapeHtml } from '../escapeHtml.ts';

/** Small builders for hand-written SVG; every text goes through escapeHtml. */

/** A coordinate with at most one decimal: keeps the markup short. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

export type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeHtml(typeof v === 'number' ? px(v) : String(v))}"`)
    .join('');
}

export function el(name: string, a: Attrs, children = ''): string {
  return children === '' ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`;
}

export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return `<text${attrs({ x, y, ...a })}>${escapeHtml(content)}</text>`;
}

/** A hover tooltip (the SVG `<title>` child). */
export function tooltip(content: string): string {
  return `<title>${escapeHtml(content)}</title>`;
}

/** An inline `<svg>` root (no xmlns: HTML5 does not need it) that scales down with its container but never above its natural width. */
export function svgRoot(width: number, height: number, label: string, body: string): string {
  return (
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `role="img" aria-label="${escapeHtml(label)}" style="max-width:100%;height:auto">${body}</svg>`
  );
}
