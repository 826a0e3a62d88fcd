import { webhooksSuite } from './webhooks.case.ts';

webhooksSuite('pglite');
