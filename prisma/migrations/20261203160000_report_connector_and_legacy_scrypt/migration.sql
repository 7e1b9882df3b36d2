-- Issue 12 (authentication): a delivery report names the connector whose inbound credentials it
-- came with, and is matched only to that connector's messages. No default any more: a report
-- stored without its connector would silently be taken for the default connector's.
-- Legacy passwords (accounts.legacy_pass_md5) change form without a schema change: SQL cannot
-- compute scrypt, so rows holding a bare md5 (32 hex digits, unambiguous beside the new
-- scrypt$N$r$p$salt$hash form) are converted in place by the gateway when it starts, each with
-- a compare-and-set, and keep working meanwhile (docs/authentication.md).
-- AlterTable
ALTER TABLE "delivery_reports" ALTER COLUMN "connector" DROP DEFAULT;
