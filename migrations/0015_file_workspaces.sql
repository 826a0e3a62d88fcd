CREATE TABLE "file_workspace_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"media_type" text,
	"byte_count" bigint NOT NULL,
	"sha256" text NOT NULL,
	"provenance" jsonb,
	"storage_key" text NOT NULL,
	"run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "file_workspaces" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"owner_issuer" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"labels" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "session_file_bindings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"owner_id" text NOT NULL,
	"workspace_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"media_type" text,
	"byte_count" bigint NOT NULL,
	"sha256" text NOT NULL,
	"provenance" jsonb,
	"mount_path" text NOT NULL,
	"mode" text NOT NULL,
	"state" text NOT NULL,
	"error" text,
	"labels" jsonb NOT NULL,
	"removed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_file_bindings_state_check" CHECK ("session_file_bindings"."state" in ('pending', 'materialized', 'failed', 'removed')),
	CONSTRAINT "session_file_bindings_mode_check" CHECK ("session_file_bindings"."mode" in ('read_only', 'read_write', 'scratch_output'))
);
--> statement-breakpoint
ALTER TABLE "file_workspace_files" ADD CONSTRAINT "file_workspace_files_workspace_id_file_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."file_workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_file_bindings" ADD CONSTRAINT "session_file_bindings_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "file_workspace_files_workspace_idx" ON "file_workspace_files" USING btree ("workspace_id","id");--> statement-breakpoint
CREATE INDEX "file_workspaces_owner_idx" ON "file_workspaces" USING btree ("owner_id","id");--> statement-breakpoint
CREATE INDEX "session_file_bindings_session_idx" ON "session_file_bindings" USING btree ("session_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "session_file_bindings_mount_idx" ON "session_file_bindings" USING btree ("session_id","mount_path") WHERE "session_file_bindings"."state" <> 'removed';