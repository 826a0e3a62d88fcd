ALTER TABLE "sessions" DROP CONSTRAINT "sessions_state_check";--> statement-breakpoint
ALTER TABLE "session_connections" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "session_connections_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "owner_issuer" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "integration_context" jsonb;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "automation_owner_issuer" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "runtime_released_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_state_check" CHECK ("sessions"."state" in ('queued', 'starting', 'ready', 'active', 'idle', 'stopping', 'stopped', 'failed', 'runtime_lost', 'released'));