import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SchedulerEvent } from '../../core/tasks/schedulerEvent.ts';
import {
  estimateEtaSeconds,
  formatDuration,
  renderBlock,
  truncate,
  TtyReporter,
  type BlockState,
  type RunningTask,
} from '../../cli/progress/ttyReporter.ts';
import type { TaskResult } from '../../core/tasks/taskResult.ts';
import { FakeTerminal } from './fakeTerminal.ts';

const task = (
  id: string,
  startedAt: number,
  progress?: RunningTask['progress'],
  attempt = 1,
): RunningTask => ({
  id,
  attempt,
  startedAt,
  progress,
});

const state = (over: Partial<BlockState> = {}): BlockState => ({
  job: 'demo',
  total: 10,
  done: 3,
  alreadyDone: 0,
  running: [],
  startedAt: 0,
  now: 42_000,
  ...over,
});

const trainResult = (loss: number[], valLoss?: number[]): TaskResult => ({
  type: 'train',
  seconds: 12.3,
  epochs: loss.length,
  samples: 1000,
  history: { loss, ...(valLoss ? { valLoss } : {}) },
  resumedFromEpoch: 0,
  backend: 'cpu',
});

test('renderBlock: a header with done/total, a bar, elapsed time and ETA, then one line per running task', () => {
  const lines = renderBlock(
    state({
      running: [
        task('train:mlp-0', 30_000, {
          epoch: 2,
          epochs: 5,
          batch: 120,
          batches: 469,
          loss: 0.31216,
          samplesPerSecond: 5432.4,
        }),
        task('predict:cnn', 40_000, { message: 'predicting validation' }),
        task('train:b', 41_000, undefined, 2),
      ],
    }),
    120,
  );
  assert.equal(lines.length, 4);
  const [header, first, second, third] = lines;
  assert.match(header ?? '', /^demo {2}[█░]{30} {2}3\/10 tasks {2}0:42 {2}ETA \d+:\d\d$/);
  assert.match(
    first ?? '',
    /^ {2}train:mlp-0 +0:12 {2}epoch 2\/5 {2}batch 120\/469 {2}loss 0\.3122 {2}5432 samples\/s$/,
  );
  assert.match(second ?? '', /^ {2}predict:cnn +0:02 {2}predicting validation$/);
  assert.match(third ?? '', /^ {2}train:b +0:01 {2}starting… {2}\(attempt 2\)$/);
  // Task ids are padded to one column.
  assert.equal(first?.indexOf('0:12'), second?.indexOf('0:02'));
});

test('renderBlock: the bar counts running tasks by their progress', () => {
  const bar = (s: BlockState) => (renderBlock(s, 200)[0]?.match(/[█░]+/)?.[0] ?? '').replace(/░/g, '').length;
  assert.equal(bar(state({ done: 5, now: 1000 })), 15);
  // Half of epoch 2 of 2 is 75 % of one task: 5.75 / 10 of 30 cells.
  assert.equal(
    bar(
      state({ done: 5, now: 1000, running: [task('t', 0, { epoch: 2, epochs: 2, batch: 5, batches: 10 })] }),
    ),
    17,
  );
});

test('renderBlock: every line is cut to the width, the bar goes first on narrow terminals', () => {
  const s = state({
    running: [
      task('soft-labels:shard-12', 0, {
        epoch: 1,
        epochs: 3,
        batch: 1,
        batches: 9,
        loss: 1.5,
        message: 'x'.repeat(200),
      }),
    ],
  });
  for (const width of [20, 40, 60, 79]) {
    const lines = renderBlock(s, width);
    for (const line of lines) assert.ok(Array.from(line).length <= width, `${width}: ${line}`);
    assert.ok(lines[1]?.endsWith('…'));
  }
  assert.doesNotMatch(renderBlock(s, 30)[0] ?? '', /[█░]/);
  assert.match(renderBlock(s, 80)[0] ?? '', /[█░]/);
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('ééééé', 3), 'éé…');
});

