-- CreateTable
CREATE TABLE "rendered_barcodes" (
    "database_id" INTEGER NOT NULL,
    "settings_version" INTEGER NOT NULL,
    "value_hash" TEXT NOT NULL,
    "image_key" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "module_px" INTEGER NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rendered_barcodes_pkey" PRIMARY KEY ("database_id","settings_version","value_hash")
);
