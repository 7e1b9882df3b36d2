-- The admin CLI (issue 11): a key's first characters, so keys can be told apart without the key,
-- and the history of the credits operators add (the debits are the messages themselves).
-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "key_prefix" TEXT;

-- CreateTable
CREATE TABLE "credit_grants" (
    "id" SERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "amount" INTEGER NOT NULL,
    "balance" INTEGER NOT NULL,
    "note" TEXT,
    "granted_by" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "credit_grants_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "credit_grants_account_id_created_at_idx" ON "credit_grants"("account_id", "created_at");

-- AddForeignKey
ALTER TABLE "credit_grants" ADD CONSTRAINT "credit_grants_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