test('renderBlock: control characters in messages cannot break the block; extra tasks are summarised', () => {
  const lines = renderBlock(state({ running: [task('a', 0, { message: 'two\nlines\x1b[2J' })] }), 80);
  assert.equal(lines.length, 2);
  assert.ok(!lines.join('').includes('\n') && !lines.join('').includes('\x1b'), lines.join('|'));
  assert.match(lines[1] ?? '', /two lines \[2J$/);
  const many = state({ running: Array.from({ length: 10 }, (_, i) => task(`t${i}`, 0)) });
  const cut = renderBlock(many, 80, 5);
  assert.equal(cut.length, 5);
  assert.match(cut[4] ?? '', /… and 7 more running/);
  assert.equal(renderBlock(many, 80, 11).length, 11);
});

test('ETA: none at first, extrapolated from this run only (not from resumed tasks)', () => {
  assert.equal(estimateEtaSeconds(state({ now: 2000 })), undefined);
  assert.equal(estimateEtaSeconds(state({ done: 0, now: 10_000 })), undefined);
  // 3 tasks in 30 s, 7 to go: 70 s.
  assert.equal(estimateEtaSeconds(state({ now: 30_000 })), 70);
  // 4 done of which 2 by an earlier run, one half-done: 2.5 tasks in 10 s, 5.5 to go.
  assert.equal(
    estimateEtaSeconds(
      state({ done: 4, alreadyDone: 2, now: 10_000, running: [task('t', 0, { batch: 1, batches: 2 })] }),
    ),
    22,
  );
  assert.equal(formatDuration(70), '1:10');
  assert.equal(formatDuration(3 * 3600 + 62), '3:01:02');
});

/** A reporter on a fake terminal with a fake clock and a hand-cranked ticker. */
function setup(columns = 100, rows = 24) {
  const term = new FakeTerminal(columns, rows);
  const clock = { t: 1_000_000 };
  const ticker: { tick: (() => void) | undefined; ms: number } = { tick: undefined, ms: 0 };
  const reporter = new TtyReporter({
    stream: term,
    alsoIntercept: [],
    now: () => clock.t,
    color: false,
    startTicker: (tick, ms) => {
      ticker.tick = tick;
      ticker.ms = ms;
      return () => {
        ticker.tick = undefined;
      };
    },
  });
  const advance = (ms: number) => {
    clock.t += ms;
    ticker.tick?.();
  };
  return { term, reporter, advance, ticker };
}

const info = {
  job: 'demo',
  outDir: 'runs/demo',
  slots: 2,
  counts: { train: 100, validation: 10, test: 20, classes: 3 },
};

test('TtyReporter: running tasks are live; finished and failed ones become permanent lines above the block', () => {
  const { term, reporter, advance, ticker } = setup();
  const exitListeners = process.listenerCount('exit');
  reporter.start(info);
  const send = (e: SchedulerEvent) => reporter.event(e);
  send({ type: 'job-started', total: 4, alreadyDone: 0 });
  send({ type: 'task-started', id: 'train:a', attempt: 1 });
  send({ type: 'task-started', id: 'train:b', attempt: 1 });
  advance(100);
  send({
    type: 'task-progress',
    id: 'train:a',
    progress: { epoch: 2, epochs: 3, batch: 4, batches: 8, loss: 0.5, samplesPerSecond: 900 },
  });
  advance(100);
  assert.equal(ticker.ms, 100);
  assert.equal(term.cursorVisible, false);
  let lines = term.lines();
  assert.match(lines[0] ?? '', /^job demo: 100 train/);
  assert.match(lines[1] ?? '', /^demo .*0\/4 tasks/);
  assert.match(lines[2] ?? '', /train:a .*epoch 2\/3 {2}batch 4\/8 {2}loss 0\.5000 {2}900 samples\/s/);
  assert.match(lines[3] ?? '', /train:b .*starting…/);
  assert.equal(lines.length, 4);

  advance(5000);
  send({ type: 'task-done', id: 'train:a', result: trainResult([0.9, 0.4], [0.8, 0.45]), seconds: 5.2 });
  send({ type: 'task-failed', id: 'train:b', attempt: 1, error: 'Error: boom', willRetry: true });
  send({ type: 'task-started', id: 'train:b', attempt: 2 });
  advance(100);
  lines = term.lines();
  assert.deepEqual(lines.slice(0, 3), [
    lines[0],
    '✓ train:a  5.2 s  loss 0.4000  val loss 0.4500  [1/4]',
    '✗ train:b (attempt 1): Error: boom - will retry',
  ]);
  assert.match(lines[3] ?? '', /^demo .*1\/4 tasks/);
  assert.match(lines[4] ?? '', /train:b .*\(attempt 2\)/);
  assert.equal(lines.length, 5, lines.join('\n'));

  send({ type: 'task-done', id: 'train:b', result: trainResult([0.7]), seconds: 1 });
  send({ type: 'job-done', seconds: 75 });
  reporter.stop();
  reporter.stop(); // twice is harmless, as run.ts does
  lines = term.lines();
  // The block is gone; every permanent line is there once, in order.
  assert.equal(lines.length, 5, lines.join('\n'));
  assert.match(lines[3] ?? '', /^✓ train:b {2}1\.0 s {2}loss 0\.7000 {2}\[2\/4\]$/);
  assert.equal(lines[4], '✓ job done in 1:15');
  assert.equal(term.cursorVisible, true);
  assert.equal(term.listenerCount, 0);
  assert.equal(ticker.tick, undefined);
  assert.equal(process.listenerCount('exit'), exitListeners);
});

test('TtyReporter: redraws at most once per 100 ms however many events arrive', () => {
  const { term, reporter, advance } = setup();
  reporter.event({ type: 'job-started', total: 1, alreadyDone: 0 });
  reporter.event({ type: 'task-started', id: 't', attempt: 1 });
  const frames = () => term.chunks.filter((c) => c.includes('tasks')).length;
  const before = frames();
  for (let b = 1; b <= 50; b++) {
    reporter.event({ type: 'task-progress', id: 't', progress: { batch: b, batches: 50 } });
    advance(2); // 50 events in 100 ms
  }
  assert.ok(frames() - before <= 2, `${frames() - before} frames`);
  advance(100);
  assert.match(term.lines().at(-1) ?? '', /batch 50\/50/);
  // Nothing new: no redraw until a second has passed (the clocks move once a second).
  const idle = frames();
  advance(100);
  advance(100);
  assert.equal(frames(), idle);
  advance(1000);
  assert.equal(frames(), idle + 1);
  reporter.stop();
});

test('TtyReporter: lines fit the terminal, also after it is narrowed, and nothing above the block is lost', () => {
  const { term, reporter, advance } = setup(100);
  reporter.start(info);
  reporter.event({ type: 'job-started', total: 3, alreadyDone: 0 });
  for (const id of ['distill:student-temperature-4', 'soft-labels:shard-0']) {
    reporter.event({ type: 'task-started', id, attempt: 1 });
    reporter.event({
      type: 'task-progress',
      id,
      progress: {
        epoch: 1,
        epochs: 9,
        batch: 3,
        batches: 99,
        loss: 2.25,
        samplesPerSecond: 12345,
        message: 'm'.repeat(80),
      },
    });
  }
  advance(100);
  const widest = () => Math.max(...term.physicalRows().map((r) => Array.from(r).length));
  assert.equal(widest(), 99);
  term.resize(50); // the terminal re-wraps the old block; the reporter redraws at once
  const lines = term.lines();
  assert.match(lines[0] ?? '', /^job demo: 100 train/);
  assert.match(lines[1] ?? '', /^demo /);
  assert.equal(lines.length, 4, lines.join('\n'));
  for (const line of lines.slice(1)) assert.ok(Array.from(line).length <= 49, line);
  reporter.event({
    type: 'task-done',
    id: 'soft-labels:shard-0',
    result: { type: 'soft-labels', seconds: 2, start: 0, end: 50 },
    seconds: 2,
  });
  term.resize(120);
  advance(100);
  assert.deepEqual(term.lines().slice(0, 2), [lines[0], '✓ soft-labels:shard-0  2.0 s  samples 0-50  [1/3]']);
  assert.equal(term.lines().length, 4);
  reporter.stop();
});

test('TtyReporter: other output to the terminal goes above the block, whole lines at a time', () => {
  const { term, reporter, advance } = setup();
  reporter.event({ type: 'job-started', total: 2, alreadyDone: 0 });
  reporter.event({ type: 'task-started', id: 't', attempt: 1 });
  advance(100);
  term.write('warning: kernel ');
  term.write('replaced\n');
  term.write(new TextEncoder().encode('second line\nunfinished'));
  advance(100);
  let lines = term.lines();
  assert.deepEqual(lines.slice(0, 2), ['warning: kernel replaced', 'second line']);
  assert.match(lines[2] ?? '', /^demo|^chorus/);
  assert.equal(lines.length, 4);
  reporter.stop();
  lines = term.lines();
  assert.deepEqual(lines, ['warning: kernel replaced', 'second line', 'unfinished']);
  // The stream's own write is back.
  assert.equal(Object.prototype.hasOwnProperty.call(term, 'write'), false);
  term.write('\nafter\n');
  assert.equal(term.lines().at(-1), 'after');
});

test('TtyReporter: a resumed run says so, and the ETA ignores the tasks done before', () => {
  const { term, reporter, advance } = setup();
  reporter.event({ type: 'job-started', total: 10, alreadyDone: 6 });
  reporter.event({ type: 'task-started', id: 't', attempt: 1 });
  advance(2000);
  reporter.event({ type: 'task-done', id: 't', result: { type: 'predict', seconds: 2 }, seconds: 2 });
  advance(2000);
  const lines = term.lines();
  assert.equal(lines[0], 'resuming: 6 of 10 tasks already done');
  assert.equal(lines[1], '✓ t  2.0 s  [7/10]');
  // 1 task in 4 s this run, 3 to go: 12 s (counting the 6 resumed ones would say 1.7 s).
  assert.match(lines[2] ?? '', /7\/10 tasks {2}0:04 {2}ETA 0:12$/);
  reporter.stop();
});
