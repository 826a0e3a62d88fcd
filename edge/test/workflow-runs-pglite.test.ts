import { workflowRunsSuite } from './workflow-runs.case.ts';

workflowRunsSuite('pglite');
