export * from './dev-oidc.ts';
export * from './hosts.ts';
export * from './session-files.ts';
export * from './session-profiles.ts';
export * from './sessions.ts';
export * from './shares.ts';
export * from './workflows.ts';
