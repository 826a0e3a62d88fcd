import { routes } from '@browserpane/api/contract';
import type { Hono } from 'hono';
import { config } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { implement } from '../http/route.ts';
import { requireArtifactStore } from '../services/artifacts/index.ts';
import {
  createDefinition,
  createVersion,
  definitionResource,
  listDefinitions,
  listVersions,
  loadDefinition,
  loadVersion,
  versionNotFound,
  versionResource,
} from '../services/workflows/index.ts';

/** Workflow definitions and their versions, owner-scoped (another owner's is a 404). */
export function workflowRoutes(app: Hono<AppEnv>): void {
  implement(app, routes.createWorkflowDefinition, async (c, { body }) => {
    const row = await createDefinition(c.var.db(), c.var.principal, body, new Date());
    return {
      status: 201,
      body: definitionResource(row),
      headers: { location: `/api/v1/workflows/${row.id}` },
    };
  });

  implement(app, routes.listWorkflowDefinitions, async (c) => {
    const rows = await listDefinitions(c.var.db(), c.var.principal);
    return { status: 200, body: { workflows: rows.map(definitionResource) } };
  });

  implement(app, routes.getWorkflowDefinition, async (c, { params }) => {
    const row = await loadDefinition(c.var.db(), params.workflow_id, c.var.principal);
    return { status: 200, body: definitionResource(row) };
  });

  implement(app, routes.createWorkflowDefinitionVersion, async (c, { params, body }) => {
    const db = c.var.db();
    const definition = await loadDefinition(db, params.workflow_id, c.var.principal);
    const { row, created } = await createVersion(
      db,
      () => requireArtifactStore(c.env),
      definition,
      body,
      config(c.env),
      new Date(),
    );
    const resource = versionResource(row);
    return created
      ? {
          status: 201 as const,
          body: resource,
          headers: { location: `/api/v1/workflows/${row.workflowId}/versions/${row.version}` },
        }
      : { status: 200 as const, body: resource };
  });

  implement(app, routes.listWorkflowDefinitionVersions, async (c, { params }) => {
    const db = c.var.db();
    const definition = await loadDefinition(db, params.workflow_id, c.var.principal);
    const rows = await listVersions(db, definition.id);
    return { status: 200, body: { versions: rows.map(versionResource) } };
  });

  implement(app, routes.getWorkflowDefinitionVersion, async (c, { params }) => {
    const db = c.var.db();
    const definition = await loadDefinition(db, params.workflow_id, c.var.principal);
    const row = await loadVersion(db, definition.id, params.version);
    if (row.snapshotState !== 'ready') throw versionNotFound();
    return { status: 200, body: versionResource(row) };
  });
}
