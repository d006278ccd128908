import type { TtyStream } from '../../cli/progress/ttyReporter.ts';

interface Row {
  text: string;
  /** The row continues on the next one (the terminal wrapped it). */
  wrapped: boolean;
}

/**
 * A small terminal emulator for tests: keeps every row ever written (scrollback included), wraps at
 * `columns`, re-wraps on resize like tmux does, and understands the sequences the reporter uses
 * (\r, \n, ESC[nA, ESC[nB, ESC[K, ESC[2K, ESC[J, cursor show/hide; colours are dropped). Throws on anything else, so a test
 * fails on output a real terminal would show as garbage.
 */
export class FakeTerminal implements TtyStream {
  columns: number;
  rows: number;
  cursorVisible = true;
  /** Every chunk written, as written. */
  readonly chunks: string[] = [];
  private screen: Row[] = [{ text: '', wrapped: false }];
  private row = 0;
  private col = 0;
  private readonly listeners = new Set<() => void>();

  constructor(columns = 80, rows = 24) {
    this.columns = columns;
    this.rows = rows;
  }

  write(chunk: string | Uint8Array): boolean {
    const text = typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    this.chunks.push(text);
    this.feed(text);
    return true;
  }

  on(_event: 'resize', listener: () => void): this {
    this.listeners.add(listener);
    return this;
  }

  off(_event: 'resize', listener: () => void): this {
    this.listeners.delete(listener);
    return this;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** The logical lines on screen (wrapped rows joined), without trailing empty lines. */
  lines(): string[] {
    const out: string[] = [];
    let current = '';
    for (const r of this.screen) {
      current += r.text;
      if (!r.wrapped) {
        out.push(current);
        current = '';
      }
    }
    if (current) out.push(current);
    while (out.length > 0 && out.at(-1) === '') out.pop();
    return out;
  }

  /** Physical rows, for checking that nothing was drawn wider than the terminal. */
  physicalRows(): string[] {
    return this.screen.map((r) => r.text);
  }

  resize(columns: number): void {
    // Re-wrap every logical line at the new width, keeping the cursor at the same place in its line.
    let cursorLine = 0;
    let cursorOffset = 0;
    const logical: string[] = [];
    let current = '';
    this.screen.forEach((r, i) => {
      if (i === this.row) {
        cursorLine = logical.length;
        cursorOffset = Array.from(current).length + this.col;
      }
      current += r.text;
      if (!r.wrapped || i === this.screen.length - 1) {
        logical.push(current);
        current = '';
      }
    });
    this.columns = columns;
    this.screen = [];
    logical.forEach((line, i) => {
      const chars = Array.from(line);
      const pieces = Math.max(1, Math.ceil(chars.length / columns));
      if (i === cursorLine) {
        const extra = Math.floor(cursorOffset / columns);
        this.row = this.screen.length + Math.min(extra, pieces - 1);
        this.col = cursorOffset - Math.min(extra, pieces - 1) * columns;
      }
      for (let p = 0; p < pieces; p++) {
        this.screen.push({
          text: chars.slice(p * columns, (p + 1) * columns).join(''),
          wrapped: p < pieces - 1,
        });
      }
    });
    for (const l of this.listeners) l();
  }

  private feed(text: string): void {
    let i = 0;
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (ch === '\x1b') {
        // eslint-disable-next-line no-control-regex
        const m = /^\x1b\[(\??)(\d*)([A-Za-z])/.exec(text.slice(i));
        if (!m) throw new Error(`unexpected escape sequence at ${JSON.stringify(text.slice(i, i + 8))}`);
        this.escape(m[1] === '?', m[2] === '' ? undefined : Number(m[2]), m[3] ?? '');
        i += m[0].length;
        continue;
      }
      if (ch === '\n') {
        this.row++;
        this.col = 0;
        this.ensureRow();
      } else if (ch === '\r') {
        this.col = 0;
      } else {
        const code = text.codePointAt(i) ?? 0;
        if (code < 0x20 || code === 0x7f) throw new Error(`control character ${code} written`);
        const glyph = String.fromCodePoint(code);
        i += glyph.length - 1;
        if (this.col >= this.columns) {
          this.current().wrapped = true;
          this.row++;
          this.col = 0;
          this.ensureRow();
        }
        const chars = Array.from(this.current().text);
        while (chars.length < this.col) chars.push(' ');
        chars[this.col] = glyph;
        this.current().text = chars.join('');
        this.col++;
      }
      i++;
    }
  }

  private escape(privateMode: boolean, n: number | undefined, command: string): void {
    if (privateMode && n === 25 && (command === 'l' || command === 'h')) {
      this.cursorVisible = command === 'h';
    } else if (!privateMode && command === 'A') {
      this.row = Math.max(0, this.row - (n ?? 1));
    } else if (!privateMode && command === 'B') {
      this.row += n ?? 1;
      this.ensureRow();
    } else if (!privateMode && command === 'K' && (n === undefined || n === 2)) {
      const cur = this.current();
      cur.text = n === 2 ? '' : Array.from(cur.text).slice(0, this.col).join('');
      cur.wrapped = false;
    } else if (!privateMode && command === 'J' && n === undefined) {
      const cur = this.current();
      cur.text = Array.from(cur.text).slice(0, this.col).join('');
      cur.wrapped = false;
      this.screen.length = this.row + 1;
    } else if (!privateMode && command === 'm') {
      // colours: nothing to keep
    } else {
      throw new Error(`unsupported escape sequence ESC[${privateMode ? '?' : ''}${n ?? ''}${command}`);
    }
  }

  private current(): Row {
    this.ensureRow();
    return this.screen[this.row] as Row;
  }

  private ensureRow(): void {
    while (this.screen.length <= this.row) this.screen.push({ text: '', wrapped: false });
  }
}
