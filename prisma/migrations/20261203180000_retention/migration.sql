-- Retention (docs/operations.md, Retention): issued barcodes outlive their messages (the holder
-- record of a ticket), the debits of deleted messages are counted per account and day, and the
-- indexes the retention pass looks things up by.
-- On a large messages or message_events table the index builds hold writes to it for a while:
-- migrate at a quiet hour.

-- DropForeignKey
ALTER TABLE "issued_barcodes" DROP CONSTRAINT "issued_barcodes_message_id_fkey";

-- AlterTable
ALTER TABLE "issued_barcodes" ALTER COLUMN "message_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "retired_debits" (
    "account_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,
    "messages" INTEGER NOT NULL,

    CONSTRAINT "retired_debits_pkey" PRIMARY KEY ("account_id","day")
);

-- CreateIndex
CREATE INDEX "delivery_reports_received_at_idx" ON "delivery_reports"("received_at");

-- CreateIndex
CREATE INDEX "message_events_at_id_idx" ON "message_events"("at", "id");

-- CreateIndex
CREATE INDEX "messages_image_key_idx" ON "messages" USING HASH ("image_key");

-- CreateIndex
CREATE INDEX "rendered_barcodes_image_key_idx" ON "rendered_barcodes" USING HASH ("image_key");

-- AddForeignKey
ALTER TABLE "retired_debits" ADD CONSTRAINT "retired_debits_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "issued_barcodes" ADD CONSTRAINT "issued_barcodes_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;
