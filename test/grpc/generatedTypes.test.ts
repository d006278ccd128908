import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import {
  GENERATED_DIR,
  REGENERATE_COMMAND,
  REPO_ROOT,
  generateProtoTypes,
  generatorCommand,
} from '../../proto/generateProtoTypes.ts';
import { loadChorusProto } from '../../proto/loadProto.ts';

async function tree(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out = new Map<string, string>();
  for (const e of entries.filter((x) => x.isFile()).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(e.parentPath, e.name);
    out.set(relative(dir, path), await readFile(path, 'utf8'));
  }
  return out;
}

test(
  'regenerating the proto types gives exactly the committed proto/generated',
  { timeout: 60_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chorus-proto-types-'));
    try {
      await generateProtoTypes(dir);
      const fresh = await tree(dir);
      const committed = await tree(GENERATED_DIR);
      assert.deepEqual(
        [...committed.keys()].sort(),
        [...fresh.keys()].sort(),
        `files differ; run: ${REGENERATE_COMMAND}`,
      );
      for (const [file, text] of fresh) {
        assert.equal(
          committed.get(file),
          text,
          `proto/generated/${file} is stale; run: ${REGENERATE_COMMAND}`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('proto/README.md shows the regenerate command and the generator flags actually used', async () => {
  const readme = await readFile(join(REPO_ROOT, 'proto', 'README.md'), 'utf8');
  assert.ok(readme.includes(REGENERATE_COMMAND), 'README lacks the regenerate command');
  const raw = `npx proto-loader-gen-types ${generatorCommand('proto/generated').join(' ')}`;
  assert.ok(readme.includes(raw), `README should show the raw generator command:\n${raw}`);
});

test('every service and message of the proto loads with the shared options', () => {
  const proto = loadChorusProto();
  const coordinator = Object.keys(proto.Coordinator.service).sort();
  assert.deepEqual(coordinator, [
    'CancelJob',
    'GetArtifacts',
    'GetJob',
    'GetReport',
    'ListJobs',
    'ListWorkers',
    'SubmitJob',
    'WatchJob',
  ]);
  assert.deepEqual(Object.keys(proto.DataPlane.service), ['PutLogits']);
  assert.equal(proto.Coordinator.service.WatchJob.responseStream, true);
  assert.equal(proto.Coordinator.service.GetArtifacts.responseStream, true);
  assert.equal(proto.Coordinator.service.SubmitJob.requestStream, true);
  assert.equal(proto.DataPlane.service.PutLogits.requestStream, true);
});
