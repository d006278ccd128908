import assert from 'node:assert/strict';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import puppeteer, { type Browser } from 'puppeteer-core';
import type { Report } from '../../core/report/report.ts';
import { float32View } from '../../core/artifacts/float32.ts';
import { prepareData } from '../../core/data/prepareData.ts';
import { fileLoadHandler } from '../../core/model/fileIO.ts';
import { loadJobFile } from '../../core/spec/loadJob.ts';
import { runTestSamples } from '../../examples/browser/samples.ts';
import { startStaticServer } from '../../examples/browser/staticServer.ts';
import { saveTrainedFunctionalModel } from '../pipeline/functionalModel.ts';
import { REPO_ROOT, runCli, tempDir } from '../pipeline/cli.ts';

/**
 * The student in a real browser: Debian's headless Chromium opens examples/browser/ from a static server
 * on 127.0.0.1, loads a run's distilled student and exported ensemble with the browser build of
 * @tensorflow/tfjs, and predicts 200 test samples; the predictions must be Node's (same classes,
 * probabilities within 1e-4). The run has a pretrained functional member (residual add, concatenate),
 * so the exported ensemble the browser loads nests a functional model.
 */

const CHROMIUM = process.env['CHORUS_CHROMIUM'] ?? '/usr/bin/chromium';
const SAMPLES = 200;
const TOLERANCE = 1e-4;

interface BrowserPredictions {
  classes: number;
  labels: number[];
  student: number[];
  ensemble: number[];
}

async function launchChromium(profile: string): Promise<Browser> {
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHORUS_CHROMIUM`,
    );
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${profile}`,
    ],
  });
}

function softmaxRows(logits: Float32Array, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    const row = Array.from(logits.subarray(r * classes, (r + 1) * classes));
    const max = Math.max(...row);
    const sum = row.reduce((a, v) => a + Math.exp(v - max), 0);
    row.forEach((v, c) => (out[r * classes + c] = Math.exp(v - max) / sum));
  }
  return out;
}

/** Asserts the same class for every sample and probabilities within the tolerance; returns the largest difference. */
function compare(what: string, browser: readonly number[], node: ArrayLike<number>, classes: number): number {
  assert.equal(browser.length, node.length, `${what}: as many values`);
  let worst = 0;
  for (let i = 0; i < node.length; i++) worst = Math.max(worst, Math.abs(browser[i]! - node[i]!));
  assert.ok(worst <= TOLERANCE, `${what}: probabilities differ by up to ${worst}`);
  for (let r = 0; r < node.length / classes; r++) {
    const top = (values: ArrayLike<number>) => {
      let best = 0;
      for (let c = 1; c < classes; c++) if (values[r * classes + c]! > values[r * classes + best]!) best = c;
      return best;
    };
    assert.equal(top(browser), top(node), `${what}: sample ${r} gets another class`);
  }
  return worst;
}

test('headless Chromium predicts the distilled student and the exported ensemble as Node does', async (t) => {
  const dir = await tempDir(t, 'chorus-browser-');
  const jobFile = join(dir, 'job.yaml');
  await writeFile(
    jobFile,
    `name: browser
seed: 5
data:
  train: { format: mnist-bundled, start: 0, count: 1500 }
  test: { format: mnist-bundled, start: 8000, count: 400 }
members:
  - { name: brought, model: brought/model.json, weights: file, train: false }
  - { name: mlp, layers: [{ type: dense, units: 32, activation: relu }], train: { epochs: 2, batchSize: 64 } }
distillation:
  student: { layers: [{ type: dense, units: 24, activation: relu }], train: { epochs: 2, batchSize: 64 } }
  temperature: 3
  alpha: 0.8
  baseline: false
runtime: { slots: 2, backend: wasm }
`,
  );
  const { job, baseDir } = await loadJobFile(jobFile);
  await saveTrainedFunctionalModel(
    join(dir, 'brought'),
    (await prepareData(job.data, baseDir, job.seed)).train,
    2,
  );
  const out = join(dir, 'out');
  const exit = await runCli(t, ['run', jobFile, '--out', out, '--json'], 180_000);
  assert.equal(exit.code, 0, exit.stderr);
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as Report;
  const studentName = report.distillation?.bestStudent ?? '';
  assert.ok(studentName);

  const samples = await runTestSamples(out, SAMPLES, baseDir);
  assert.equal(samples.y.length, SAMPLES);
  const server = await startStaticServer({
    folders: {
      '/': join(REPO_ROOT, 'examples', 'browser'),
      '/tfjs/': join(REPO_ROOT, 'node_modules', '@tensorflow', 'tfjs', 'dist'),
      '/run/': out,
    },
    files: { '/samples.json': { body: JSON.stringify(samples), type: 'application/json' } },
  });
  t.after(() => server.close());
  const browser = await launchChromium(join(dir, 'chromium-profile'));
  t.after(() => browser.close());
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  // The cpu backend: the same arithmetic as Node's tfjs, whatever WebGL a headless machine has.
  await page.goto(`${server.url}/index.html?backend=cpu`, { waitUntil: 'load' });
  const info = await page.evaluate(
    () => (globalThis as unknown as { chorus: { ready: Promise<unknown> } }).chorus.ready,
  );
  assert.deepEqual(info, { student: studentName, backend: 'cpu', samples: SAMPLES });
  const predicted = (await page.evaluate(() =>
    (globalThis as unknown as { chorus: { predictSamples(): Promise<unknown> } }).chorus.predictSamples(),
  )) as BrowserPredictions;
  assert.deepEqual(problems, [], 'no errors in the page');
  assert.equal(predicted.classes, 10);
  assert.deepEqual(predicted.labels, samples.y);

  // Node: the run's own student logits (from its wasm worker), and the exported ensemble through tfjs.
  const studentLogits = float32View(
    await readFile(join(out, 'predictions', 'students', studentName, 'test.f32')),
  );
  const studentDifference = compare(
    'student',
    predicted.student,
    softmaxRows(studentLogits.subarray(0, SAMPLES * 10), 10),
    10,
  );
  await tf.setBackend('cpu');
  const ensemble = await tf.loadLayersModel(fileLoadHandler(join(out, 'models', 'ensemble', 'model.json')));
  const nodeEnsemble = tf.tidy(
    () =>
      (
        ensemble.predict(tf.tensor(samples.x.flat(), [SAMPLES, ...samples.shape])) as tf.Tensor
      ).dataSync() as Float32Array,
  );
  ensemble.dispose();
  const ensembleDifference = compare('ensemble', predicted.ensemble, nodeEnsemble, 10);
  t.diagnostic(
    `largest probability difference: student ${studentDifference}, ensemble ${ensembleDifference}`,
  );

  // The page's own view works too: picking a sample fills the table of both models' probabilities.
  await page.click('#samples canvas');
  const rows = await page.$$eval('#scores tbody tr', (trs) => trs.length);
  assert.equal(rows, 10);
});
