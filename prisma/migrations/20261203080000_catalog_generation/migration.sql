-- Gateways cache partner-facing configuration in process: this one row tells them when to drop it.
-- CreateTable
CREATE TABLE "catalog_generation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "generation" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "catalog_generation_pkey" PRIMARY KEY ("id")
);

INSERT INTO "catalog_generation" ("id", "generation") VALUES (1, 0);

-- Any change to what the accept path reads bumps the generation, whoever makes it (the admin CLI,
-- the seed, hand-written SQL): the cache cannot be bypassed by forgetting to call something.
-- The body is an E-string with \073 for each semicolon: the migration runner of some Prisma driver
-- adapters splits scripts at every semicolon, dollar-quoted bodies included.
CREATE FUNCTION bump_catalog_generation() RETURNS trigger LANGUAGE plpgsql AS
  E'BEGIN UPDATE catalog_generation SET generation = generation + 1 WHERE id = 1\073 RETURN NULL\073 END';

-- Accounts: every column but the credits (taken on every accepted request) and the timestamps.
CREATE TRIGGER "accounts_catalog_change" AFTER UPDATE ON "accounts" FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'credits' - 'updated_at') IS DISTINCT FROM (to_jsonb(NEW) - 'credits' - 'updated_at'))
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "accounts_catalog_insert_delete" AFTER INSERT OR DELETE ON "accounts" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "api_keys_catalog_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "api_keys" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "sender_codes_catalog_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sender_codes" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "mms_templates_catalog_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "mms_templates" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "template_slides_catalog_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "template_slides" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "barcode_databases_catalog_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "barcode_databases" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "campaigns_catalog_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "campaigns" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
CREATE TRIGGER "carrier_routes_catalog_change" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "carrier_routes" FOR EACH STATEMENT
  EXECUTE FUNCTION bump_catalog_generation();
