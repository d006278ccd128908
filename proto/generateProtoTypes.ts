import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as prettier from 'prettier';
import { PROTO_FILE, PROTO_LOADER_OPTIONS } from './loadProto.ts';

/**
 * Regenerates the TypeScript types of `proto/chorus.proto` into `proto/generated/` with
 * `proto-loader-gen-types` (shipped with @grpc/proto-loader: no protoc needed), then formats them with
 * the repository's prettier settings and marks them as generated (eslint.config.js ignores the folder:
 * generated code uses `any` and empty interfaces). Run:
 *
 *     npx tsx proto/generateProtoTypes.ts
 *
 * A test regenerates into a temporary folder and compares, so the committed files cannot drift.
 */

const execFileAsync = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const GENERATED_DIR = join(REPO_ROOT, 'proto', 'generated');
export const REGENERATE_COMMAND = 'npx tsx proto/generateProtoTypes.ts';

const HEADER = `// Generated from proto/chorus.proto by proto-loader-gen-types; do not edit. Regenerate: ${REGENERATE_COMMAND}\n`;

/** The generator's flags, derived from the loader options so the types describe what the loader yields. */
export function generatorFlags(): string[] {
  const o = PROTO_LOADER_OPTIONS;
  return [
    ...(o.keepCase ? ['--keepCase'] : []),
    `--longs=${o.longs.name}`,
    `--enums=${o.enums.name}`,
    ...(o.defaults ? ['--defaults'] : []),
    ...(o.oneofs ? ['--oneofs'] : []),
    '--includeComments',
    '--grpcLib=@grpc/grpc-js',
    // ESM with NodeNext resolution needs extensions on relative imports.
    '--importFileExtension=.ts',
  ];
}

/** The generator command line, as run from the repository root (proto/README.md shows it). */
export function generatorCommand(outDir: string): string[] {
  const protoDir = relative(REPO_ROOT, dirname(PROTO_FILE));
  // The file comes first: yargs would swallow it into the array-valued --includeDirs.
  return [
    relative(protoDir, PROTO_FILE),
    ...generatorFlags(),
    `--outDir=${outDir}`,
    `--includeDirs=${protoDir}`,
  ];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Writes the generated, formatted files into `outDir` (emptied first); returns their relative paths. */
export async function generateProtoTypes(outDir: string = GENERATED_DIR): Promise<string[]> {
  const raw = await mkdtemp(join(tmpdir(), 'chorus-proto-gen-'));
  try {
    const bin = createRequire(import.meta.url).resolve(
      '@grpc/proto-loader/build/bin/proto-loader-gen-types.js',
    );
    // Run from the repository root: the generator writes the proto's path into every file.
    await execFileAsync(process.execPath, [bin, ...generatorCommand(raw)], { cwd: REPO_ROOT });
    const files = await listFiles(raw);
    await rm(outDir, { recursive: true, force: true });
    for (const file of files) {
      const target = join(outDir, file);
      // Format as if the file sat in proto/generated, whatever outDir is, so a comparison is exact.
      const config = (await prettier.resolveConfig(join(GENERATED_DIR, file))) ?? {};
      const body = await readFile(join(raw, file), 'utf8');
      const formatted = await prettier.format(HEADER + body, { ...config, filepath: target });
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, formatted);
    }
    return files;
  } finally {
    await rm(raw, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await generateProtoTypes();
  console.log(`wrote ${files.length} files to ${relative(process.cwd(), GENERATED_DIR) || '.'}`);
}
