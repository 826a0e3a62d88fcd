// Writes openapi/browserpane-control-v1.yaml from the route declarations.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENT_FILE, renderDocument } from '../src/document/index.ts';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', DOCUMENT_FILE);
writeFileSync(target, renderDocument());
console.log(`wrote ${target}`);
