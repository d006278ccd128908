import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** Chorus's own version from its package.json (read once), or `unknown` if that cannot be read. */
export function chorusVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    if (typeof manifest === 'object' && manifest !== null && 'version' in manifest) {
      const { version } = manifest;
      if (typeof version === 'string') cached = version;
    }
  } catch {
    // The version is informative only; a report without it is still a report.
  }
  return cached;
}
