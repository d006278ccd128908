#!/usr/bin/env node
// The `chorus` command: Chorus ships TypeScript sources and runs them through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
