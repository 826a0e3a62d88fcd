export * from './dev-oidc.ts';
export * from './hosts.ts';
export * from './sessions.ts';
