-- Credits given back for messages that failed before any MMSC accepted them (written by the message ledger)
-- CreateTable
CREATE TABLE "credit_returns" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "message_id" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_returns_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "credit_returns_message_id_key" ON "credit_returns"("message_id");

-- CreateIndex
CREATE INDEX "credit_returns_account_id_created_at_idx" ON "credit_returns"("account_id", "created_at");

-- AddForeignKey
ALTER TABLE "credit_returns" ADD CONSTRAINT "credit_returns_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

