CREATE TABLE "session_profiles" (
	"session_id" uuid PRIMARY KEY NOT NULL,
	"wrapped_key" text NOT NULL,
	"revision" uuid,
	"storage_key" text,
	"size" bigint,
	"sha256" text,
	"host_id" uuid,
	"saved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "session_profiles" ADD CONSTRAINT "session_profiles_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;