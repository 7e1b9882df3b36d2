-- CreateTable
CREATE TABLE "carrier_routes" (
    "id" SERIAL NOT NULL,
    "country" TEXT NOT NULL,
    "carrier" TEXT,
    "connector" TEXT NOT NULL DEFAULT 'default',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "carrier_routes_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "carrier_routes_country_enabled_idx" ON "carrier_routes"("country", "enabled");

-- CreateIndex
CREATE UNIQUE INDEX "carrier_routes_country_carrier_key" ON "carrier_routes"("country", "carrier");
