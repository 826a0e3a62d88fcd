CREATE TABLE "credential_bindings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"owner_issuer" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"provider" text NOT NULL,
	"namespace" text,
	"injection_mode" text NOT NULL,
	"allowed_origins" jsonb NOT NULL,
	"totp" jsonb,
	"labels" jsonb NOT NULL,
	"ciphertext" text NOT NULL,
	"wrapped_key" text NOT NULL,
	"kek_id" text NOT NULL,
	"fingerprint" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credential_bindings_kind_check" CHECK ("credential_bindings"."kind" in ('password', 'secret', 'cookies', 'storage', 'totp'))
);
--> statement-breakpoint
ALTER TABLE "workflow_runs" ADD COLUMN "credential_bindings" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "credential_bindings_owner_name_idx" ON "credential_bindings" USING btree ("owner_id","name");--> statement-breakpoint
CREATE INDEX "credential_bindings_kek_idx" ON "credential_bindings" USING btree ("kek_id");