import { watchFiles } from '../../cluster/grpc/authFileWatch.ts';
import { loadTokensFile, type TokenIdentity, type TokenTable } from '../../cluster/grpc/authTokens.ts';

export interface TokensFileOptions {
  /** Re-read the file when it changes, polling this often (default 5000 ms; 0 = never). */
  watchIntervalMs?: number;
  /** Told after a successful re-read (the number of tokens now accepted). */
  onReload?: (tokens: number) => void;
  /** Told when a changed file does not parse; the previous tokens stay in force. */
  onReloadError?: (err: unknown) => void;
}

/**
 * The coordinator's tokens file, re-read when it changes so tokens can be added and revoked without a
 * restart. A file that fails to parse never replaces a good one: a half-written edit locks nobody out.
 */
export class TokensFile {
  private stopWatching: (() => void) | undefined;

  private constructor(
    readonly path: string,
    private table: TokenTable,
  ) {}

  /** Reads the file (a bad file is an error: the coordinator must not start with auth half on). */
  static async open(path: string, options: TokensFileOptions = {}): Promise<TokensFile> {
    const file = new TokensFile(path, await loadTokensFile(path));
    const interval = options.watchIntervalMs ?? 5000;
    if (interval > 0) {
      file.stopWatching = watchFiles([path], interval, () => {
        file.reload().then(
          () => options.onReload?.(file.size),
          (err: unknown) => options.onReloadError?.(err),
        );
      });
    }
    return file;
  }

  get size(): number {
    return this.table.size;
  }

  verify(token: string): TokenIdentity | undefined {
    return this.table.verify(token);
  }

  /** The token named `name` as the file says now: a quota changed in the file applies from its reload. */
  byName(name: string): TokenIdentity | undefined {
    return this.table.byName(name);
  }

  /** Re-reads the file now; on error the previous tokens stay. */
  async reload(): Promise<void> {
    this.table = await loadTokensFile(this.path);
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }
}
