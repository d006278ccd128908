/** Words of PromQL that are not metric names. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
  'atan2',
]);

/**
 * The metric names a PromQL expression selects: what is left once strings, label matchers, ranges,
 * grouping clauses, numbers, keywords and function calls are taken out. Good enough for the
 * expressions of our dashboard and rules; Prometheus itself checks that they parse.
 */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  const token = /[0-9][0-9a-zA-Z_.]*|[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  for (let m = token.exec(stripped); m; m = token.exec(stripped)) {
    const word = m[0];
    if (/^[0-9]/.test(word) || KEYWORDS.has(word.toLowerCase())) continue;
    const rest = stripped.slice(m.index + word.length);
    if (/^\s*\(/.test(rest)) continue; // a function or aggregation
    names.add(word);
  }
  return [...names].sort();
}

/** Grafana's interval variables, replaced by a fixed range so Prometheus can run the query. */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(
    /\$__rate_interval|\$__interval|\$__range|\$\{__rate_interval\}|\$\{__interval\}/g,
    '5m',
  );
}
