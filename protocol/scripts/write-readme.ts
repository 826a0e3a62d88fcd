/** Regenerates the wire reference in protocol/README.md. Usage: npm run docs -w protocol */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withReference } from './wire-reference.ts';

if (process.argv.includes('--help')) {
  console.log('usage: npm run docs -w protocol   (rewrites the generated part of README.md)');
  process.exit(0);
}
const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
writeFileSync(path, withReference(readFileSync(path, 'utf8')));
console.log(`updated ${path}`);
