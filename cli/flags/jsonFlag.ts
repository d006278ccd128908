import type { Command } from 'commander';

export interface JsonFlag {
  json?: boolean;
}

/** `--json`: machine-readable output instead of text. */
export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable output');
}
