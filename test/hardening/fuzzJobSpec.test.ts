import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { JobSpecError } from '../../core/errors.ts';
import { parseJobText } from '../../core/spec/loadJob.ts';

/**
 * Property-based tests of the job-spec parser: whatever text comes in, `parseJobText` either returns
 * a job or throws a JobSpecError whose every issue says something and says where (a path, or a line
 * for YAML syntax). Never a TypeError, RangeError, a zod error or a yaml exception.
 */

/** Problems about the whole text, which have no path inside it. */
const WHOLE_TEXT =
  /^(the job file is empty|expected a mapping of keys|the job text is \d+ bytes, over the limit|YAML: )/;

function checkOutcome(text: string): void {
  let job: ReturnType<typeof parseJobText>;
  try {
    job = parseJobText(text, 'fuzz.yaml');
  } catch (err) {
    if (!(err instanceof JobSpecError)) {
      const shown = err instanceof Error ? (err.stack ?? err.message) : String(err);
      assert.fail(`not a JobSpecError for ${JSON.stringify(text.slice(0, 300))}:\n${shown}`);
    }
    assert.ok(err.issues.length > 0, 'a JobSpecError lists at least one issue');
    assert.equal(err.source, 'fuzz.yaml');
    for (const issue of err.issues) {
      assert.ok(issue.message.trim().length > 0, `an empty message in ${err.message}`);
      assert.ok(
        issue.path.length > 0 || WHOLE_TEXT.test(issue.message),
        `an issue without a path: ${JSON.stringify(issue)}`,
      );
      // Wording that betrays an unformatted value or zod's own default messages.
      assert.doesNotMatch(issue.message, /\[object |undefined|Invalid input|Too (big|small):/, err.message);
    }
    return;
  }
  assert.ok(job.members.length >= 1 && typeof job.name === 'string', 'an accepted job is complete');
}

/** Valid jobs to mutate: each kind of data source, image-shaped and flat models, a sweep. */
const VALID_JOBS: Record<string, unknown>[] = [
  {
    name: 'flat',
    seed: 3,
    data: {
      train: { format: 'synthetic', count: 60, features: 4, classes: 3, seed: 1, sampleSeed: 1 },
      test: { format: 'synthetic', count: 30, features: 4, classes: 3, seed: 1, sampleSeed: 2 },
      validationSplit: 0.2,
      normalize: 'standardize',
    },
    members: [
      {
        name: 'mlp',
        replicas: 2,
        bootstrap: true,
        layers: [
          { type: 'dense', units: 8, activation: 'relu' },
          { type: 'dropout', rate: 0.1 },
        ],
        train: { epochs: 2, batchSize: 16, learningRate: 0.01, optimizer: 'sgd' },
      },
    ],
    ensemble: { methods: ['hard', 'soft', 'stacking'], weights: { mlp: 1 }, calibrate: true },
    teacher: { members: ['mlp-0'], softTargets: 'logits' },
    distillation: {
      student: { layers: [{ type: 'dense', units: 4 }], train: { epochs: 1 } },
      temperature: [2, 4],
      alpha: 0.5,
      shards: 2,
    },
    runtime: { slots: 2, backend: 'wasm', maxAttempts: 2 },
  },
  {
    name: 'images',
    data: {
      train: { format: 'mnist-bundled', start: 0, count: 100 },
      test: { format: 'mnist-bundled', start: 100, count: 50 },
    },
    members: [
      {
        name: 'cnn',
        layers: [
          { type: 'conv2d', filters: 4, kernelSize: 3, strides: [1, 1], padding: 'same' },
          { type: 'batchNormalization', momentum: 0.9 },
          { type: 'maxPooling2d', poolSize: 2 },
          { type: 'flatten' },
          { type: 'reshape', targetShape: [14, 14, 4] },
          { type: 'activation', activation: 'tanh' },
        ],
      },
    ],
  },
  {
    name: 'files',
    data: {
      train: { format: 'csv', path: 'train.csv', labelColumn: 0 },
      test: { format: 'idx', images: 'a-images', labels: 'a-labels' },
      sampleShape: [784],
      classes: 10,
    },
    members: [{ name: 'a' }, { name: 'b', seed: 9, layers: [{ type: 'dense', units: 16, useBias: false }] }],
  },
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values a confused or hostile job file might hold anywhere. */
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    0.5,
    1e9,
    1e12,
    2 ** 53,
    Number.MAX_VALUE,
    '',
    'auto',
    'all',
    'dense',
    'conv2d',
    'synthetic',
    'idx',
    'mnist-bundled',
    '__proto__',
    null,
    true,
    false,
    [],
    {},
  ),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 20 }),
  fc.array(fc.integer({ min: -3, max: 70000 }), { maxLength: 4 }),
  fc.record(
    {
      type: fc.constantFrom(
        'dense',
        'conv2d',
        'maxPooling2d',
        'flatten',
        'dropout',
        'batchNormalization',
        'activation',
        'reshape',
        'lstm',
      ),
      units: fc.integer({ min: -1, max: 100_000 }),
      filters: fc.integer({ min: 0, max: 70_000 }),
      kernelSize: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.tuple(fc.nat(9), fc.nat(9))),
      rate: fc.double({ min: -1, max: 2 }),
      targetShape: fc.array(fc.integer({ min: 0, max: 64 }), { maxLength: 4 }),
    },
    { requiredKeys: ['type'] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);

