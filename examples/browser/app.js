// The browser example: the run's distilled student and its exported ensemble, loaded with the browser
// build of @tensorflow/tfjs (the global `tf`), predicting the digit you draw or pick. The student outputs
// logits (Chorus works in logits), the exported ensemble probabilities.
//
// Query parameters: run (the run folder's URL, default /run/), student (a student's name; default the
// best distilled one), backend (a tfjs backend, e.g. cpu; default tfjs's choice).

const params = new URLSearchParams(window.location.search);
const RUN = params.get('run') ?? '/run/';
const PAD = 280;
const SIDE = 28;

const status = document.getElementById('status');
const pad = document.getElementById('pad');
const padContext = pad.getContext('2d');

async function loadModels() {
  const backend = params.get('backend');
  if (backend) await tf.setBackend(backend);
  await tf.ready();
  const report = await fetchJson(`${RUN}report.json`);
  const studentName = params.get('student') ?? report.distillation?.bestStudent ?? report.students?.[0]?.name;
  if (!studentName) throw new Error('this run has no student: its job has no distillation section');
  const [student, ensemble, samples] = await Promise.all([
    tf.loadLayersModel(`${RUN}models/students/${encodeURIComponent(studentName)}/model.json`),
    tf.loadLayersModel(`${RUN}models/ensemble/model.json`),
    fetchJson('/samples.json'),
  ]);
  return { student, ensemble, samples, studentName, job: report.job, backend: tf.getBackend() };
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** Both models' probabilities for `count` samples in one flat array: rows of `classes` values each. */
function predict(models, flat, count) {
  return tf.tidy(() => {
    const x = tf.tensor(flat, [count, ...models.samples.shape]);
    const student = tf.softmax(models.student.predict(x));
    const ensemble = models.ensemble.predict(x);
    return { student: Array.from(student.dataSync()), ensemble: Array.from(ensemble.dataSync()) };
  });
}

function showScores(models, values) {
  const { student, ensemble } = predict(models, values, 1);
  const top = (p) => p.indexOf(Math.max(...p));
  const body = document.querySelector('#scores tbody');
  body.replaceChildren(
    ...student.map((s, c) => {
      const row = document.createElement('tr');
      if (c === top(student) || c === top(ensemble)) row.className = 'top';
      const e = ensemble[c];
      const cells = [String(c), percent(s), bar(s, 'student'), percent(e), bar(e, 'ensemble')];
      row.replaceChildren(
        ...cells.map((content) => {
          const cell = document.createElement('td');
          if (typeof content === 'string') cell.textContent = content;
          else cell.append(content);
          return cell;
        }),
      );
      return row;
    }),
  );
}

const percent = (p) => `${(p * 100).toFixed(1)}%`;

function bar(p, kind) {
  const span = document.createElement('span');
  span.className = `bar ${kind}`;
  span.style.width = `${Math.round(p * 120)}px`;
  return span;
}

/** The drawing as 28×28 values in [0, 1], its ink scaled into a 20×20 box centred as MNIST digits are. */
function padValues() {
  const image = padContext.getImageData(0, 0, PAD, PAD).data;
  let [left, top, right, bottom] = [PAD, PAD, -1, -1];
  for (let y = 0; y < PAD; y++) {
    for (let x = 0; x < PAD; x++) {
      if (image[(y * PAD + x) * 4] > 0) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  const small = document.createElement('canvas');
  small.width = small.height = SIDE;
  const context = small.getContext('2d');
  if (right >= 0) {
    const width = right - left + 1;
    const height = bottom - top + 1;
    const scale = 20 / Math.max(width, height);
    const [w, h] = [width * scale, height * scale];
    context.drawImage(pad, left, top, width, height, (SIDE - w) / 2, (SIDE - h) / 2, w, h);
  }
  const pixels = context.getImageData(0, 0, SIDE, SIDE).data;
  return Float32Array.from({ length: SIDE * SIDE }, (_, i) => pixels[i * 4] / 255);
}

function drawSample(values, canvas, scale) {
  const context = canvas.getContext('2d');
  const image = context.createImageData(SIDE, SIDE);
  values.forEach((v, i) => {
    const level = Math.round(Math.min(1, Math.max(0, v)) * 255);
    image.data.set([level, level, level, 255], i * 4);
  });
  if (scale === 1) return context.putImageData(image, 0, 0);
  const tile = document.createElement('canvas');
  tile.width = tile.height = SIDE;
  tile.getContext('2d').putImageData(image, 0, 0);
  context.imageSmoothingEnabled = false;
  context.drawImage(tile, 0, 0, SIDE * scale, SIDE * scale);
}

function clearPad() {
  padContext.fillStyle = '#000';
  padContext.fillRect(0, 0, PAD, PAD);
}

function setUp(models) {
  const size = models.samples.shape.reduce((a, b) => a * b, 1);
  const drawable = size === SIDE * SIDE;
  clearPad();
  let drawing = false;
  const at = (event) => {
    const box = pad.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  pad.addEventListener('pointerdown', (event) => {
    drawing = drawable;
    padContext.beginPath();
    padContext.moveTo(...at(event));
  });
  pad.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    padContext.strokeStyle = '#fff';
    padContext.lineWidth = 22;
    padContext.lineCap = padContext.lineJoin = 'round';
    padContext.lineTo(...at(event));
    padContext.stroke();
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    showScores(models, padValues());
  };
  pad.addEventListener('pointerup', finish);
  pad.addEventListener('pointerleave', finish);
  document.getElementById('clear').addEventListener('click', clearPad);

  const grid = document.getElementById('samples');
  models.samples.x.slice(0, 20).forEach((values, i) => {
    const thumb = document.createElement('canvas');
    thumb.width = thumb.height = SIDE;
    thumb.title = `test sample ${i} (label ${models.samples.y[i]})`;
    if (drawable) drawSample(values, thumb, 1);
    thumb.addEventListener('click', () => {
      if (drawable) drawSample(values, pad, PAD / SIDE);
      showScores(models, Float32Array.from(values));
    });
    grid.append(thumb);
  });
  status.textContent =
    `Run ${models.job}: student ${models.studentName} and the exported ensemble, on tfjs's ${models.backend} backend.` +
    (drawable ? '' : ' (Its samples are not 28×28 images: pick one instead of drawing.)');
}

const ready = loadModels().then(
  (models) => {
    setUp(models);
    return models;
  },
  (err) => {
    status.textContent = `Could not load the run: ${err.message}`;
    throw err;
  },
);

// For scripts and tests: both models' probabilities on every sample of /samples.json.
window.chorus = {
  ready: ready.then((m) => ({ student: m.studentName, backend: m.backend, samples: m.samples.y.length })),
  async predictSamples() {
    const models = await ready;
    const { x, y, classes } = models.samples;
    return { classes, labels: y, ...predict(models, Float32Array.from(x.flat()), y.length) };
  },
};
