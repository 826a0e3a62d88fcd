/**
 * @module
 * The OpenAPI document generated from the declarations (Node: scripts and tests). The committed
 * `browserpane-control-v1.yaml` is its output; a test fails when the two differ.
 */
import { stringify } from 'yaml';
import { buildDocument } from './build.ts';

export { buildDocument };

const HEADER = `# GENERATED from openapi/src/contract (the route declarations): do not edit.
# Regenerate with \`npm run generate -w @browserpane/api\`; test/contract checks it is current.
`;

/** The document as the committed YAML text. */
export function renderDocument(): string {
  return (
    HEADER +
    stringify(buildDocument(), { lineWidth: 100, aliasDuplicateObjects: false, version: '1.1' })
  );
}

export const DOCUMENT_FILE = 'browserpane-control-v1.yaml';
