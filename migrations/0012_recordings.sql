CREATE TABLE "recording_exports" (
	"session_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"format" text NOT NULL,
	"segments" text NOT NULL,
	"state" text NOT NULL,
	"host_id" uuid,
	"claimed_at" timestamp with time zone,
	"storage_key" text,
	"bytes" bigint,
	"duration_ms" bigint,
	"error" text,
	"requested_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "recording_exports_session_id_id_pk" PRIMARY KEY("session_id","id")
);
--> statement-breakpoint
CREATE TABLE "session_recordings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"previous_recording_id" uuid,
	"state" text NOT NULL,
	"trigger" text NOT NULL,
	"include_audio" boolean NOT NULL,
	"rrweb" boolean NOT NULL,
	"host_id" uuid,
	"mime_type" text,
	"bytes" bigint,
	"duration_ms" bigint,
	"has_audio" boolean,
	"error" text,
	"termination_reason" text,
	"storage_key" text,
	"parts" integer DEFAULT 0 NOT NULL,
	"parts_bytes" bigint DEFAULT 0 NOT NULL,
	"dom_key" text,
	"dom_bytes" bigint,
	"dom_events" integer,
	"bytes_written" bigint,
	"recorded_ms" bigint,
	"progress_at" timestamp with time zone,
	"retention_sec" integer,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"artifact_removed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_recordings_state_check" CHECK ("session_recordings"."state" in ('starting', 'recording', 'finalizing', 'ready', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "recording_mode" text DEFAULT 'disabled' NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "recording_retention_sec" integer;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "recording_audio" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "recording_rrweb" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "recording_wanted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "recording_retry_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "recording_exports" ADD CONSTRAINT "recording_exports_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_recordings" ADD CONSTRAINT "session_recordings_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "recording_exports_format_idx" ON "recording_exports" USING btree ("session_id","format");--> statement-breakpoint
CREATE INDEX "recording_exports_pending_idx" ON "recording_exports" USING btree ("requested_at") WHERE "recording_exports"."state" in ('pending', 'building');--> statement-breakpoint
CREATE UNIQUE INDEX "session_recordings_sequence_idx" ON "session_recordings" USING btree ("session_id","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "session_recordings_one_active_idx" ON "session_recordings" USING btree ("session_id") WHERE "session_recordings"."state" in ('starting', 'recording');--> statement-breakpoint
CREATE INDEX "session_recordings_host_idx" ON "session_recordings" USING btree ("host_id") WHERE "session_recordings"."state" in ('starting', 'recording', 'finalizing');--> statement-breakpoint
CREATE INDEX "session_recordings_expiry_idx" ON "session_recordings" USING btree ("expires_at") WHERE "session_recordings"."expires_at" is not null and "session_recordings"."artifact_removed_at" is null;