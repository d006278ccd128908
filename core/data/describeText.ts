/**
 * A data file may hold anything: a job can name any file its submitter can read, and an error message
 * travels further than the file (into the job's status, which every client of the coordinator reads).
 * So messages never quote a file's text, except a short number — what a numeric field should hold, and
 * the clearest way to say what is wrong with it. Anything else is described by its length.
 */

const NUMBER_LIKE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:nan|inf|infinity)$/i;
const MAX_QUOTED = 24;

/** `"1.5"` for a short number or NaN/infinity spelling; otherwise `text of N characters`. */
export function describeText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.length <= MAX_QUOTED && NUMBER_LIKE.test(trimmed)) return `"${trimmed}"`;
  return `text of ${[...trimmed].length} character${[...trimmed].length === 1 ? '' : 's'}`;
}