interface Mutation {
  at: number;
  kind: 'delete' | 'replace' | 'add-key' | 'wrap-in-list' | 'duplicate-item';
  key: string;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('delete', 'replace', 'replace', 'add-key', 'wrap-in-list', 'duplicate-item'),
  key: fc.oneof(
    fc.constantFrom('name', 'type', 'units', 'epochs', 'format', 'layers', '__proto__', 'constructor'),
    fc.string({ maxLength: 8 }),
  ),
  value: weirdValue,
});

/** Every (container, key) in a JSON-like tree, parents before children. */
function slots(root: Json): [Json[] | { [key: string]: Json }, string | number][] {
  const out: [Json[] | { [key: string]: Json }, string | number][] = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        out.push([node, i]);
        walk(child);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [k, child] of Object.entries(node)) {
        out.push([node, k]);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

function mutate(job: Record<string, unknown>, mutations: readonly Mutation[]): Json {
  const root = structuredClone(job) as Json;
  for (const m of mutations) {
    const all = slots(root);
    const slot = all[m.at % Math.max(1, all.length)];
    if (!slot) continue;
    const [container, key] = slot;
    const set = (value: unknown) => {
      if (Array.isArray(container)) container[key as number] = value as Json;
      else
        Object.defineProperty(container, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
    };
    const current = Array.isArray(container) ? container[key as number] : container[key as string];
    switch (m.kind) {
      case 'delete':
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete container[key as string];
        break;
      case 'replace':
        set(m.value);
        break;
      case 'add-key':
        if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
          Object.defineProperty(current, m.key, {
            value: m.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else set({ [m.key]: m.value });
        break;
      case 'wrap-in-list':
        set([current]);
        break;
      case 'duplicate-item':
        if (Array.isArray(container)) container.push(structuredClone(current) as Json);
        else set([current, current]);
        break;
    }
  }
  return root;
}

test('the valid jobs the mutations start from are accepted', () => {
  for (const job of VALID_JOBS) {
    const parsed = parseJobText(stringify(job), 'fuzz.yaml');
    assert.equal(parsed.name, job.name);
  }
});

test('mutated valid jobs (dropped keys, wrong types, odd numbers and strings) give only JobSpecErrors', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...VALID_JOBS),
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      fc.boolean(),
      (job, mutations, asJson) => {
        const value = mutate(job, mutations);
        // JSON has no NaN/Infinity (they become null); YAML writes them as .nan and .inf.
        checkOutcome(asJson ? JSON.stringify(value) : stringify(value));
      },
    ),
    { numRuns: 1500 },
  );
});

/** Pieces of YAML syntax, so that random text reaches the parser's deeper corners. */
const YAML_PIECES = [
  'name',
  'members',
  'data',
  'train',
  'layers',
  'format',
  'synthetic',
  'type: dense',
  'units',
  ':',
  ': ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '&b ',
  '*b',
  '<<: ',
  '!!str ',
  '!!binary ',
  '!!set ',
  '!tag ',
  '"',
  "'",
  '\\',
  '# ',
  '? ',
  '|',
  '>-',
  '.nan',
  '.inf',
  '-.inf',
  '1e400',
  '1e12',
  '-1',
  '2.5',
  '0x1F',
  '0o17',
  '~',
  'null',
  'true',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '%TAG ! tag:x,2000:\n',
  '\u00a0',
  '\ufeff',
  '\u2028',
  'é',
  '😀',
];

test('random YAML-ish text gives a job or a JobSpecError', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...YAML_PIECES), { maxLength: 60 }), (pieces) => {
      checkOutcome(pieces.join(''));
    }),
    { numRuns: 1500 },
  );
});

test('random JSON values and arbitrary strings give only JobSpecErrors', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.json({ maxDepth: 4 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
      ),
      (text) => checkOutcome(text),
    ),
    { numRuns: 600 },
  );
});

test('random bytes, read as UTF-8 or Latin-1, give only JobSpecErrors', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, utf8) => {
      checkOutcome(Buffer.from(bytes).toString(utf8 ? 'utf8' : 'latin1'));
    }),
    { numRuns: 400 },
  );
});

test('alias bombs ("billion laughs") are refused with a JobSpecError, not expanded', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }), (levels, width) => {
      const lines = [`l0: &l0 [${Array(width).fill('lol').join(', ')}]`];
      for (let i = 1; i < levels; i++) {
        lines.push(
          `l${i}: &l${i} [${Array(width)
            .fill(`*l${i - 1}`)
            .join(', ')}]`,
        );
      }
      const started = performance.now();
      checkOutcome(`${lines.join('\n')}\n`);
      assert.ok(performance.now() - started < 2000, `${levels} levels × ${width} took too long`);
    }),
    { numRuns: 60 },
  );
});

test('deep nesting is refused quickly with a JobSpecError', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('[', '{"a":', '- ', 'a: '),
      fc.integer({ min: 1000, max: 20_000 }),
      (open, depth) => {
        const close = open === '[' ? ']' : open === '{"a":' ? '}' : '';
        const text =
          open === '- ' || open === 'a: '
            ? Array.from({ length: Math.min(depth, 2000) }, (_, i) => `${' '.repeat(i)}${open}`).join('\n')
            : `${open.repeat(depth)}1${close.repeat(depth)}`;
        const started = performance.now();
        checkOutcome(text);
        assert.ok(performance.now() - started < 10_000, `depth ${depth} took too long`);
      },
    ),
    { numRuns: 12 },
  );
});
