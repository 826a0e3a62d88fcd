ALTER TABLE "sessions" ADD COLUMN "display_name" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "page_title" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "page_host" text;