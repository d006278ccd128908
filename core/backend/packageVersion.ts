import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The installed version of an npm package, or `unknown` when its package.json cannot be read. */
export function packageVersion(pkg: string): string {
  try {
    const manifest: unknown = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8'));
    if (typeof manifest === 'object' && manifest !== null && 'version' in manifest) {
      const { version } = manifest;
      if (typeof version === 'string') return version;
    }
  } catch {
    // Packages with an `exports` map may hide package.json; the version is informative only.
  }
  return 'unknown';
}
