CREATE TABLE "session_shares" (
	"id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"role" text NOT NULL,
	"subject" text,
	"email" text,
	"token_hash" text,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_shares_role_check" CHECK ("session_shares"."role" in ('viewer', 'collaborator')),
	CONSTRAINT "session_shares_kind_check" CHECK (("session_shares"."kind" = 'user' and ("session_shares"."subject" is not null or "session_shares"."email" is not null) and "session_shares"."token_hash" is null) or ("session_shares"."kind" = 'link' and "session_shares"."token_hash" is not null and "session_shares"."subject" is null and "session_shares"."email" is null))
);
--> statement-breakpoint
CREATE TABLE "share_redemptions" (
	"share_id" uuid NOT NULL,
	"principal_id" text NOT NULL,
	"display_name" text NOT NULL,
	"redeemed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "share_redemptions_share_id_principal_id_pk" PRIMARY KEY("share_id","principal_id")
);
--> statement-breakpoint
ALTER TABLE "session_shares" ADD CONSTRAINT "session_shares_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "share_redemptions" ADD CONSTRAINT "share_redemptions_share_id_session_shares_id_fk" FOREIGN KEY ("share_id") REFERENCES "public"."session_shares"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "session_shares_session_idx" ON "session_shares" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "session_shares_subject_idx" ON "session_shares" USING btree ("subject") WHERE "session_shares"."subject" is not null;--> statement-breakpoint
CREATE INDEX "session_shares_email_idx" ON "session_shares" USING btree ("email") WHERE "session_shares"."email" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "session_shares_token_idx" ON "session_shares" USING btree ("token_hash") WHERE "session_shares"."token_hash" is not null;--> statement-breakpoint
CREATE INDEX "share_redemptions_principal_idx" ON "share_redemptions" USING btree ("principal_id");