-- AlterTable
ALTER TABLE "messages" ADD COLUMN     "to_country" TEXT;
