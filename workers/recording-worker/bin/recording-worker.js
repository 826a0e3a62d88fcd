#!/usr/bin/env node
// Launcher: registers tsx's ESM loader in this process and runs the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
