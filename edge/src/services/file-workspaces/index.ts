/**
 * File workspaces (`workspaces.ts`), uploads into them (`upload.ts`) and session file bindings
 * (`bindings.ts`).
 * @module
 */
export * from './bindings.ts';
export * from './upload.ts';
export * from './workspaces.ts';
