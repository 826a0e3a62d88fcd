/** Signed webhooks for workflow run events (Standard Webhooks), from a transactional outbox. */
export * from './deliveries.ts';
export * from './subscriptions.ts';
