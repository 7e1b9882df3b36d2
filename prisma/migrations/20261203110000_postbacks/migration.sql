-- CreateEnum
CREATE TYPE "PostbackForm" AS ENUM ('RAW_BODY', 'FORM_FIELD_LOWER', 'FORM_FIELD_UPPER');

-- CreateEnum
CREATE TYPE "PostbackCode" AS ENUM ('N101', 'N102', 'E101');

-- CreateEnum
CREATE TYPE "PostbackState" AS ENUM ('PENDING', 'DELIVERED', 'GIVEN_UP');

-- CreateEnum
CREATE TYPE "PostbackOutcome" AS ENUM ('ACKNOWLEDGED', 'HTTP_STATUS', 'TIMEOUT', 'NETWORK_ERROR', 'BLOCKED');

-- AlterTable
ALTER TABLE "accounts" ADD COLUMN     "postback_bundle" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "postback_form" "PostbackForm" NOT NULL DEFAULT 'RAW_BODY',
ADD COLUMN     "postback_max_attempts" INTEGER,
ADD COLUMN     "postback_retry_delay_ms" INTEGER,
ADD COLUMN     "postback_secret" TEXT NOT NULL DEFAULT (replace((gen_random_uuid())::text, '-'::text, ''::text) || replace((gen_random_uuid())::text, '-'::text, ''::text));

-- CreateTable
CREATE TABLE "postbacks" (
    "id" SERIAL NOT NULL,
    "message_id" INTEGER NOT NULL,
    "account_id" INTEGER NOT NULL,
    "code" "PostbackCode" NOT NULL,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "idempotency_key" UUID NOT NULL DEFAULT gen_random_uuid(),
    "state" "PostbackState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMP(3),
    "last_error" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "postbacks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "postback_attempts" (
    "id" SERIAL NOT NULL,
    "postback_id" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL,
    "outcome" "PostbackOutcome",
    "http_status" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER,
    "bundle_size" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "postback_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "postbacks_idempotency_key_key" ON "postbacks"("idempotency_key");

-- CreateIndex
CREATE INDEX "postbacks_message_id_id_idx" ON "postbacks"("message_id", "id");

-- CreateIndex
CREATE INDEX "postbacks_account_id_state_id_idx" ON "postbacks"("account_id", "state", "id");

-- CreateIndex
CREATE INDEX "postbacks_state_next_attempt_at_idx" ON "postbacks"("state", "next_attempt_at");

-- CreateIndex
CREATE INDEX "postback_attempts_postback_id_number_idx" ON "postback_attempts"("postback_id", "number");

-- AddForeignKey
ALTER TABLE "postbacks" ADD CONSTRAINT "postbacks_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "postbacks" ADD CONSTRAINT "postbacks_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "postback_attempts" ADD CONSTRAINT "postback_attempts_postback_id_fkey" FOREIGN KEY ("postback_id") REFERENCES "postbacks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

