-- CreateEnum
CREATE TYPE "AccountStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "NumberValidation" AS ENUM ('STRICT', 'POSSIBLE_LENGTH');

-- CreateEnum
CREATE TYPE "SenderCodeKind" AS ENUM ('SHORT', 'LONG');

-- CreateEnum
CREATE TYPE "TemplateStatus" AS ENUM ('READY', 'ENCODING', 'DISABLED');

-- CreateEnum
CREATE TYPE "SlideMedia" AS ENUM ('IMAGE', 'AUDIO', 'VIDEO', 'BARCODE');

-- CreateEnum
CREATE TYPE "Symbology" AS ENUM ('QRCODE', 'AZTEC', 'PDF417', 'DATAMATRIX', 'CODE128', 'CODE39', 'EAN13', 'UPCA', 'ITF14', 'GS1_128');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('ACCEPTED', 'RENDERED', 'SUBMITTED', 'DELIVERED', 'EXPIRED', 'REJECTED', 'FAILED');

-- CreateTable
CREATE TABLE "accounts" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "status" "AccountStatus" NOT NULL DEFAULT 'ACTIVE',
    "api_activated" BOOLEAN NOT NULL DEFAULT true,
    "api_rights" BOOLEAN NOT NULL DEFAULT true,
    "allowed_actions" TEXT[] DEFAULT ARRAY['sendmmsbarcode']::TEXT[],
    "legacy_login_enabled" BOOLEAN NOT NULL DEFAULT false,
    "legacy_user" TEXT,
    "legacy_pass_md5" TEXT,
    "credits" INTEGER NOT NULL DEFAULT 0,
    "postback_url" TEXT,
    "min_request_interval_ms" INTEGER NOT NULL DEFAULT 0,
    "request_limit" INTEGER,
    "request_window_seconds" INTEGER NOT NULL DEFAULT 60,
    "number_validation" "NumberValidation" NOT NULL DEFAULT 'STRICT',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "key_hash" TEXT NOT NULL,
    "label" TEXT NOT NULL DEFAULT 'default',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sender_codes" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "kind" "SenderCodeKind" NOT NULL,
    "country" TEXT NOT NULL,
    "is_default_for_country" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sender_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mms_templates" (
    "id" INTEGER NOT NULL,
    "account_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "status" "TemplateStatus" NOT NULL DEFAULT 'READY',
    "default_database_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "mms_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "template_slides" (
    "id" SERIAL NOT NULL,
    "template_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "text" TEXT,
    "duration_seconds" INTEGER NOT NULL DEFAULT 5,
    "media" "SlideMedia",
    "media_content_type" TEXT,
    "media_key" TEXT,

    CONSTRAINT "template_slides_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "barcode_databases" (
    "id" INTEGER NOT NULL,
    "account_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "symbology" "Symbology" NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "settings_version" INTEGER NOT NULL DEFAULT 1,
    "generate_ids" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "barcode_databases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "issued_barcodes" (
    "id" SERIAL NOT NULL,
    "database_id" INTEGER NOT NULL,
    "barcode_id" TEXT NOT NULL,
    "phone" TEXT NOT NULL,
    "campaign_id" INTEGER,
    "message_id" INTEGER NOT NULL,
    "tracking_id" TEXT NOT NULL,
    "image_key" TEXT,
    "issued_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "issued_barcodes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaigns" (
    "id" INTEGER NOT NULL,
    "account_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "requires_subscription" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subscriptions" (
    "campaign_id" INTEGER NOT NULL,
    "phone" TEXT NOT NULL,
    "subscribed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "unsubscribed_at" TIMESTAMP(3),

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("campaign_id","phone")
);

-- CreateTable
CREATE TABLE "phone_devices" (
    "phone" TEXT NOT NULL,
    "device" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "phone_devices_pkey" PRIMARY KEY ("phone")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" SERIAL NOT NULL,
    "tracking_id" TEXT NOT NULL,
    "account_id" INTEGER NOT NULL,
    "template_id" INTEGER NOT NULL,
    "database_id" INTEGER NOT NULL,
    "barcode_value" TEXT NOT NULL,
    "to_number" TEXT NOT NULL,
    "requested_from" TEXT NOT NULL,
    "sender_code" TEXT NOT NULL,
    "campaign_id" INTEGER,
    "custom_subject" TEXT,
    "custom_texts" JSONB NOT NULL DEFAULT '[]',
    "merge_data" JSONB NOT NULL DEFAULT '{}',
    "device" TEXT,
    "ddm_title" TEXT,
    "ddm_text" TEXT,
    "ddm_timeout_minutes" INTEGER,
    "status" "MessageStatus" NOT NULL DEFAULT 'ACCEPTED',
    "image_key" TEXT,
    "transport" TEXT,
    "carrier_message_id" TEXT,
    "handset" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message_events" (
    "id" SERIAL NOT NULL,
    "message_id" INTEGER NOT NULL,
    "status" "MessageStatus" NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "message_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" SERIAL NOT NULL,
    "queue" TEXT NOT NULL,
    "job_name" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stored_images" (
    "key" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "bytes" BYTEA NOT NULL,
    "byte_size" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stored_images_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "accounts_name_key" ON "accounts"("name");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_legacy_user_key" ON "accounts"("legacy_user");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_account_id_idx" ON "api_keys"("account_id");

-- CreateIndex
CREATE INDEX "sender_codes_account_id_country_idx" ON "sender_codes"("account_id", "country");

-- CreateIndex
CREATE UNIQUE INDEX "sender_codes_account_id_code_key" ON "sender_codes"("account_id", "code");

-- CreateIndex
CREATE INDEX "mms_templates_account_id_idx" ON "mms_templates"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "template_slides_template_id_position_key" ON "template_slides"("template_id", "position");

-- CreateIndex
CREATE INDEX "barcode_databases_account_id_idx" ON "barcode_databases"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "issued_barcodes_message_id_key" ON "issued_barcodes"("message_id");

-- CreateIndex
CREATE INDEX "issued_barcodes_database_id_barcode_id_idx" ON "issued_barcodes"("database_id", "barcode_id");

-- CreateIndex
CREATE INDEX "issued_barcodes_phone_idx" ON "issued_barcodes"("phone");

-- CreateIndex
CREATE INDEX "campaigns_account_id_idx" ON "campaigns"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "messages_tracking_id_key" ON "messages"("tracking_id");

-- CreateIndex
CREATE INDEX "messages_account_id_created_at_idx" ON "messages"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "messages_to_number_idx" ON "messages"("to_number");

-- CreateIndex
CREATE INDEX "messages_status_updated_at_idx" ON "messages"("status", "updated_at");

-- CreateIndex
CREATE INDEX "message_events_message_id_at_idx" ON "message_events"("message_id", "at");

-- CreateIndex
CREATE INDEX "outbox_dispatched_at_created_at_idx" ON "outbox"("dispatched_at", "created_at");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sender_codes" ADD CONSTRAINT "sender_codes_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mms_templates" ADD CONSTRAINT "mms_templates_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mms_templates" ADD CONSTRAINT "mms_templates_default_database_id_fkey" FOREIGN KEY ("default_database_id") REFERENCES "barcode_databases"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "template_slides" ADD CONSTRAINT "template_slides_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "mms_templates"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "barcode_databases" ADD CONSTRAINT "barcode_databases_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "issued_barcodes" ADD CONSTRAINT "issued_barcodes_database_id_fkey" FOREIGN KEY ("database_id") REFERENCES "barcode_databases"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "issued_barcodes" ADD CONSTRAINT "issued_barcodes_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "mms_templates"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "messages" ADD CONSTRAINT "messages_database_id_fkey" FOREIGN KEY ("database_id") REFERENCES "barcode_databases"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message_events" ADD CONSTRAINT "message_events_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;

