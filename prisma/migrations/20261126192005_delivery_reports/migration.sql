-- CreateTable
CREATE TABLE "delivery_reports" (
    "id" SERIAL NOT NULL,
    "connector" TEXT NOT NULL DEFAULT 'default',
    "transaction_id" TEXT,
    "mmsc_message_id" TEXT NOT NULL,
    "recipient" TEXT,
    "sender" TEXT,
    "mm_status" TEXT NOT NULL,
    "status_text" TEXT,
    "handset" TEXT,
    "reported_at" TIMESTAMP(3),
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMP(3),
    "message_id" INTEGER,

    CONSTRAINT "delivery_reports_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "delivery_reports_mmsc_message_id_idx" ON "delivery_reports"("mmsc_message_id");

-- CreateIndex
CREATE INDEX "messages_carrier_message_id_idx" ON "messages"("carrier_message_id");
