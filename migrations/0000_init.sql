CREATE TABLE "dev_oidc_used_codes" (
	"jti" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "host_commands" (
	"id" uuid PRIMARY KEY NOT NULL,
	"host_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"type" text NOT NULL,
	"connection_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hosts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"credential_hash" text NOT NULL,
	"status" text DEFAULT 'healthy' NOT NULL,
	"region" text NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"max_sessions" integer NOT NULL,
	"free_sessions" integer NOT NULL,
	"cpu_percent" real,
	"memory_available_mb" integer,
	"relay_url" text NOT NULL,
	"cert_sha256" text NOT NULL,
	"agent_version" text NOT NULL,
	"enrolled_at" timestamp with time zone NOT NULL,
	"last_heartbeat_at" timestamp with time zone NOT NULL,
	"lost_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "hosts_name_unique" UNIQUE("name"),
	CONSTRAINT "hosts_status_check" CHECK ("hosts"."status" in ('healthy', 'lost'))
);
--> statement-breakpoint
CREATE TABLE "session_connections" (
	"session_id" uuid NOT NULL,
	"connection_id" text NOT NULL,
	"host_id" uuid NOT NULL,
	"role" text NOT NULL,
	"principal" text NOT NULL,
	"display_name" text NOT NULL,
	"connected_at" timestamp with time zone NOT NULL,
	"client" text,
	CONSTRAINT "session_connections_session_id_connection_id_pk" PRIMARY KEY("session_id","connection_id")
);
--> statement-breakpoint
CREATE TABLE "session_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "session_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" uuid NOT NULL,
	"host_id" uuid,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"owner_name" text NOT NULL,
	"state" text NOT NULL,
	"owner_mode" text NOT NULL,
	"viewport" jsonb NOT NULL,
	"capabilities" jsonb NOT NULL,
	"idle_timeout_sec" integer NOT NULL,
	"labels" jsonb NOT NULL,
	"region_hint" text,
	"origin_latitude" double precision,
	"origin_longitude" double precision,
	"host_id" uuid,
	"last_host_id" uuid,
	"stop_mode" text,
	"stop_reason" text,
	"admission_reason" text,
	"automation_owner_id" text,
	"automation_owner_name" text,
	"mcp_owner_id" text,
	"mcp_owner_name" text,
	"runtime_state" text,
	"runtime_restarts" integer DEFAULT 0 NOT NULL,
	"runtime_display" jsonb,
	"runtime_error" text,
	"runtime_reported_at" timestamp with time zone,
	"idle_since" timestamp with time zone,
	"last_active_at" timestamp with time zone,
	"queued_at" timestamp with time zone,
	"placed_at" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_state_check" CHECK ("sessions"."state" in ('queued', 'starting', 'ready', 'active', 'idle', 'stopping', 'stopped', 'failed', 'runtime_lost'))
);
--> statement-breakpoint
ALTER TABLE "host_commands" ADD CONSTRAINT "host_commands_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_connections" ADD CONSTRAINT "session_connections_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_connections" ADD CONSTRAINT "session_connections_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_events" ADD CONSTRAINT "session_events_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_host_id_hosts_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."hosts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "host_commands_pending_idx" ON "host_commands" USING btree ("host_id","acked_at");--> statement-breakpoint
CREATE INDEX "hosts_status_heartbeat_idx" ON "hosts" USING btree ("status","last_heartbeat_at");--> statement-breakpoint
CREATE INDEX "session_connections_host_idx" ON "session_connections" USING btree ("host_id");--> statement-breakpoint
CREATE INDEX "session_events_session_idx" ON "session_events" USING btree ("session_id","id");--> statement-breakpoint
CREATE INDEX "sessions_owner_idx" ON "sessions" USING btree ("owner_id","id");--> statement-breakpoint
CREATE INDEX "sessions_host_idx" ON "sessions" USING btree ("host_id");--> statement-breakpoint
CREATE INDEX "sessions_automation_owner_idx" ON "sessions" USING btree ("automation_owner_id") WHERE "sessions"."automation_owner_id" is not null;--> statement-breakpoint
CREATE INDEX "sessions_mcp_owner_idx" ON "sessions" USING btree ("mcp_owner_id") WHERE "sessions"."mcp_owner_id" is not null;--> statement-breakpoint
CREATE INDEX "sessions_queue_idx" ON "sessions" USING btree ("queued_at","id") WHERE "sessions"."state" in ('queued', 'runtime_lost');--> statement-breakpoint
CREATE INDEX "sessions_idle_idx" ON "sessions" USING btree ("idle_since") WHERE "sessions"."idle_since" is not null;