CREATE TABLE "workflow_definitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"owner_issuer" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"labels" jsonb NOT NULL,
	"latest_version" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_run_events" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "workflow_run_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"owner_id" text NOT NULL,
	"event_type" text NOT NULL,
	"message" text NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_run_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"media_type" text,
	"byte_count" bigint NOT NULL,
	"sha256" text NOT NULL,
	"provenance" jsonb,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_run_logs" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "workflow_run_logs_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"stream" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"owner_issuer" text NOT NULL,
	"owner_name" text NOT NULL,
	"workflow_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"version" text NOT NULL,
	"executor" text NOT NULL,
	"session_id" uuid NOT NULL,
	"session_created" integer DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"state_changed_at" timestamp with time zone NOT NULL,
	"input" jsonb,
	"output" jsonb,
	"error" text,
	"artifact_refs" jsonb NOT NULL,
	"labels" jsonb NOT NULL,
	"source_system" text,
	"source_reference" text,
	"client_request_id" text,
	"request_fingerprint" text,
	"output_workspace_id" uuid NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"lost_attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer NOT NULL,
	"worker_id" text,
	"lease_expires_at" timestamp with time zone,
	"cancel_requested_at" timestamp with time zone,
	"admission_reason" text,
	"queued_at" timestamp with time zone,
	"intervention" jsonb,
	"resolutions" jsonb NOT NULL,
	"runtime_release" jsonb,
	"resume_from" jsonb,
	"execution_deadline_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_runs_state_check" CHECK ("workflow_runs"."state" in ('pending', 'queued', 'starting', 'running', 'awaiting_input', 'succeeded', 'failed', 'cancelled', 'timed_out'))
);
--> statement-breakpoint
CREATE TABLE "workflow_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workflow_id" uuid NOT NULL,
	"owner_id" text NOT NULL,
	"version" text NOT NULL,
	"executor" text NOT NULL,
	"entrypoint" text NOT NULL,
	"source_kind" text NOT NULL,
	"git_source" jsonb,
	"snapshot_state" text NOT NULL,
	"snapshot_key" text,
	"snapshot_sha256" text,
	"snapshot_bytes" bigint,
	"snapshot_file_count" integer,
	"snapshot_error" text,
	"snapshot_error_code" text,
	"input_schema" jsonb,
	"output_schema" jsonb,
	"package" jsonb,
	"default_session" jsonb,
	"allowed_credential_binding_ids" jsonb NOT NULL,
	"allowed_extension_ids" jsonb NOT NULL,
	"allowed_file_workspace_ids" jsonb NOT NULL,
	"timeout_ms" integer NOT NULL,
	"memory_mb" integer,
	"max_attempts" integer NOT NULL,
	"request_fingerprint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "workflow_versions_snapshot_state_check" CHECK ("workflow_versions"."snapshot_state" in ('resolving', 'ready', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "workflow_run_events" ADD CONSTRAINT "workflow_run_events_run_id_workflow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_run_files" ADD CONSTRAINT "workflow_run_files_run_id_workflow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_run_logs" ADD CONSTRAINT "workflow_run_logs_run_id_workflow_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."workflow_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_workflow_id_workflow_definitions_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow_definitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_version_id_workflow_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."workflow_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD CONSTRAINT "workflow_runs_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "workflow_versions" ADD CONSTRAINT "workflow_versions_workflow_id_workflow_definitions_id_fk" FOREIGN KEY ("workflow_id") REFERENCES "public"."workflow_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workflow_definitions_owner_idx" ON "workflow_definitions" USING btree ("owner_id","id");--> statement-breakpoint
CREATE INDEX "workflow_run_events_run_idx" ON "workflow_run_events" USING btree ("run_id","seq");--> statement-breakpoint
CREATE INDEX "workflow_run_files_run_idx" ON "workflow_run_files" USING btree ("run_id","created_at","id");--> statement-breakpoint
CREATE INDEX "workflow_run_logs_run_idx" ON "workflow_run_logs" USING btree ("run_id","seq");--> statement-breakpoint
CREATE INDEX "workflow_runs_owner_idx" ON "workflow_runs" USING btree ("owner_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_runs_client_request_idx" ON "workflow_runs" USING btree ("owner_id","client_request_id") WHERE "workflow_runs"."client_request_id" is not null;--> statement-breakpoint
CREATE INDEX "workflow_runs_queue_idx" ON "workflow_runs" USING btree ("queued_at","id") WHERE "workflow_runs"."state" = 'queued';--> statement-breakpoint
CREATE INDEX "workflow_runs_active_idx" ON "workflow_runs" USING btree ("state","lease_expires_at") WHERE "workflow_runs"."state" in ('pending', 'starting', 'running', 'awaiting_input');--> statement-breakpoint
CREATE INDEX "workflow_runs_session_idx" ON "workflow_runs" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_versions_version_idx" ON "workflow_versions" USING btree ("workflow_id","version");