#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx trainscope` works right after `npm install`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/index.ts');
await main(process.argv);
